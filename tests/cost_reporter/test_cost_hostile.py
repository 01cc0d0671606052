"""Hostile and faulty inputs of the cost reporter: every class keeps the report, and its money right or
warned about (issue 9). Each test failed on the reporter before that issue."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cost_helpers import (
    BUCKET,
    OCT_5,
    REGION,
    ce_group,
    ce_page,
    create_endpoint,
    full_tags,
    price_list_item,
    put_invocations,
    queue_cost_results,
)

from lambdas.cost_reporter.dal import outputs, pricing
from lambdas.cost_reporter.dal.clients import Clients
from lambdas.cost_reporter.dal.pricing import PriceBook
from lambdas.cost_reporter.logic import render, service
from lambdas.cost_reporter.models import Report, ReportPeriod
from lambdas.cost_reporter.settings import Settings

OCTOBER = ReportPeriod(date(2025, 10, 1), date(2025, 11, 1), "custom")
HOSTING = "USE1-Host:ml.inf2.xlarge"


def non_usage_page(amounts: dict[str, str], unit: str = "USD") -> dict[str, Any]:
    """An answer of the non-usage query (GroupBy RECORD_TYPE)."""
    groups = [
        {"Keys": [kind], "Metrics": {"UnblendedCost": {"Amount": a, "Unit": unit}}}
        for kind, a in amounts.items()
    ]
    return ce_page(groups)


def run(clients: Clients, settings: Settings, prices: PriceBook, *pages: dict[str, Any]) -> Report:
    queue_cost_results(*pages)
    report = service.run_report(clients, settings, OCTOBER, prices)
    for text in service.render_files(report).values():  # rendering never raises either
        assert text
    return report


def chat(report: Report) -> Any:
    return next(line for line in report.endpoints if line.endpoint_name == "chat")


def warned(report: Report, name: str, fragment: str) -> bool:
    return any(i.endpoint_name == name and fragment in i.message for i in report.warnings + report.errors)


@pytest.fixture
def two_endpoints(aws: None) -> None:
    create_endpoint("chat", full_tags("chat"))
    create_endpoint("rag", full_tags("rag"))
    put_invocations("chat", 1000, OCT_5)
    put_invocations("rag", 1000, OCT_5)


def clean_rag() -> dict[str, Any]:
    return ce_group("rag", HOSTING, "99.00", "100")


# --- charge types -------------------------------------------------------------------------------------------


def test_a_credit_is_reported_beside_the_savings_not_inside_them(
    two_endpoints: None, clients: Clients, settings: Settings, catalog_prices: PriceBook
) -> None:
    # 100 h of ml.inf2.xlarge at 0.99 against g5.2xlarge at 1.515: savings 52.50 = 34.65 %, credit or not
    report = run(
        clients,
        settings,
        catalog_prices,
        ce_page([ce_group("chat", HOSTING, "99.00", "100"), clean_rag()]),
        non_usage_page({"Credit": "-1000.00", "Tax": "19.80"}),
    )

    assert chat(report).savings == Decimal("52.50")
    assert chat(report).savings_pct is not None and round(chat(report).savings_pct, 2) == Decimal("34.65")
    assert report.non_usage_cost == {"Credit": Decimal("-1000.00"), "Tax": Decimal("19.80")}
    assert report.totals.actual_cost == Decimal("198.00")
    assert any("non_usage_cost" in w.message for w in report.warnings)
    document = render.report_document(report)
    assert (document["non_usage_cost"], document["non_usage_total"]) == (
        {"Credit": -1000.0, "Tax": 19.8},
        -980.2,
    )


# --- currency ------------------------------------------------------------------------------------------------


def test_a_line_billed_in_another_currency_is_never_summed_with_usd(
    two_endpoints: None, clients: Clients, settings: Settings, catalog_prices: PriceBook
) -> None:
    eur = ce_group("chat", "USE1-Host:VolumeUsage.gp2", "3.00", "30")
    eur["Metrics"]["UnblendedCost"]["Unit"] = "EUR"

    report = run(
        clients,
        settings,
        catalog_prices,
        ce_page([ce_group("chat", HOSTING, "99.00", "100"), eur, clean_rag()]),
    )

    assert chat(report).actual_cost == Decimal("99.00")  # the EUR 3.00 is not in it
    assert chat(report).savings is None
    assert warned(report, "chat", "not USD")
    assert any("EUR" in e.message and "no exchange rate" in e.message for e in report.errors)
    assert report.currency == "USD"
    assert next(line for line in report.endpoints if line.endpoint_name == "rag").savings is not None


# --- bounds --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ratio", ["1e-30", "0", "-1", "1000", "NaN", "Infinity", "1\u00b2", "\u0661", "", "x" * 5000]
)
def test_a_capacity_ratio_tag_out_of_bounds_leaves_that_endpoint_out_of_the_savings(
    aws: None, clients: Clients, settings: Settings, catalog_prices: PriceBook, ratio: str
) -> None:
    create_endpoint("chat", full_tags("chat", ratio=ratio[:256]))
    create_endpoint("rag", full_tags("rag"))

    report = run(
        clients, settings, catalog_prices, ce_page([ce_group("chat", HOSTING, "99.00", "100"), clean_rag()])
    )

    assert chat(report).savings is None and chat(report).baseline_cost is None
    assert warned(report, "chat", "savings left out")
    assert report.totals.savings == Decimal("52.50")  # rag alone


@pytest.mark.parametrize(
    ("cost", "hours", "why"),
    [
        ("1e30", "100", "could not be read"),
        ("99.00", "1e30", "could not be read"),
        ("99.00", "0", "0 instance-hours"),
        ("-1000.00", "100", "negative"),
        ("99.00", "-5", "negative"),
    ],
)
def test_absurd_or_negative_figures_leave_that_endpoint_out_of_the_savings(
    *,
    two_endpoints: None,
    clients: Clients,
    settings: Settings,
    catalog_prices: PriceBook,
    cost: str,
    hours: str,
    why: str,
) -> None:
    report = run(
        clients, settings, catalog_prices, ce_page([ce_group("chat", HOSTING, cost, hours), clean_rag()])
    )

    assert chat(report).savings is None
    assert warned(report, "chat", why)
    assert report.totals.savings == Decimal("52.50")
    json.loads(render.render_json(report))


def test_an_absurd_price_list_price_is_skipped_like_a_malformed_item() -> None:
    assert pricing.hourly_prices([price_list_item("ml.g5.2xlarge", "1e30")]) == set()
    assert pricing.hourly_prices([price_list_item("ml.g5.2xlarge", "1.515")]) == {Decimal("1.515")}


# --- partial reports and publishing as one set ----------------------------------------------------------------


def test_cloudwatch_failure_makes_the_report_partial(
    two_endpoints: None,
    clients: Clients,
    settings: Settings,
    catalog_prices: PriceBook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def denied(**_kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListMetrics")

    monkeypatch.setattr(clients.cloudwatch, "list_metrics", denied)

    report = run(
        clients, settings, catalog_prices, ce_page([ce_group("chat", HOSTING, "99.00", "100"), clean_rag()])
    )

    assert report.partial
    assert render.report_document(report)["status"] == "partial"
    assert "PARTIAL REPORT" in render.render_markdown(report)
    assert render.sns_summary(report, "s3://x")[0].startswith("PARTIAL ")


def test_the_manifest_names_the_version_and_digest_of_each_file_of_the_run(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    first = {"report.json": "{}", "report.csv": "a", "report.md": "# a"}
    second = {"report.json": '{"b": 1}', "report.csv": "b", "report.md": "# b"}

    outputs.write_report(s3, BUCKET, OCTOBER.key, first)
    keys = outputs.write_report(s3, BUCKET, OCTOBER.key, second, status="partial")

    assert keys[-1] == f"reports/{OCTOBER.key}/manifest.json"  # written last
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=keys[-1])["Body"].read())
    assert manifest["status"] == "partial"
    for name, entry in manifest["files"].items():
        body = s3.get_object(Bucket=BUCKET, Key=entry["key"], VersionId=entry["version_id"])["Body"].read()
        assert body.decode() == second[name]
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
