"""The savings formula of issue 4, in Decimal, unrounded. Pure: data in, data out.

Per endpoint over the period (currency of the bill, hours of instance time):

- ``instance_hours`` = UsageQuantity of its ``Host:ml.`` usage types; ``instance_cost`` their cost;
  ``other_cost`` the cost of its other usage types (storage, data processing...).
- ``actual_cost = instance_cost + other_cost``
- ``baseline_cost = instance_hours x capacity_ratio x baseline_hourly_price + other_cost``
- ``savings = baseline_cost - actual_cost``; ``savings_pct = 100 x savings / baseline_cost`` (None if 0)
- ``cost_per_1k_invocations = 1000 x actual_cost / invocations`` (None without invocations), and the same
  for the baseline cost.

The formula is applied to each UTC day of the period (Cost Explorer's DAILY buckets, CloudWatch's daily
sums); the period's actual cost, baseline cost, instance-hours and invocations are the sums of the days, in
a context wide enough that no sum or product rounds (inputs are bounded: rows at 1e12, ratios at 100, prices
at 1e4), so "the month is the sum of its days" holds exactly.

Idle (:func:`with_idle`, the pure :func:`lambdas.cost_reporter.logic.idle.idle` applied to the bill): the bill
gives instance-hours per UTC day only. Where the capacity recorder's ``InstanceCount`` covers enough of the
billed days (``idle_source: recorded``), each hour gets the instances recorded in it, reconciled with the day's
bill (:mod:`lambdas.cost_reporter.logic.capacity`); otherwise (``spread``) each day's instance-hours are spread
evenly over its 24 hours, which overstates idle on a day that scaled (its instances ran in the busy hours, not
the quiet ones): an upper bound. An hour is idle when CloudWatch counted no invocation in it (``Invocations``
Sum, period 3600 s). Then ``idle_instance_hours`` = sum over idle hours of the hour's instances, ``idle_cost`` =
``idle_instance_hours x instance_cost / instance_hours``, ``idle_share = idle_cost / instance_cost``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Context, Decimal, localcontext

from lambdas.cost_reporter.logic import capacity
from lambdas.cost_reporter.logic.idle import HourUsage, idle
from lambdas.cost_reporter.models import (
    Baseline,
    CapacitySample,
    DayTotal,
    DayUsage,
    EndpointDay,
    EndpointLine,
    EndpointUsage,
    Totals,
)

_HUNDRED = Decimal(100)
_THOUSAND = Decimal(1000)
#: Wide enough for exact sums and products of the bounded inputs (see the module docstring).
_EXACT = Context(prec=120)


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


def _day(
    day: date, usage: DayUsage, baseline: Baseline, known: bool, invocations: Mapping[date, int] | None
) -> EndpointDay:
    baseline_cost = None
    if known and baseline.price is not None:
        baseline_cost = (
            usage.instance_hours * baseline.capacity_ratio * baseline.price.hourly_price + usage.other_cost
        )
    return EndpointDay(
        day=day,
        instance_hours=usage.instance_hours,
        actual_cost=usage.instance_cost + usage.other_cost,
        baseline_cost=baseline_cost,
        invocations=None if invocations is None else invocations.get(day, 0),
    )


def endpoint_line(
    endpoint_name: str,
    usage: EndpointUsage,
    baseline: Baseline,
    invocations: int | Mapping[date, int] | None,
) -> EndpointLine:
    """Apply the formula to each day of one endpoint, then sum the days. ``invocations`` per day (or one total,
    which then has no days). Baseline figures are None when the baseline price is unknown or
    :func:`savings_blockers` names a reason."""
    known = baseline.price is not None and not savings_blockers(usage, baseline)
    per_day = invocations if isinstance(invocations, Mapping) else None
    with localcontext(_EXACT):
        if usage.days or not (usage.instance_hours or usage.instance_cost or usage.other_cost):
            days = sorted(set(usage.days) | set(per_day or {}))
            daily = tuple(_day(d, usage.days.get(d, DayUsage()), baseline, known, per_day) for d in days)
            whole = DayUsage(
                instance_hours=sum((d.instance_hours for d in daily), Decimal(0)),
                instance_cost=sum((d.actual_cost for d in daily), Decimal(0)),
            )
        else:  # figures without days (built by hand, not by the parser): the period as one bucket
            daily = ()
            whole = DayUsage(usage.instance_hours, usage.instance_cost, usage.other_cost)
        actual_cost = whole.instance_cost + whole.other_cost
        instance_hours = whole.instance_hours
        baseline_cost: Decimal | None = None
        savings: Decimal | None = None
        savings_pct: Decimal | None = None
        if known and daily:
            baseline_cost = sum((d.baseline_cost or Decimal(0) for d in daily), Decimal(0))
        elif known:
            baseline_cost = _day(date.min, whole, baseline, known, None).baseline_cost
        if baseline_cost is not None:
            savings = baseline_cost - actual_cost
    if savings is not None and baseline_cost is not None:
        savings_pct = percent_of(savings, baseline_cost)
    total_invocations = sum(per_day.values()) if per_day is not None else invocations
    assert total_invocations is None or isinstance(total_invocations, int)
    return EndpointLine(
        endpoint_name=endpoint_name,
        instance_type=dominant_instance_type(usage),
        instance_hours=instance_hours,
        actual_cost=actual_cost,
        other_cost=usage.other_cost,
        baseline_instance_type=baseline.instance_type,
        capacity_ratio=baseline.capacity_ratio,
        baseline_hourly_price=None if baseline.price is None else baseline.price.hourly_price,
        price_source=None if baseline.price is None else baseline.price.source,
        baseline_cost=baseline_cost,
        savings=savings,
        savings_pct=savings_pct,
        invocations=total_invocations,
        cost_per_1k_invocations=per_thousand(actual_cost, total_invocations),
        baseline_cost_per_1k_invocations=per_thousand(baseline_cost, total_invocations),
        daily=daily,
        account_id=next(iter(usage.account_ids)) if len(usage.account_ids) == 1 else None,
    )


def with_idle(
    line: EndpointLine,
    invocations: Mapping[datetime, int] | None,
    period_days: Iterable[date],
    *,
    scaled_to_zero: bool = False,
    recording: Mapping[datetime, CapacitySample] | None = None,
) -> EndpointLine:
    """``line`` with its idle figures (module docstring) over ``period_days``, its ``capacity_coverage`` and
    ``idle_source``: ``recorded`` when ``recording`` (the endpoint's hourly ``InstanceCount``) covers enough
    of the billed days (:mod:`lambdas.cost_reporter.logic.capacity`), else ``spread``. Idle stays unknown when
    ``invocations`` is None or the line has no days. ``hours_at_zero`` only when ``scaled_to_zero``."""
    billed = {d.day: d.instance_hours for d in line.daily}
    with localcontext(_EXACT):
        share = capacity.coverage(billed, recording or {})
    recorded = capacity.is_recorded(share)
    line = dataclasses.replace(
        line, capacity_coverage=share, idle_source="recorded" if recorded else "spread"
    )
    if invocations is None or not line.daily:
        return line
    instance_cost = line.actual_cost - line.other_cost
    with localcontext(_EXACT):
        per_hour = capacity.hourly_instances(
            billed, set(period_days) | set(billed), recording if recorded else None
        )
        hours = [
            HourUsage(instances, invocations.get(hour, 0)) for hour, instances in sorted(per_hour.items())
        ]
        price = instance_cost / line.instance_hours if line.instance_hours else Decimal(0)
        figures = idle(hours, price)
        # Each day adds up to its bill, so this only guards the last digit of a division.
        idle_cost = min(figures.idle_cost, max(instance_cost, Decimal(0)))
    return dataclasses.replace(
        line,
        idle_instance_hours=figures.idle_instance_hours,
        idle_cost=idle_cost,
        idle_share=idle_cost / instance_cost if instance_cost else None,
        hours_at_zero=figures.hours_at_zero if scaled_to_zero else None,
    )


def daily_totals(lines: Iterable[EndpointLine]) -> list[DayTotal]:
    """The project per day: like :func:`totals`, baseline and savings over the endpoints with a baseline."""
    sums: dict[date, list[Decimal]] = {}
    invocations: dict[date, int] = {}
    with localcontext(_EXACT):
        for line in lines:
            for d in line.daily:
                actual, base, saved, hours = sums.setdefault(d.day, [Decimal(0)] * 4)
                if d.baseline_cost is not None:
                    base, saved = base + d.baseline_cost, saved + d.baseline_cost - d.actual_cost
                sums[d.day] = [actual + d.actual_cost, base, saved, hours + d.instance_hours]
                invocations[d.day] = invocations.get(d.day, 0) + (d.invocations or 0)
    return [
        DayTotal(day, actual, base, saved, hours, invocations[day])
        for day, (actual, base, saved, hours) in sorted(sums.items())
    ]


def totals(lines: Iterable[EndpointLine]) -> Totals:
    """Sum the endpoints. Baseline cost and savings sum only the endpoints whose baseline is known."""
    actual = baseline = savings = hours = idle_cost = idle_hours = Decimal(0)
    invocations = 0
    for line in lines:
        idle_cost += line.idle_cost or Decimal(0)
        idle_hours += line.idle_instance_hours or Decimal(0)
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
        idle_cost=idle_cost,
        idle_instance_hours=idle_hours,
    )
