"""The cost of a shared (inference-component) endpoint split per component by the chips its copies held. Pure.

SageMaker bills the endpoint's instances, not its components, so the split is an allocation, stated in the
report. Per UTC day ``d`` of the endpoint's bill:

- capacity chip-hours ``C_d`` = billed instance-hours x Inferentia2 chips of the instance type (the catalog);
- component ``i``'s chip-hours ``a_i,d`` = the sum over the day's hours of its recorded
  ``AcceleratorDevicesAllocated`` (copies x chips per copy, hourly Average x 1 h); if the components together
  exceed ``C_d`` (sampling), they are scaled down by ``C_d / sum_i a_i,d``;
- ``cost_i += day cost x a_i,d / C_d``, ``baseline_i += day baseline cost x a_i,d / C_d`` (the endpoint's whole
  day cost, storage included, like its actual cost);
- ``(unallocated)`` gets the rest: capacity no copy held (an idle instance, placement slack, or hours the
  recorder did not sample: those hold no recorded chips).

Sums are exact Decimal: the entries add up to the endpoint's actual cost and baseline cost exactly; rendering
rounds each component down to the cent and gives the remainder to ``(unallocated)`` (:mod:`.render`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Context, Decimal, localcontext

from lambdas.cost_reporter.models import ComponentLine, EndpointLine

UNALLOCATED = "(unallocated)"
#: Wide enough for exact sums of the bounded inputs (as :mod:`.savings`).
_EXACT = Context(prec=120)


def split(
    line: EndpointLine,
    chips_per_instance: int,
    component_chips: Mapping[str, Mapping[datetime, Decimal]],
    invocations: Mapping[str, Mapping[datetime, int]],
    model_ids: Mapping[str, str] | None = None,
) -> tuple[ComponentLine, ...]:
    """One entry per component of ``component_chips`` (sorted by name), then ``(unallocated)``; () when the
    endpoint has no recorded component or no days. ``chips_per_instance`` >= 1."""
    if not component_chips or not line.daily:
        return ()
    if chips_per_instance < 1:
        raise ValueError(f"chips per instance must be at least 1, got {chips_per_instance}")
    names = sorted(component_chips)
    days = {d.day: d for d in line.daily}
    chip_hours = dict.fromkeys(names, Decimal(0))
    cost = dict.fromkeys(names, Decimal(0))
    baseline = dict.fromkeys(names, Decimal(0))
    capacity_total = Decimal(0)
    with localcontext(_EXACT):
        held_by_day: dict[str, dict[date, Decimal]] = {name: {} for name in names}
        for name in names:
            for hour, chips in component_chips[name].items():
                day = hour.astimezone(UTC).date()
                if day in days and chips > 0:
                    held_by_day[name][day] = held_by_day[name].get(day, Decimal(0)) + chips
        for day, figures in sorted(days.items()):
            capacity = figures.instance_hours * chips_per_instance
            if capacity <= 0:
                continue
            capacity_total += capacity
            held = {name: held_by_day[name].get(day, Decimal(0)) for name in names}
            total = sum(held.values(), Decimal(0))
            scale = capacity / total if total > capacity else Decimal(1)
            for name in names:
                chips = held[name] * scale
                chip_hours[name] += chips
                cost[name] += figures.actual_cost * chips / capacity
                if figures.baseline_cost is not None:
                    baseline[name] += figures.baseline_cost * chips / capacity
        entries = [
            ComponentLine(
                name=name,
                model_id=(model_ids or {}).get(name),
                chip_hours=chip_hours[name],
                cost=cost[name],
                baseline_cost=None if line.baseline_cost is None else baseline[name],
                invocations=_total(invocations.get(name)),
            )
            for name in names
        ]
        entries.append(
            ComponentLine(
                name=UNALLOCATED,
                model_id=None,
                chip_hours=capacity_total - sum(chip_hours.values(), Decimal(0)),
                cost=line.actual_cost - sum(cost.values(), Decimal(0)),
                baseline_cost=(
                    None
                    if line.baseline_cost is None
                    else line.baseline_cost - sum(baseline.values(), Decimal(0))
                ),
                invocations=None,
            )
        )
    return tuple(entries)


def _total(hours: Mapping[datetime, int] | None) -> int | None:
    return None if hours is None else sum(hours.values())
