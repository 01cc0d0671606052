"""Report metrics: per-endpoint metrics only for the scheduled report types, totals always."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from aws_lambda_powertools import Metrics

from lambdas.cost_reporter.logic import savings
from lambdas.cost_reporter.metrics import emit_report_metrics
from lambdas.cost_reporter.models import Baseline, EndpointUsage, PriceQuote, Report, ReportPeriod

D = Decimal


def _report(kind: str) -> Report:
    baseline = Baseline("ml.g5.2xlarge", D(1), PriceQuote(D("1.515"), "test"))
    lines = [
        savings.endpoint_line(name, EndpointUsage(D(100), D(99)), baseline, 1000) for name in ("chat", "rag")
    ]
    return Report(
        period=ReportPeriod(date(2025, 10, 1), date(2025, 11, 1), kind),
        currency="USD",
        cost_metric="UnblendedCost",
        cost_filter="SERVICE = Amazon SageMaker",
        endpoints=lines,
        untagged_cost=D(0),
        totals=savings.totals(lines),
        warnings=[],
        errors=[],
    )


@pytest.fixture
def metrics() -> Iterator[Metrics]:
    totals = Metrics(namespace="infersave", service="cost-reporter")
    yield totals
    totals.clear_metrics()


def _emf(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line]


@pytest.mark.parametrize(
    ("kind", "per_endpoint"),
    [("month_to_date", ["chat", "rag"]), ("previous_month", ["chat", "rag"]), ("custom", [])],
)
def test_per_endpoint_metrics_only_for_scheduled_reports(
    metrics: Metrics, capsys: pytest.CaptureFixture[str], kind: str, per_endpoint: list[str]
) -> None:
    emit_report_metrics(metrics, _report(kind), "infersave", "cost-reporter")
    metrics.flush_metrics()

    emf = _emf(capsys.readouterr().out)
    assert sorted(m["EndpointName"] for m in emf if "EndpointName" in m) == per_endpoint
    (totals,) = [m for m in emf if "EndpointName" not in m]
    assert totals["ReportType"] == kind
    assert totals["ActualCost"] == [pytest.approx(198.0)]
    assert totals["EndpointsReported"] == [2.0]


def test_only_the_top_endpoints_by_actual_cost_get_their_own_metrics(
    metrics: Metrics, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = Baseline("ml.g5.2xlarge", D(1), PriceQuote(D("1.515"), "test"))
    costs = {"a": 5, "b": 50, "c": 20, "d": 50}
    lines = [savings.endpoint_line(n, EndpointUsage(D(10), D(c)), baseline, 10) for n, c in costs.items()]
    report = replace(_report("month_to_date"), endpoints=lines, totals=savings.totals(lines))

    emit_report_metrics(metrics, report, "infersave", "cost-reporter", top_endpoints=2)
    metrics.flush_metrics()

    emf = _emf(capsys.readouterr().out)
    # Ties by name: b before d; c (20) and a (5) are in the totals only.
    assert [m["EndpointName"] for m in emf if "EndpointName" in m] == ["b", "d"]
    (totals,) = [m for m in emf if "EndpointName" not in m]
    assert totals["EndpointsReported"] == [4.0]
    assert totals["EndpointsWithMetrics"] == [2.0]
    assert totals["ActualCost"] == [pytest.approx(125.0)]


def test_no_endpoint_metrics_with_top_zero(metrics: Metrics, capsys: pytest.CaptureFixture[str]) -> None:
    emit_report_metrics(metrics, _report("previous_month"), "infersave", "cost-reporter", top_endpoints=0)
    metrics.flush_metrics()

    emf = _emf(capsys.readouterr().out)
    assert not [m for m in emf if "EndpointName" in m]
