"""Is this project's budget breached NOW, according to AWS? The only ground the switch lowers anything on.

Input is the ``Budget`` object of Budgets ``DescribeBudget``, read with the function's own account id
(never one taken from a message). The budget must be this project's: the expected name
(``infersave-<project>``, :func:`stacks.cost_budget.budget_name`), a COST budget, MONTHLY, filtered on the
project's cost allocation tag (``CostFilters.TagKeyValue`` holds ``user:infersave:project$<project>``, as
the guardrails stack writes it). Its actual spend must be at or above the threshold.

The period comes from AWS's definition of the budget, not from a message: ``TimePeriod`` is the budget's
whole life (Start defaults to the first day of the month it was created in, End to 2087-06-15), and
``CalculatedSpend.ActualSpend`` is the spend of the current period of ``TimeUnit`` ("if it's the 20th of
the month and you have spent 50 dollars ... your actualSpend is 50 USD"). So the current period is the UTC
calendar month of ``now``, provided ``now`` lies inside ``TimePeriod``.
https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_TimePeriod.html
https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_CalculatedSpend.html

Pure: a mapping in, a decision out. Amounts are the budget's unit (USD for infersave's budget).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from lambdas.budget_guard.messages import parse_amount, period_of
from lambdas.common import tags


@dataclass(frozen=True)
class Confirmed:
    """AWS reports the budget breached for ``period`` (YYYY-MM): act on it."""

    period: str
    actual: Decimal
    limit: Decimal
    unit: str

    @property
    def spent_percent(self) -> Decimal:
        """Actual spend as a percentage of the limit."""
        return self.actual * 100 / self.limit

    def describe(self) -> str:
        """One line for logs and summaries."""
        return (
            f"AWS Budgets reports {self.actual} {self.unit} spent of {self.limit} {self.unit} "
            f"({self.spent_percent:.1f}%) in {self.period}"
        )


@dataclass(frozen=True)
class NotConfirmed:
    """AWS does not confirm a breach (or the budget is not this project's): change nothing."""

    reason: str


def confirm_breach(
    budget: Mapping[str, Any],
    *,
    budget_name: str,
    project: str,
    threshold_percent: Decimal,
    now: datetime,
) -> Confirmed | NotConfirmed:
    """Decide from DescribeBudget's ``Budget`` whether ``budget_name`` is breached in the period of ``now``."""
    problem = _not_ours(budget, budget_name=budget_name, project=project)
    if problem:
        return NotConfirmed(problem)
    period = budget.get("TimePeriod") or {}
    start, end = period.get("Start"), period.get("End")
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return NotConfirmed(f"budget {budget_name} has no TimePeriod Start/End")
    if not start <= now < end:
        return NotConfirmed(
            f"budget {budget_name} covers {start:%Y-%m-%d} to {end:%Y-%m-%d}, not now ({now:%Y-%m-%d})"
        )
    limit = _spend(budget.get("BudgetLimit"))
    actual = _spend((budget.get("CalculatedSpend") or {}).get("ActualSpend"))
    if limit is None or limit[0] <= 0:
        return NotConfirmed(
            f"budget {budget_name} has no usable BudgetLimit: {budget.get('BudgetLimit')!r}"[:300]
        )
    if actual is None:
        return NotConfirmed(f"budget {budget_name} has no usable CalculatedSpend.ActualSpend")
    if actual[1] != limit[1]:
        return NotConfirmed(f"budget {budget_name}: actual spend in {actual[1]}, limit in {limit[1]}")
    confirmed = Confirmed(period=period_of(now), actual=actual[0], limit=limit[0], unit=limit[1])
    if confirmed.spent_percent < threshold_percent:
        return NotConfirmed(f"{confirmed.describe()}: below the breach threshold {threshold_percent}%")
    return confirmed


def _not_ours(budget: Mapping[str, Any], *, budget_name: str, project: str) -> str | None:
    if budget.get("BudgetName") != budget_name:
        return f"DescribeBudget returned budget {str(budget.get('BudgetName'))[:100]!r}, not {budget_name!r}"
    if budget.get("BudgetType") != "COST" or budget.get("TimeUnit") != "MONTHLY":
        return (
            f"budget {budget_name} is {budget.get('BudgetType')} {budget.get('TimeUnit')}, "
            "not the COST MONTHLY budget infersave creates"
        )
    wanted = f"user:{tags.PROJECT}${project}"
    filters = (budget.get("CostFilters") or {}).get("TagKeyValue") or []
    if wanted not in filters:
        return f"budget {budget_name} is not filtered on {wanted} (TagKeyValue {filters!r})"[:300]
    return None


def _spend(spend: Any) -> tuple[Decimal, str] | None:
    """A ``Spend`` ({Amount: "12.3", Unit: "USD"}) as (amount, unit); None if absent or unreadable."""
    if not isinstance(spend, Mapping):
        return None
    amount, unit = spend.get("Amount"), spend.get("Unit")
    value = parse_amount(amount) if isinstance(amount, str) else None
    if value is None or not isinstance(unit, str) or not unit:
        return None
    return value, unit
