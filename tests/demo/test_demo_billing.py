"""The scenario's bill as Cost Explorer answers the reporter's query, checked with the reporter's own parser."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from demo.billing import (
    STORAGE_PRICE_USD_PER_GB_MONTH,
    UnsupportedQueryError,
    cost_and_usage_pages,
    expected_costs,
)
from demo.scenario import DayUsage, EndpointScenario, Scenario
from demo.simulator import ScalingSettings, SimulationResult
from lambdas.cost_reporter.dal.cost_explorer import build_request, parse_pages
from lambdas.cost_reporter.models import ReportPeriod

PERIOD = ReportPeriod(start=date(2026, 10, 1), end_exclusive=date(2026, 11, 1), kind="previous_month")


def endpoint(name: str, instance_type: str, volume_gb: int, minutes_per_day: list[int]) -> EndpointScenario:
    days = [DayUsage(date(2026, 10, i + 1), m, 1000 * (i + 1)) for i, m in enumerate(minutes_per_day)]
    return EndpointScenario(
        endpoint_name=name,
        variant_name="AllTraffic",
        instance_type=instance_type,
        volume_size_gb=volume_gb,
        latency_s=5.0,
        peak_concurrency=1.0,
        settings=ScalingSettings(initial_capacity=1, min_capacity=1, max_capacity=2, target=3.0),
        hours=[],
        days=days,
        simulation=SimulationResult(instances=[]),
    )


@pytest.fixture
def scenario() -> Scenario:
    return Scenario(
        project="demo",
        region="us-east-1",
        start=PERIOD.start,
        end_exclusive=PERIOD.end_exclusive,
        endpoints=[
            # 2 instances all day on Oct 1, 1 instance for 12 h on Oct 2, nothing after.
            endpoint("demo-a", "ml.inf2.xlarge", 100, [2880, 720]),
            endpoint("demo-b", "ml.inf2.24xlarge", 427, [1440] * 31),
        ],
    )


def test_hand_computed_bill(scenario: Scenario) -> None:
    expected = expected_costs(scenario)["demo-a"]
    # 48 h + 12 h = 60 instance-hours x USD 0.99 (catalog ml.inf2.xlarge) = USD 59.40.
    assert expected.instance_hours == Decimal(60)
    assert expected.instance_cost_usd == Decimal("59.40")
    # Storage: 100 GB x 60 h / (24 h x 31 days) = 8.0645... GB-month x USD 0.14 = USD 1.129...
    assert expected.other_cost_usd == Decimal(100) * 60 / 744 * STORAGE_PRICE_USD_PER_GB_MONTH
    assert round(expected.other_cost_usd, 4) == Decimal("1.1290")


def test_the_reporters_daily_query_gets_a_bucket_per_utc_day(scenario: Scenario) -> None:
    request = build_request(PERIOD, "UnblendedCost")
    (page,) = cost_and_usage_pages(request, scenario)

    assert request["Granularity"] == "DAILY"
    assert [r["TimePeriod"]["Start"] for r in page["ResultsByTime"]] == [
        f"2026-10-{n:02d}" for n in range(1, 32)
    ]
    oct_2 = {tuple(g["Keys"]): g["Metrics"] for g in page["ResultsByTime"][1]["Groups"]}
    # demo-a ran 1 instance for 12 h on 2 October: 12 h x USD 0.99 = 11.88
    assert oct_2[("infersave:endpoint$demo-a", "USE1-Host:ml.inf2.xlarge")]["UnblendedCost"]["Amount"] == (
        "11.8800000000"
    )


def test_monthly_answer_has_the_shape_of_cost_explorer(scenario: Scenario) -> None:
    request = {**build_request(PERIOD, "UnblendedCost"), "Granularity": "MONTHLY"}
    pages = cost_and_usage_pages(request, scenario)
    assert len(pages) == 1
    (page,) = pages
    assert "NextPageToken" not in page
    assert page["GroupDefinitions"] == [
        {"Type": "TAG", "Key": "infersave:endpoint"},
        {"Type": "DIMENSION", "Key": "USAGE_TYPE"},
    ]
    (result,) = page["ResultsByTime"]
    assert result["TimePeriod"] == {"Start": "2026-10-01", "End": "2026-11-01"}
    assert result["Total"] == {} and result["Estimated"] is False
    by_keys = {tuple(g["Keys"]): g["Metrics"] for g in result["Groups"]}
    assert set(by_keys) == {
        ("infersave:endpoint$demo-a", "USE1-Host:ml.inf2.xlarge"),
        ("infersave:endpoint$demo-a", "USE1-Host:VolumeUsage.gp2"),
        ("infersave:endpoint$demo-b", "USE1-Host:ml.inf2.24xlarge"),
        ("infersave:endpoint$demo-b", "USE1-Host:VolumeUsage.gp2"),
    }
    hosting = by_keys[("infersave:endpoint$demo-a", "USE1-Host:ml.inf2.xlarge")]
    assert hosting == {
        "UnblendedCost": {"Amount": "59.4000000000", "Unit": "USD"},
        "UsageQuantity": {"Amount": "60.0000000000", "Unit": "Hrs"},
    }
    assert (
        by_keys[("infersave:endpoint$demo-a", "USE1-Host:VolumeUsage.gp2")]["UsageQuantity"]["Unit"]
        == "GB-Mo"
    )


def test_daily_answer_sums_to_the_monthly_one(scenario: Scenario) -> None:
    monthly = cost_and_usage_pages(
        {**build_request(PERIOD, "UnblendedCost"), "Granularity": "MONTHLY"}, scenario
    )
    daily = cost_and_usage_pages({**build_request(PERIOD, "UnblendedCost"), "Granularity": "DAILY"}, scenario)
    results = daily[0]["ResultsByTime"]
    assert [r["TimePeriod"]["Start"] for r in results] == [f"2026-10-{d:02d}" for d in range(1, 32)]
    assert len(results[2]["Groups"]) == 2  # demo-a has no usage from Oct 3: only demo-b's two groups

    def total(pages: list[dict[str, object]]) -> Decimal:
        return sum(
            (
                Decimal(g["Metrics"]["UnblendedCost"]["Amount"])
                for p in pages
                for r in p["ResultsByTime"]  # type: ignore[attr-defined]
                for g in r["Groups"]
            ),
            Decimal(0),
        )

    assert abs(total(daily) - total(monthly)) < Decimal("0.000001")


def test_long_answers_are_paged_with_next_page_tokens(scenario: Scenario) -> None:
    monthly = {**build_request(PERIOD, "UnblendedCost"), "Granularity": "MONTHLY"}
    pages = cost_and_usage_pages(monthly, scenario, groups_per_page=3)
    assert len(pages) == 2
    assert pages[0]["NextPageToken"] and "NextPageToken" not in pages[1]
    assert [len(r["Groups"]) for p in pages for r in p["ResultsByTime"]] == [3, 1]


@pytest.mark.parametrize("groups_per_page", [None, 1])
def test_the_reporters_parser_reads_back_the_scenario(
    scenario: Scenario, groups_per_page: int | None
) -> None:
    request = build_request(PERIOD, "AmortizedCost")
    pages = cost_and_usage_pages(request, scenario, groups_per_page=groups_per_page)
    data, warnings, errors = parse_pages(pages, "AmortizedCost", request["GroupBy"])
    assert warnings == [] and errors == []
    assert data.pages == len(pages)
    for name, expected in expected_costs(scenario).items():
        usage = data.by_endpoint[name]
        assert usage.instance_hours == pytest.approx(expected.instance_hours, abs=Decimal("1E-8"))
        assert usage.instance_cost == pytest.approx(expected.instance_cost_usd, abs=Decimal("1E-8"))
        assert usage.other_cost == pytest.approx(expected.other_cost_usd, abs=Decimal("1E-8"))


def test_other_queries_are_refused(scenario: Scenario) -> None:
    request = dict(build_request(PERIOD, "UnblendedCost"))
    with pytest.raises(UnsupportedQueryError):
        cost_and_usage_pages({**request, "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}]}, scenario)
    with pytest.raises(UnsupportedQueryError):
        cost_and_usage_pages({**request, "Granularity": "HOURLY"}, scenario)
