"""The demo's scenario: a month of traffic on the endpoints of the user's ``infersave.yaml``, and the instance
hours the deployed autoscaling would have run for it.

For each endpoint of the config (read with ``stacks.config.load_config``):

- **latency assumption**: a request streams ``OUTPUT_TOKENS`` tokens at
  ``35 x sqrt(8 / max(8, parameters_billion))`` tokens/s (35 tokens/s per stream is the published figure for
  Llama-3.1-8B on Inferentia2; larger models are assumed to stream slower by the square root of their size):
  about 5.7 s for an 8B model, 17 s for a 70B one;
- **demand**: :mod:`demo.traffic` with a peak of ``U(0.55, 0.85) x target x max instances`` concurrent
  requests (seeded per endpoint), in the endpoint's off-hours time zone (UTC when it has none);
- **autoscaling**: :mod:`demo.simulator` with the endpoint's min/max, the target of
  ``Endpoint.tracking_target`` (stacks/config.py), its cooldowns and its off-hours scheduled actions. The
  simulation starts ``WARM_UP_DAYS`` before the month so the month opens in the state the schedules leave.
  For the ``invocations_per_instance`` metric the demand is requests per minute instead of concurrency;
- **output**: per endpoint per UTC day (Cost Explorer's days) and per UTC hour (CloudWatch data points):
  instance-minutes, invocations, and the per-minute extremes CloudWatch statistics carry.

The month is given by the caller: the demo uses the previous calendar month, the one the scheduled monthly
report covers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from demo.cron import Cron
from demo.simulator import (
    ScalingSettings,
    ScheduledAction,
    SimulationResult,
    ZeroResult,
    scale_to_zero,
    simulate,
)
from demo.traffic import TrafficProfile, concurrency_per_minute, requests_per_minute
from lambdas.common.aws import VARIANT_NAME
from lambdas.common.catalog import Catalog, load_catalog
from stacks.config import Config, Endpoint

SEED = "infersave-demo-1"
WARM_UP_DAYS = 7
OUTPUT_TOKENS = 200
REFERENCE_TOKENS_PER_S = 35.0
REFERENCE_PARAMETERS_BILLION = 8.0
PEAK_SHARE_OF_MAX_CAPACITY = (0.55, 0.85)
MINUTES_PER_HOUR = 60


@dataclass(frozen=True)
class HourSample:
    """One UTC hour of one endpoint: what CloudWatch would hold at a 1-hour period."""

    start: datetime
    invocations: int
    instance_minutes: int
    min_invocations_per_minute: int
    max_invocations_per_minute: int
    #: Sum over the hour's minutes of invocations / instances (the InvocationsPerInstance Sum).
    invocations_per_instance: float
    latency_s: float


@dataclass(frozen=True)
class DayUsage:
    """One UTC day of one endpoint: what Cost Explorer bills (instance-hours) and what it served."""

    day: date
    instance_minutes: int
    invocations: int

    @property
    def instance_hours(self) -> Decimal:
        """Instance-hours of the day (exact: minutes / 60)."""
        return Decimal(self.instance_minutes) / MINUTES_PER_HOUR


@dataclass(frozen=True)
class EndpointScenario:
    """One endpoint's month."""

    endpoint_name: str
    variant_name: str
    instance_type: str
    volume_size_gb: int
    latency_s: float
    peak_concurrency: float
    settings: ScalingSettings
    hours: list[HourSample]
    days: list[DayUsage]
    simulation: SimulationResult
    #: Scale to zero (inference components): cold starts, requests refused while starting, minutes at zero
    #: instances and instance-hours the zero avoided, all within the month.
    cold_starts: int = 0
    failed_requests: int = 0
    minutes_at_zero: int = 0
    idle_hours_avoided: Decimal = Decimal(0)
    #: (minute, requests refused) of the month's minutes with NoCapacityInvocationFailures.
    refused_by_minute: tuple[tuple[datetime, int], ...] = ()

    @property
    def instance_minutes(self) -> int:
        """Instance-minutes of the month."""
        return sum(day.instance_minutes for day in self.days)

    @property
    def instance_hours(self) -> Decimal:
        """Instance-hours of the month (exact)."""
        return Decimal(self.instance_minutes) / MINUTES_PER_HOUR

    @property
    def invocations(self) -> int:
        """Requests served in the month."""
        return sum(day.invocations for day in self.days)


@dataclass(frozen=True)
class Scenario:
    """The month ``[start, end_exclusive)`` (UTC days) for every endpoint of the config."""

    project: str
    region: str
    start: date
    end_exclusive: date
    endpoints: list[EndpointScenario]

    @property
    def days(self) -> int:
        """Days in the month."""
        return (self.end_exclusive - self.start).days


def latency_seconds(endpoint: Endpoint) -> float:
    """Assumed mean request latency (s): OUTPUT_TOKENS at the assumed per-stream token rate."""
    size = max(REFERENCE_PARAMETERS_BILLION, float(endpoint.parameters_billion))
    tokens_per_s = REFERENCE_TOKENS_PER_S * math.sqrt(REFERENCE_PARAMETERS_BILLION / size)
    return OUTPUT_TOKENS / tokens_per_s


def scaling_settings(endpoint: Endpoint) -> ScalingSettings:
    """The autoscaling of ``endpoint`` as ``stacks.endpoint_autoscaling`` deploys it."""
    counts, scaling = endpoint.instances, endpoint.autoscaling
    # Scale to zero is applied after the tracking (demo.simulator.scale_to_zero), on a floor of one instance.
    floor = 1 if endpoint.scales_to_zero else 0
    actions: tuple[ScheduledAction, ...] = ()
    if endpoint.off_hours:
        off = endpoint.off_hours
        actions = (
            ScheduledAction(
                Cron.parse(off.scale_down_cron), off.time_zone, max(floor, off.min_capacity), counts.max
            ),
            ScheduledAction(Cron.parse(off.scale_up_cron), off.time_zone, max(floor, counts.min), counts.max),
        )
    return ScalingSettings(
        initial_capacity=counts.initial,
        min_capacity=max(floor, counts.min),
        max_capacity=counts.max,
        target=endpoint.tracking_target,
        scale_out_cooldown_s=scaling.scale_out_cooldown_seconds,
        scale_in_cooldown_s=scaling.scale_in_cooldown_seconds,
        scheduled_actions=actions,
    )


def _traffic_time_zone(endpoint: Endpoint) -> str:
    return endpoint.off_hours.time_zone if endpoint.off_hours else "UTC"


def _hours(
    start: datetime, requests: list[int], instances: list[int], latency_s: float, rng: random.Random
) -> list[HourSample]:
    samples = []
    for hour in range(len(requests) // MINUTES_PER_HOUR):
        window = slice(hour * MINUTES_PER_HOUR, (hour + 1) * MINUTES_PER_HOUR)
        counts, fleet = requests[window], instances[window]
        samples.append(
            HourSample(
                start=start + timedelta(hours=hour),
                invocations=sum(counts),
                instance_minutes=sum(fleet),
                min_invocations_per_minute=min(counts),
                max_invocations_per_minute=max(counts),
                invocations_per_instance=sum(c / n for c, n in zip(counts, fleet, strict=True) if n),
                latency_s=latency_s * rng.uniform(0.9, 1.1),
            )
        )
    return samples


def _days(hours: list[HourSample]) -> list[DayUsage]:
    by_day: dict[date, tuple[int, int]] = {}
    for sample in hours:
        minutes, invocations = by_day.get(sample.start.date(), (0, 0))
        by_day[sample.start.date()] = (minutes + sample.instance_minutes, invocations + sample.invocations)
    return [DayUsage(day, minutes, invocations) for day, (minutes, invocations) in sorted(by_day.items())]


def endpoint_traffic(
    config: Config, endpoint: Endpoint, start: date, end_exclusive: date, seed: str = SEED
) -> tuple[random.Random, ScalingSettings, float, float, datetime, list[float], list[int]]:
    """The seeded demand of one endpoint from ``WARM_UP_DAYS`` before ``start``: (rng, its scaling settings,
    latency s, peak concurrency, first minute, concurrency per minute, requests per minute); the benchmark
    replays the same month (``benchmarks.autoscaling_efficiency``)."""
    name = config.endpoint_name(endpoint)
    rng = random.Random(f"{seed}:{name}")  # noqa: S311 - a reproducible simulation, not security
    settings = scaling_settings(endpoint)
    latency_s = latency_seconds(endpoint)
    peak = rng.uniform(*PEAK_SHARE_OF_MAX_CAPACITY) * settings.target * settings.max_capacity
    if endpoint.autoscaling.metric == "invocations_per_instance":
        peak = peak * latency_s / 60  # the target is requests per instance per minute: back to concurrency
    profile = TrafficProfile(peak_concurrency=peak, time_zone=_traffic_time_zone(endpoint))
    if endpoint.scales_to_zero:
        # A development endpoint: business hours on weekdays, nothing at night or at weekends but the bursts.
        profile = TrafficProfile(peak_concurrency=peak, time_zone=profile.time_zone, night=0.0, weekend=0.0)
    month_start = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    sim_start = month_start - timedelta(days=WARM_UP_DAYS)
    total_minutes = ((end_exclusive - start).days + WARM_UP_DAYS) * 1440
    concurrency = concurrency_per_minute(profile, sim_start, total_minutes, rng)
    requests = requests_per_minute(concurrency, latency_s)
    return rng, settings, latency_s, peak, sim_start, concurrency, requests


def endpoint_scenario(
    config: Config, endpoint: Endpoint, start: date, end_exclusive: date, seed: str = SEED
) -> EndpointScenario:
    """Traffic, autoscaling and usage of one endpoint over ``[start, end_exclusive)``."""
    name = config.endpoint_name(endpoint)
    rng, settings, latency_s, peak, sim_start, concurrency, requests = endpoint_traffic(
        config, endpoint, start, end_exclusive, seed
    )
    month_start = sim_start + timedelta(days=WARM_UP_DAYS)
    demand = (
        [float(r) for r in requests]
        if endpoint.autoscaling.metric == "invocations_per_instance"
        else concurrency
    )
    simulation = simulate(settings, demand, sim_start)
    warm_up = WARM_UP_DAYS * 1440
    instances = simulation.instances
    zero: ZeroResult | None = None
    if endpoint.scales_to_zero:
        idle = endpoint.component_settings.scale_to_zero.idle_minutes
        zero = scale_to_zero(instances, requests, idle)
        instances = zero.instances
        requests = [r - f for r, f in zip(requests, zero.failed, strict=True)]  # served requests only
    hours = _hours(month_start, requests[warm_up:], instances[warm_up:], latency_s, rng)
    return EndpointScenario(
        endpoint_name=name,
        variant_name=VARIANT_NAME,
        instance_type=endpoint.instance_type,
        volume_size_gb=endpoint.default_volume_size_gb,
        latency_s=latency_s,
        peak_concurrency=peak,
        settings=settings,
        hours=hours,
        days=_days(hours),
        simulation=simulation,
        **(_zero_figures(zero, simulation.instances, warm_up, sim_start) if zero else {}),
    )


def _zero_figures(zero: ZeroResult, tracked: list[int], warm_up: int, start: datetime) -> dict[str, Any]:
    """The month's scale-to-zero figures (the warm-up days excluded)."""
    return {
        "refused_by_minute": tuple(
            (start + timedelta(minutes=m), n) for m, n in enumerate(zero.failed) if m >= warm_up and n
        ),
        "cold_starts": sum(1 for minute in zero.cold_starts if minute >= warm_up),
        "failed_requests": sum(zero.failed[warm_up:]),
        "minutes_at_zero": sum(1 for n in zero.instances[warm_up:] if n == 0),
        "idle_hours_avoided": Decimal(sum(tracked[warm_up:]) - sum(zero.instances[warm_up:]))
        / MINUTES_PER_HOUR,
    }


def build_scenario(config: Config, start: date, end_exclusive: date, seed: str = SEED) -> Scenario:
    """The scenario of every endpoint of ``config`` over ``[start, end_exclusive)``."""
    return Scenario(
        project=config.project,
        region=config.env.region or "us-east-1",
        start=start,
        end_exclusive=end_exclusive,
        endpoints=[endpoint_scenario(config, e, start, end_exclusive, seed) for e in config.endpoints],
    )


def hourly_price_usd(instance_type: str, catalog: Catalog | None = None) -> Decimal:
    """On-demand hosting price of ``instance_type`` from the bundled catalog (USD per hour)."""
    spec = (catalog or load_catalog()).get(instance_type)
    if spec is None or spec.hourly_price_usd is None:
        raise ValueError(f"the catalog has no price for {instance_type}; the scenario cannot bill it")
    return spec.hourly_price_usd
