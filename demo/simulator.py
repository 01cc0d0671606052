"""What the deployed autoscaling would have run against a demand series: instances per minute.

A minute-by-minute model of Application Auto Scaling on one SageMaker variant, with the settings infersave
deploys (``stacks.endpoint_autoscaling``): target tracking, scale-out and scale-in cooldowns, min/max, and
scheduled actions that change min/max at cron times in a time zone. Simplifications (documented in
``demo/README.md``):

- the tracked metric is the demand divided by the instances (concurrent requests per instance, or
  invocations per instance per minute); target tracking wants ``ceil(demand / target)`` instances;
- scale-out happens on the first minute the metric is above target (the high-resolution concurrency metric
  is what makes AWS fast here), at most once per scale-out cooldown;
- scale-in needs the metric below target for ``SCALE_IN_MINUTES`` consecutive minutes (AWS's low alarm takes
  15 one-minute data points) and at least a scale-in cooldown since the previous scale-in;
- a new instance counts (and is billed) from the minute it is requested; the minutes a Neuron instance takes
  to become InService are not modelled;
- a scheduled action sets min/max at its minute and moves the instance count into the new range at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from demo.cron import Cron

SCALE_IN_MINUTES = 15


@dataclass(frozen=True)
class ScheduledAction:
    """Sets min/max capacity when ``cron`` fires in ``time_zone``."""

    cron: Cron
    time_zone: str
    min_capacity: int
    max_capacity: int


@dataclass(frozen=True)
class ScalingSettings:
    """The scalable target and its target-tracking policy, as deployed."""

    initial_capacity: int
    min_capacity: int
    max_capacity: int
    target: float
    scale_out_cooldown_s: int = 60
    scale_in_cooldown_s: int = 900
    scheduled_actions: tuple[ScheduledAction, ...] = ()


@dataclass
class SimulationResult:
    """Instances in service each minute, and the scaling activities by kind."""

    instances: list[int]
    scale_outs: int = 0
    scale_ins: int = 0
    scheduled: int = 0
    events: list[tuple[int, str, int]] = field(default_factory=list)  # (minute, kind, new capacity)


def desired_capacity(demand: float, target: float) -> int:
    """Instances target tracking aims at: ``ceil(demand / target)`` (a tiny tolerance against float noise)."""
    return math.ceil(demand / target - 1e-9)


def simulate(settings: ScalingSettings, demand: Sequence[float], start_utc: datetime) -> SimulationResult:
    """Run the policy over ``demand`` (one value per minute from ``start_utc``, an aware UTC datetime)."""
    zones = {action.time_zone: ZoneInfo(action.time_zone) for action in settings.scheduled_actions}
    low, high = settings.min_capacity, settings.max_capacity
    capacity = min(max(settings.initial_capacity, low), high)
    last_out_minute: int | None = None
    last_in_minute: int | None = None
    low_streak = 0
    result = SimulationResult(instances=[])
    for minute, value in enumerate(demand):
        if settings.scheduled_actions:
            now = start_utc + timedelta(minutes=minute)
            for action in settings.scheduled_actions:
                if action.cron.matches(now.astimezone(zones[action.time_zone])):
                    low, high = action.min_capacity, action.max_capacity
                    bounded = min(max(capacity, low), high)
                    result.scheduled += 1
                    if bounded != capacity:
                        capacity = bounded
                        result.events.append((minute, "scheduled", capacity))
        wanted = min(max(desired_capacity(value, settings.target), low), high)
        if wanted > capacity:
            low_streak = 0
            if last_out_minute is None or (minute - last_out_minute) * 60 >= settings.scale_out_cooldown_s:
                capacity = wanted
                last_out_minute = minute
                result.scale_outs += 1
                result.events.append((minute, "scale-out", capacity))
        elif wanted < capacity:
            low_streak += 1
            cooled = last_in_minute is None or (minute - last_in_minute) * 60 >= settings.scale_in_cooldown_s
            if low_streak >= SCALE_IN_MINUTES and cooled:
                capacity = wanted
                last_in_minute = minute
                low_streak = 0
                result.scale_ins += 1
                result.events.append((minute, "scale-in", capacity))
        else:
            low_streak = 0
        result.instances.append(capacity)
    return result


#: Minutes from the first request refused at zero instances to a serving copy. One measurement (Qwen3-0.6B on
#: ml.g5.xlarge, facts sheet "Inference components"): the NoCapacityInvocationFailures alarm after 67 s, the first
#: answer after 9 min 24 s; a Neuron model load with a warm cache adds little. Rounded up.
COLD_START_MINUTES = 10


@dataclass(frozen=True)
class ZeroResult:
    """Instances per minute with scale to zero, the cold starts and the requests refused meanwhile."""

    instances: list[int]
    cold_starts: list[int]  # the minutes a request arrived at zero instances
    failed: list[int]  # requests refused (NoCapacityInvocationFailures) per minute


def scale_to_zero(
    instances: Sequence[int],
    requests: Sequence[int],
    idle_minutes: int,
    cold_start_minutes: int = COLD_START_MINUTES,
) -> ZeroResult:
    """``instances`` (target tracking with a floor of one) with scale to zero: after ``idle_minutes`` without a
    request the last copy and its instance go; the next request starts one (billed while it starts), and every
    request until it serves, ``cold_start_minutes`` later, fails."""
    out: list[int] = []
    failed: list[int] = []
    idle = 0
    cold_starts: list[int] = []
    ready_at: int | None = None
    at_zero = False
    for minute, (count, wanted) in enumerate(zip(instances, requests, strict=True)):
        if at_zero and wanted:
            at_zero, ready_at = False, minute + cold_start_minutes
            cold_starts.append(minute)
        if ready_at is not None and minute < ready_at:
            failed.append(wanted)
            out.append(1)
            continue
        ready_at = None
        failed.append(0)
        if at_zero:
            out.append(0)
            continue
        idle = idle + 1 if wanted == 0 else 0
        if idle >= idle_minutes:
            at_zero, idle = True, 0
            out.append(0)
            continue
        out.append(count)
    return ZeroResult(out, cold_starts, failed)
