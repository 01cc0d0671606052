"""Report windows and environment settings: what is accepted and the messages of what is not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lambdas.cost_reporter.logic.period import PeriodError, period_from_event
from lambdas.cost_reporter.settings import SettingsError, load_settings

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("event", "start", "end", "kind"),
    [
        ({"period": "month_to_date"}, date(2026, 3, 1), date(2026, 3, 15), "month_to_date"),
        ({"period": "previous_month"}, date(2026, 2, 1), date(2026, 3, 1), "previous_month"),
        ({"start": "2025-12-20", "end": "2026-01-10"}, date(2025, 12, 20), date(2026, 1, 10), "custom"),
    ],
)
def test_events_resolve_to_windows_with_exclusive_end(
    event: dict[str, str], start: date, end: date, kind: str
) -> None:
    period = period_from_event(event, TODAY)

    assert (period.start, period.end_exclusive, period.kind) == (start, end, kind)


def test_month_to_date_on_the_first_reports_the_month_that_ended() -> None:
    period = period_from_event({"period": "month_to_date"}, date(2026, 1, 1))

    assert (period.start, period.end_exclusive) == (date(2025, 12, 1), date(2026, 1, 1))
    assert period.key == "2025-12-01_2026-01-01"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, "event must be"),
        ({"period": "yesterday"}, "period must be"),
        ({"period": "month_to_date", "extra": 1}, "event must be"),
        ({"start": "2026-01-10", "end": "2026-01-10"}, "must be after start"),
        ({"start": "2026-01-10"}, "event must be"),
        ({"start": "10/01/2026", "end": "2026-02-01"}, "start='10/01/2026' is not a YYYY-MM-DD date"),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "is not a valid date"),
        ({"start": "2026-03-01", "end": "2026-04-01"}, "in the future"),
    ],
)
def test_other_events_are_rejected_with_a_clear_error(event: dict[str, object], message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        period_from_event(event, TODAY)


def test_defaults_of_the_command() -> None:
    settings = load_settings({}, require_outputs=False)

    assert settings.cost_metric == "UnblendedCost"
    assert settings.default_baseline_instance_type == "ml.g5.2xlarge"
    assert settings.default_capacity_ratio == Decimal("1.0")
    assert settings.pricing_region is None  # derived from the function's partition (billing_api_regions)
    assert settings.apply_tags and settings.activate_cost_allocation_tags


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "REPORTS_BUCKET"),
        ({"REPORTS_BUCKET": "b-reports"}, "SUMMARY_TOPIC_ARN"),
        ({"REPORTS_BUCKET": "Bad_Bucket", "SUMMARY_TOPIC_ARN": "x"}, "REPORTS_BUCKET"),
        ({"REPORTS_BUCKET": "b-reports", "SUMMARY_TOPIC_ARN": "topic"}, "SUMMARY_TOPIC_ARN"),
    ],
)
def test_lambda_requires_its_outputs(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(env, require_outputs=True)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"COST_METRIC": "BlendedCost"}, "COST_METRIC"),
        ({"DEFAULT_BASELINE_INSTANCE_TYPE": "g5.2xlarge"}, "DEFAULT_BASELINE_INSTANCE_TYPE"),
        ({"DEFAULT_BASELINE_CAPACITY_RATIO": "zero"}, "DEFAULT_BASELINE_CAPACITY_RATIO"),
        ({"DEFAULT_BASELINE_CAPACITY_RATIO": "-1"}, "DEFAULT_BASELINE_CAPACITY_RATIO"),
        ({"PRICING_REGION": "mars"}, "PRICING_REGION"),
        ({"APPLY_TAGS": "maybe"}, "APPLY_TAGS"),
        ({"METRICS_TOP_ENDPOINTS": "twenty"}, "METRICS_TOP_ENDPOINTS"),
        ({"METRICS_TOP_ENDPOINTS": "-1"}, "METRICS_TOP_ENDPOINTS"),
        ({"METRICS_TOP_ENDPOINTS": "1001"}, "METRICS_TOP_ENDPOINTS"),
    ],
)
def test_malformed_settings_name_their_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(env, require_outputs=False)


def test_amortized_cost_and_switches_are_read() -> None:
    settings = load_settings(
        {
            "REPORTS_BUCKET": "infersave-reports",
            "SUMMARY_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:summary",
            "COST_METRIC": "AmortizedCost",
            "APPLY_TAGS": "false",
            "DEFAULT_BASELINE_CAPACITY_RATIO": "2.5",
            "METRICS_TOP_ENDPOINTS": "0",
        },
        require_outputs=True,
    )

    assert settings.metrics_top_endpoints == 0
    assert load_settings({}, require_outputs=False).metrics_top_endpoints == 20

    assert settings.cost_metric == "AmortizedCost"
    assert not settings.apply_tags
    assert settings.default_capacity_ratio == Decimal("2.5")


def test_blank_switches_take_their_defaults() -> None:
    # The rule of both functions (lambdas.common.env): "" is the default, here true, never false.
    settings = load_settings({"APPLY_TAGS": "", "ACTIVATE_COST_ALLOCATION_TAGS": "  "}, require_outputs=False)

    assert settings.apply_tags and settings.activate_cost_allocation_tags
