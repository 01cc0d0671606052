"""The savings formula of issue 4, in Decimal, unrounded. Pure: data in, data out.

Per endpoint over the period (currency of the bill, hours of instance time):

- ``instance_hours`` = UsageQuantity of its ``Host:ml.`` usage types; ``instance_cost`` their cost;
  ``other_cost`` the cost of its other usage types (storage, data processing...).
- ``actual_cost = instance_cost + other_cost``
- ``baseline_cost = instance_hours x capacity_ratio x baseline_hourly_price + other_cost``
- ``savings = baseline_cost - actual_cost``; ``savings_pct = 100 x savings / baseline_cost`` (None if 0)
- ``cost_per_1k_invocations = 1000 x actual_cost / invocations`` (None without invocations), and the same
  for the baseline cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from lambdas.cost_reporter.models import Baseline, EndpointLine, EndpointUsage, Totals

_HUNDRED = Decimal(100)
_THOUSAND = Decimal(1000)


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """``100 x part / whole``, or None when ``whole`` is zero."""
    if whole == 0:
        return None
    return _HUNDRED * part / whole


def per_thousand(cost: Decimal | None, invocations: int | None) -> Decimal | None:
    """Cost of 1,000 invocations, or None without a cost or without invocations."""
    if cost is None or not invocations:
        return None
    return _THOUSAND * cost / Decimal(invocations)


def dominant_instance_type(usage: EndpointUsage) -> str | None:
    """The instance type that ran the most hours (ties: alphabetical), None without hosting usage."""
    if not usage.hours_by_instance_type:
        return None
    return max(sorted(usage.hours_by_instance_type.items()), key=lambda item: item[1])[0]


def savings_blockers(usage: EndpointUsage, baseline: Baseline) -> list[str]:
    """Why this endpoint's savings cannot be stated (empty when they can): its bill has rows that are corrupt,
    negative or in another currency, instance cost without instance hours, or its capacity ratio is out of
    bounds. The price being unknown is reported separately (an error, not a data problem)."""
    blockers = list(usage.problems)
    if usage.instance_cost > 0 and usage.instance_hours <= 0:
        blockers.append(f"instance cost {usage.instance_cost} with {usage.instance_hours} instance-hours")
    if baseline.problem:
        blockers.append(baseline.problem)
    return blockers


def endpoint_line(
    endpoint_name: str, usage: EndpointUsage, baseline: Baseline, invocations: int | None
) -> EndpointLine:
    """Apply the formula to one endpoint. Baseline figures are None when the baseline price is unknown or
    :func:`savings_blockers` names a reason."""
    actual_cost = usage.instance_cost + usage.other_cost
    baseline_cost: Decimal | None = None
    savings: Decimal | None = None
    savings_pct: Decimal | None = None
    if baseline.price is not None and not savings_blockers(usage, baseline):
        baseline_cost = (
            usage.instance_hours * baseline.capacity_ratio * baseline.price.hourly_price + usage.other_cost
        )
        savings = baseline_cost - actual_cost
        savings_pct = percent_of(savings, baseline_cost)
    return EndpointLine(
        endpoint_name=endpoint_name,
        instance_type=dominant_instance_type(usage),
        instance_hours=usage.instance_hours,
        actual_cost=actual_cost,
        other_cost=usage.other_cost,
        baseline_instance_type=baseline.instance_type,
        capacity_ratio=baseline.capacity_ratio,
        baseline_hourly_price=None if baseline.price is None else baseline.price.hourly_price,
        price_source=None if baseline.price is None else baseline.price.source,
        baseline_cost=baseline_cost,
        savings=savings,
        savings_pct=savings_pct,
        invocations=invocations,
        cost_per_1k_invocations=per_thousand(actual_cost, invocations),
        baseline_cost_per_1k_invocations=per_thousand(baseline_cost, invocations),
        account_id=next(iter(usage.account_ids)) if len(usage.account_ids) == 1 else None,
    )


def totals(lines: Iterable[EndpointLine]) -> Totals:
    """Sum the endpoints. Baseline cost and savings sum only the endpoints whose baseline is known."""
    actual = baseline = savings = hours = Decimal(0)
    invocations = 0
    for line in lines:
        actual += line.actual_cost
        hours += line.instance_hours
        invocations += line.invocations or 0
        if line.baseline_cost is not None and line.savings is not None:
            baseline += line.baseline_cost
            savings += line.savings
    return Totals(
        actual_cost=actual,
        baseline_cost=baseline,
        savings=savings,
        savings_pct=percent_of(savings, baseline),
        instance_hours=hours,
        invocations=invocations,
    )
