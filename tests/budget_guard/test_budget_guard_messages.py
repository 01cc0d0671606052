"""The message classifier against a table of messages the alerts topic carries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lambdas.budget_guard.messages import (
    Claim,
    Ignored,
    IgnoreReason,
    classify,
    parse_budget_notification,
)
from tests.budget_guard.samples import ACCOUNT_ID, ALARM_MESSAGE, ANOMALY_MESSAGE, BUDGET_NAME, budget_message

RECEIVED_AT = datetime(2025, 7, 1, 0, 5, tzinfo=UTC)
NOW = datetime(2025, 6, 14, 10, 0, tzinfo=UTC)


def _classify(message: str, threshold: str = "100", now: datetime = NOW) -> Claim | Ignored:
    return classify(
        message,
        budget_name=BUDGET_NAME,
        account_id=ACCOUNT_ID,
        breach_threshold_percent=Decimal(threshold),
        received_at=RECEIVED_AT,
        now=now,
    )


@pytest.mark.parametrize(
    ("message", "threshold", "expected"),
    [
        (budget_message(), "100", None),
        (budget_message(amount="$1,000.00"), "100", None),
        (budget_message(threshold="> $800.00", amount="$812.00"), "80", None),
        (budget_message(amount="$1,012.34 USD"), "100", None),
        (budget_message(threshold="> 100.0%"), "100", None),
        (budget_message(threshold="> $800.00", amount="$812.00"), "100", IgnoreReason.BELOW_THRESHOLD),
        (budget_message(threshold="> $500.00", amount="$512.00"), "100", IgnoreReason.BELOW_THRESHOLD),
        (budget_message(alert_type="FORECASTED", amount="$1,250.00"), "100", IgnoreReason.NOT_ACTUAL),
        (budget_message(budget_name="other-project-monthly"), "100", IgnoreReason.OTHER_BUDGET),
        (budget_message(budget_name=BUDGET_NAME.upper()), "100", IgnoreReason.OTHER_BUDGET),
        (budget_message(budget_type="Usage"), "100", IgnoreReason.NOT_COST),
        (budget_message(budgeted="lots"), "100", IgnoreReason.MALFORMED),
        (budget_message().replace("Alert Type: ACTUAL\n", ""), "100", IgnoreReason.MALFORMED),
        (budget_message().replace("ACTUAL Amount: $1,012.34\n", ""), "100", IgnoreReason.MALFORMED),
        (ANOMALY_MESSAGE, "100", IgnoreReason.ANOMALY),
        (ALARM_MESSAGE, "100", IgnoreReason.ALARM),
        ('{"source": "infersave.budget-guard", "action": "guard"}', "100", IgnoreReason.OWN_SUMMARY),
        ('{"hello": "world"}', "100", IgnoreReason.OTHER_JSON),
        ("[1, 2]", "100", IgnoreReason.NOT_BUDGET),
        ("{not json", "100", IgnoreReason.NOT_BUDGET),
        ("Hello from a human on the topic", "100", IgnoreReason.NOT_BUDGET),
        ("", "100", IgnoreReason.NOT_BUDGET),
    ],
)
def test_classify(message: str, threshold: str, expected: IgnoreReason | None) -> None:
    decision = _classify(message, threshold)
    if expected is None:
        assert isinstance(decision, Claim), decision
    else:
        assert isinstance(decision, Ignored)
        assert decision.reason is expected
        assert decision.detail


def test_parse_reads_every_field_and_dates_the_period_from_the_message() -> None:
    parsed = parse_budget_notification(budget_message(), received_at=RECEIVED_AT)

    assert parsed.budget_name == BUDGET_NAME
    assert parsed.budget_type == "Cost"
    assert parsed.alert_type == "ACTUAL"
    assert parsed.budgeted_amount_usd == Decimal("1000.00")
    assert parsed.actual_amount_usd == Decimal("1012.34")
    assert parsed.alert_threshold == "> $1,000.00"
    assert parsed.notified_on == date(2025, 6, 14)
    assert parsed.period == "2025-06"
    assert parsed.spent_percent == Decimal("101.234")


def test_period_falls_back_to_the_sns_timestamp_without_a_date_line() -> None:
    message = budget_message().replace("AWS Budget Notification June 14, 2025\n", "")

    assert parse_budget_notification(message, received_at=RECEIVED_AT).period == "2025-07"


def test_windows_line_endings_parse() -> None:
    assert isinstance(_classify(budget_message().replace("\n", "\r\n")), Claim)
