"""One report run (run_report) against moto: the Cost Explorer filter it sends and states, what it catches."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from cost_helpers import capture_requests, ce_group, ce_page, create_endpoint, full_tags, queue_cost_results

from lambdas.cost_reporter.dal.clients import Clients
from lambdas.cost_reporter.dal.pricing import PriceBook
from lambdas.cost_reporter.logic import render, savings, service
from lambdas.cost_reporter.models import ReportPeriod
from lambdas.cost_reporter.settings import Settings, load_settings

OCTOBER = ReportPeriod(date(2025, 10, 1), date(2025, 11, 1), "custom")
SERVICE_ONLY = {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon SageMaker"]}}
USAGE = {
    "Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"]}
}
PROJECT = {"Tags": {"Key": "infersave:project", "Values": ["demo"], "MatchOptions": ["EQUALS"]}}


def seed() -> None:
    create_endpoint("chat", full_tags("chat"))
    queue_cost_results(ce_page([ce_group("chat", "USE1-Host:ml.inf2.xlarge", "99.00", "100")]))


def test_project_report_asks_cost_explorer_for_the_project_only_and_says_so(
    clients: Clients, catalog_prices: PriceBook
) -> None:
    seed()
    sent = capture_requests(clients.ce, "GetCostAndUsage")
    settings = load_settings({"PROJECT_NAME": "demo"}, require_outputs=False)

    report = service.run_report(clients, settings, OCTOBER, catalog_prices)

    # the usage query, then the query of the other charge types (credits, refunds, taxes), same scope
    assert [request["Filter"] for request in sent] == [
        {"And": [SERVICE_ONLY, PROJECT, USAGE]},
        {"And": [SERVICE_ONLY, PROJECT, {"Not": USAGE}]},
    ]
    assert (
        "- Cost Explorer filter: SERVICE = Amazon SageMaker AND tag `infersave:project` = `demo` AND "
        "RECORD_TYPE in Usage, DiscountedUsage, SavingsPlanCoveredUsage.\n" in render.render_markdown(report)
    )


def test_report_without_a_project_filters_on_the_service_only_and_says_so(
    clients: Clients, settings: Settings, catalog_prices: PriceBook
) -> None:
    seed()
    sent = capture_requests(clients.ce, "GetCostAndUsage")

    report = service.run_report(clients, settings, OCTOBER, catalog_prices)

    assert [request["Filter"] for request in sent] == [
        {"And": [SERVICE_ONLY, USAGE]},
        {"And": [SERVICE_ONLY, {"Not": USAGE}]},
    ]
    assert (
        "- Cost Explorer filter: SERVICE = Amazon SageMaker AND RECORD_TYPE in Usage, DiscountedUsage, "
        "SavingsPlanCoveredUsage (PROJECT_NAME not set): every `infersave:endpoint` tag value in the account is reported, whatever its project.\n"
        in render.render_markdown(report)
    )


def test_bad_figures_of_one_endpoint_become_an_error_row(
    clients: Clients, settings: Settings, catalog_prices: PriceBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed()

    def overflow(*_: Any, **__: Any) -> Any:
        raise ArithmeticError("decimal overflow")

    monkeypatch.setattr(savings, "endpoint_line", overflow)

    report = service.run_report(clients, settings, OCTOBER, catalog_prices)

    assert report.endpoints == []
    assert [(e.endpoint_name, e.message) for e in report.errors] == [
        ("chat", "left out of the report: ArithmeticError('decimal overflow')")
    ]
    assert report.totals.actual_cost == Decimal(0)


@pytest.mark.parametrize("bug", [KeyError("Metrics"), TypeError("unsupported operand"), ValueError("x")])
def test_a_bug_in_the_per_endpoint_code_fails_the_run_instead_of_hiding_as_a_row(
    clients: Clients,
    settings: Settings,
    catalog_prices: PriceBook,
    monkeypatch: pytest.MonkeyPatch,
    bug: Exception,
) -> None:
    seed()

    def broken(*_: Any, **__: Any) -> Any:
        raise bug

    monkeypatch.setattr(savings, "endpoint_line", broken)

    with pytest.raises(type(bug)):
        service.run_report(clients, settings, OCTOBER, catalog_prices)
