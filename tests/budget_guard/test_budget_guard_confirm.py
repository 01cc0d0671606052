"""What AWS Budgets says decides: DescribeBudget answers that confirm a breach, and every way they do not."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from lambdas.budget_guard.confirm import Confirmed, NotConfirmed, confirm_breach

NOW = datetime(2025, 6, 14, 10, 0, tzinfo=UTC)


def _budget(**changes: Any) -> dict[str, Any]:
    """DescribeBudget's Budget for infersave-demo as boto3 returns it (TimePeriod as datetimes)."""
    budget: dict[str, Any] = {
        "BudgetName": "infersave-demo",
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": "1000.0", "Unit": "USD"},
        "CostFilters": {"TagKeyValue": ["user:infersave:project$demo"], "Service": ["Amazon SageMaker"]},
        "TimePeriod": {
            "Start": datetime(2025, 1, 1, tzinfo=UTC),
            "End": datetime(2087, 6, 15, tzinfo=UTC),
        },
        "CalculatedSpend": {
            "ActualSpend": {"Amount": "1012.34", "Unit": "USD"},
            "ForecastedSpend": {"Amount": "1500", "Unit": "USD"},
        },
    }
    budget.update(changes)
    return budget


def _confirm(budget: dict[str, Any], now: datetime = NOW, threshold: str = "100") -> Confirmed | NotConfirmed:
    return confirm_breach(
        budget, budget_name="infersave-demo", project="demo", threshold_percent=Decimal(threshold), now=now
    )


def _spent(amount: str, unit: str = "USD") -> dict[str, Any]:
    return {"ActualSpend": {"Amount": amount, "Unit": unit}}


def test_a_breach_aws_reports_is_confirmed_for_the_month_of_now() -> None:
    decision = _confirm(_budget())

    assert decision == Confirmed(
        period="2025-06", actual=Decimal("1012.34"), limit=Decimal("1000.0"), unit="USD"
    )
    assert decision.describe() == "AWS Budgets reports 1012.34 USD spent of 1000.0 USD (101.2%) in 2025-06"


def test_exactly_at_the_threshold_is_a_breach() -> None:
    assert isinstance(_confirm(_budget(CalculatedSpend=_spent("800")), threshold="80"), Confirmed)


def test_the_period_is_the_month_of_now_not_of_any_message() -> None:
    decision = _confirm(_budget(), now=datetime(2025, 7, 1, 0, 0, 1, tzinfo=UTC))

    assert isinstance(decision, Confirmed)
    assert decision.period == "2025-07"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"CalculatedSpend": _spent("999.99")}, "below the breach threshold 100%"),
        ({"CalculatedSpend": _spent("0")}, "below the breach threshold"),
        ({"BudgetName": "infersave-other"}, "not 'infersave-demo'"),
        ({"BudgetType": "USAGE"}, "not the COST MONTHLY budget"),
        ({"TimeUnit": "ANNUALLY"}, "not the COST MONTHLY budget"),
        ({"CostFilters": {"TagKeyValue": ["user:infersave:project$other"]}}, "not filtered on"),
        ({"CostFilters": {}}, "not filtered on"),
        (
            {
                "TimePeriod": {
                    "Start": datetime(2025, 7, 1, tzinfo=UTC),
                    "End": datetime(2087, 6, 15, tzinfo=UTC),
                }
            },
            "not now",
        ),
        (
            {
                "TimePeriod": {
                    "Start": datetime(2024, 1, 1, tzinfo=UTC),
                    "End": datetime(2025, 6, 1, tzinfo=UTC),
                }
            },
            "not now",
        ),
        ({"TimePeriod": {}}, "no TimePeriod"),
        ({"BudgetLimit": {"Amount": "0", "Unit": "USD"}}, "no usable BudgetLimit"),
        ({"BudgetLimit": {"Amount": "1e30", "Unit": "USD"}}, "no usable BudgetLimit"),
        ({"BudgetLimit": {"Amount": "NaN", "Unit": "USD"}}, "no usable BudgetLimit"),
        ({"BudgetLimit": None}, "no usable BudgetLimit"),
        ({"CalculatedSpend": _spent("1e999999")}, "no usable CalculatedSpend"),
        ({"CalculatedSpend": _spent("Infinity")}, "no usable CalculatedSpend"),
        ({"CalculatedSpend": _spent("-5000")}, "no usable CalculatedSpend"),
        ({"CalculatedSpend": _spent("5000", unit="")}, "no usable CalculatedSpend"),
        ({"CalculatedSpend": {}}, "no usable CalculatedSpend"),
        ({"CalculatedSpend": None}, "no usable CalculatedSpend"),
        ({"CalculatedSpend": _spent("5000", unit="EUR")}, "actual spend in EUR, limit in USD"),
    ],
    ids=[
        "below-threshold",
        "nothing-spent",
        "other-name",
        "usage-budget",
        "annual-budget",
        "other-project-filter",
        "no-filter",
        "starts-next-month",
        "ended-last-month",
        "no-time-period",
        "zero-limit",
        "limit-exponent",
        "limit-nan",
        "limit-missing",
        "spend-overflow",
        "spend-infinity",
        "spend-negative",
        "spend-no-unit",
        "spend-missing",
        "spend-null",
        "spend-other-currency",
    ],
)
def test_no_breach_is_confirmed_unless_aws_reports_one_for_this_project(
    changes: dict[str, Any], reason: str
) -> None:
    decision = _confirm(_budget(**changes))

    assert isinstance(decision, NotConfirmed), decision
    assert reason in decision.reason
