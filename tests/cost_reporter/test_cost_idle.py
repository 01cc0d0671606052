"""Idle cost and cold starts (pure logic), cold starts read from CloudWatch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import boto3
import pytest

from lambdas.cost_reporter.dal import cold_starts as dal
from lambdas.cost_reporter.logic.idle import ColdStarts, HourUsage, cold_starts, idle
from lambdas.cost_reporter.models import ReportPeriod


def test_idle_hours_are_paid_hours_without_traffic_and_zero_is_not_idle() -> None:
    hours = [
        HourUsage(Decimal(2), 120),
        HourUsage(Decimal(2), 0),  # idle: paid, nothing served
        HourUsage(Decimal("0.5"), 0),  # scaled to zero half-way: half an idle instance-hour
        HourUsage(Decimal(0), 0),  # at zero: free, not idle
    ]
    result = idle(hours, Decimal("0.99"))
    assert result.instance_hours == Decimal("4.5")
    assert result.idle_instance_hours == Decimal("2.5")
    assert result.idle_cost == Decimal("2.475")
    assert result.idle_share == Decimal("2.5") / Decimal("4.5")
    assert result.hours_at_zero == 1
    assert idle([HourUsage(Decimal(0), 0)], Decimal(1)).idle_share is None


def test_a_cold_start_is_a_run_of_refusing_minutes() -> None:
    result = cold_starts([0, 3, 2, 0, 0, 1, 0, 5])
    assert (result.count, result.refused_requests, result.periods_refusing) == (3, 11, 4)
    with pytest.raises(ValueError, match="negative"):
        cold_starts([1, -1])


def test_cold_starts_are_read_at_five_minutes_and_summed_per_endpoint(aws: None) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    start = datetime(2025, 10, 1, tzinfo=UTC)
    refused = {  # (component, minute of the month): requests refused
        ("p-dev", 61): 3,
        ("p-dev", 62): 2,  # same 5-minute period: one cold start
        ("p-dev", 600): 1,
        ("p-dev-small", 900): 4,
        ("other-x", 10): 9,  # another project's component
    }
    cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "NoCapacityInvocationFailures",
                "Dimensions": [{"Name": "InferenceComponentName", "Value": component}],
                "Timestamp": start + timedelta(minutes=minute),
                "Value": value,
            }
            for (component, minute), value in refused.items()
        ],
    )
    components = dal.list_components(cloudwatch)
    assert components == ["other-x", "p-dev", "p-dev-small"]
    period = ReportPeriod(date(2025, 10, 1), date(2025, 11, 1), "previous_month")
    per_component = dal.read_cold_starts(cloudwatch, components, period)
    assert per_component["p-dev"] == ColdStarts(count=2, refused_requests=6, periods_refusing=2)
    assert dal.by_endpoint(per_component, ["p-dev", "p-chat"]) == {
        "p-dev": ColdStarts(count=3, refused_requests=10, periods_refusing=3)
    }
