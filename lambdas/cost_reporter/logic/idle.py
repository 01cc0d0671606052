"""Idle cost and cold starts. Pure: no AWS calls.

- **Idle**: instance-hours in hours without an invocation (``Invocations`` Sum 0), priced at the endpoint's
  hourly price; the idle share is the idle cost over the endpoint's instance cost. An hour at zero instances
  costs nothing and is not idle, it is *at zero* (scale to zero).
- **Cold starts**: a cold start is a run of consecutive minutes with ``NoCapacityInvocationFailures`` > 0 (the
  requests SageMaker refused because no copy was there, the metric that also drives the scale-out from zero;
  SageMaker developer guide "Scale an endpoint to zero instances"); its refused requests are the run's sum.

The split of a shared endpoint's cost per inference component is :mod:`lambdas.cost_reporter.logic.components`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class HourUsage:
    """One hour of one endpoint: instances in service (mean over the hour) and the invocations served."""

    instances: Decimal
    invocations: int


@dataclass(frozen=True)
class Idle:
    """Idle figures of one endpoint over a period."""

    instance_hours: Decimal
    idle_instance_hours: Decimal
    idle_cost: Decimal
    #: Idle cost / instance cost; None when nothing ran.
    idle_share: Decimal | None
    hours_at_zero: int


@dataclass(frozen=True)
class ColdStarts:
    """Cold starts of one component over a period and the requests refused during them."""

    count: int
    refused_requests: int
    #: Periods of the series (minutes, or 5-minute periods as the reporter reads it) with refused requests.
    periods_refusing: int


def idle(hours: Sequence[HourUsage], hourly_price: Decimal) -> Idle:
    """Idle instance-hours and cost of ``hours`` at ``hourly_price`` per instance-hour."""
    total = sum((h.instances for h in hours), Decimal(0))
    idle_hours = sum((h.instances for h in hours if h.invocations == 0), Decimal(0))
    cost = idle_hours * hourly_price
    return Idle(
        instance_hours=total,
        idle_instance_hours=idle_hours,
        idle_cost=cost,
        idle_share=idle_hours / total if total else None,
        hours_at_zero=sum(1 for h in hours if h.instances == 0),
    )


def cold_starts(failures_per_minute: Sequence[int]) -> ColdStarts:
    """Cold starts in a ``NoCapacityInvocationFailures`` series (Sum per period, 0 where missing)."""
    count = minutes = 0
    previous = 0
    for value in failures_per_minute:
        if value < 0:
            raise ValueError(f"NoCapacityInvocationFailures cannot be negative, got {value}")
        if value and not previous:
            count += 1
        minutes += 1 if value else 0
        previous = value
    return ColdStarts(count=count, refused_requests=sum(failures_per_minute), periods_refusing=minutes)
