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
- **inference components** (``serving: inference_component``): each model of the endpoint is a component
  with its own seeded demand (peak ``U(0.55, 0.85) x its target x its copies.max``; the endpoint's own model
  draws from the endpoint's seed, so a one-model endpoint keeps its month), its copy count tracked as the
  deployed ``stacks.inference_components.ComponentAutoscaling`` tracks it, and the instances are what managed
  instance scaling needs to place every copy (``stacks.config.components.pack``, at least ``instances.min``);
- **output**: per endpoint per UTC day (Cost Explorer's days) and per UTC hour (CloudWatch data points):
  instance-minutes, invocations, and the per-minute extremes CloudWatch statistics carry; per minute of the
  month the instances and each component's copies (the capacity series of :mod:`demo.replay`).

The month is given by the caller: the demo uses the previous calendar month, the one the scheduled monthly
report covers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from demo.cron import Cron
from demo.simulator import (
    ScalingSettings,
    ScheduledAction,
    SimulationResult,
    scale_to_zero,
    simulate,
)
from demo.traffic import TrafficProfile, concurrency_per_minute, requests_per_minute
from lambdas.common.aws import VARIANT_NAME
from lambdas.common.catalog import Catalog, InstanceSpec, load_catalog
from stacks.config import ComponentCopies, Config, Endpoint
from stacks.config.components import chips_per_copy, component_name, model_views, pack

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
class ComponentHour:
    """One UTC hour of one inference component: its ``InferenceComponentName`` CloudWatch statistics."""

    start: datetime
    invocations: int
    min_invocations_per_minute: int
    max_invocations_per_minute: int
    latency_s: float
    #: Sum over the hour's minutes of the copies in service (copy-minutes).
    copy_minutes: int


@dataclass(frozen=True)
class ComponentScenario:
    """One inference component's month: its traffic, its copy-count autoscaling and its scale to zero."""

    component_name: str
    model_id: str
    #: NumberOfAcceleratorDevicesRequired of one copy: Inferentia2 chips (``stacks.config.components``).
    chips_per_copy: int
    latency_s: float
    peak_concurrency: float
    settings: ScalingSettings
    simulation: SimulationResult
    hours: list[ComponentHour]
    #: Copies in service in each minute of the month (the warm-up days excluded).
    copies_by_minute: tuple[int, ...]
    cold_starts: int = 0
    failed_requests: int = 0
    #: (minute, requests refused) of the month's minutes with NoCapacityInvocationFailures.
    refused_by_minute: tuple[tuple[datetime, int], ...] = ()

    @property
    def invocations(self) -> int:
        """Requests the component served in the month."""
        return sum(hour.invocations for hour in self.hours)

    @property
    def chip_hours(self) -> Decimal:
        """Inferentia2 chip-hours its copies held in the month (copy-minutes x chips per copy / 60, exact)."""
        return Decimal(sum(self.copies_by_minute) * self.chips_per_copy) / MINUTES_PER_HOUR


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
    #: The instances' target tracking; with inference components, the copy count of the endpoint's own model.
    simulation: SimulationResult
    #: Instances in service in each minute of the month (the warm-up days excluded).
    instances_by_minute: tuple[int, ...] = ()
    #: ``serving: inference_component``: one per model, the endpoint's own model first; else empty.
    components: tuple[ComponentScenario, ...] = ()
    #: Scale to zero (inference components): minutes at zero instances and instance-hours the zero avoided,
    #: within the month (cold starts and refused requests: per component, summed below).
    minutes_at_zero: int = 0
    idle_hours_avoided: Decimal = Decimal(0)

    @property
    def cold_starts(self) -> int:
        """Cold starts of the month, all components together."""
        return sum(component.cold_starts for component in self.components)

    @property
    def failed_requests(self) -> int:
        """Requests refused (NoCapacityInvocationFailures) in the month, all components together."""
        return sum(component.failed_requests for component in self.components)

    @property
    def refused_by_minute(self) -> tuple[tuple[datetime, int], ...]:
        """(minute, requests refused) of the month, all components together, in time order."""
        refused: dict[datetime, int] = {}
        for component in self.components:
            for minute, count in component.refused_by_minute:
                refused[minute] = refused.get(minute, 0) + count
        return tuple(sorted(refused.items()))

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
    actions = _off_hours(endpoint, floor, counts.min, counts.max)
    return ScalingSettings(
        initial_capacity=counts.initial,
        min_capacity=max(floor, counts.min),
        max_capacity=counts.max,
        target=endpoint.tracking_target,
        scale_out_cooldown_s=scaling.scale_out_cooldown_seconds,
        scale_in_cooldown_s=scaling.scale_in_cooldown_seconds,
        scheduled_actions=actions,
    )


def _off_hours(endpoint: Endpoint, floor: int, low: int, high: int) -> tuple[ScheduledAction, ...]:
    """The off-hours scheduled actions of a scalable target with min ``low`` and max ``high`` (none without
    ``off_hours``): ``off_hours.min_capacity`` at the scale-down cron (at most ``low``: the config checks it for
    instances, the stack caps it for copies), ``low`` at the scale-up cron, neither below ``floor``."""
    off = endpoint.off_hours
    if off is None:
        return ()
    return (
        ScheduledAction(
            Cron.parse(off.scale_down_cron), off.time_zone, max(floor, min(off.min_capacity, low)), high
        ),
        ScheduledAction(Cron.parse(off.scale_up_cron), off.time_zone, max(floor, low), high),
    )


def component_scaling_settings(
    endpoint: Endpoint, model: Endpoint, copies: ComponentCopies
) -> ScalingSettings:
    """The copy-count autoscaling of one inference component (``model``, a view from
    ``stacks.config.components.model_views``) as ``stacks.inference_components.ComponentAutoscaling`` deploys
    it: created with ``max(1, copies.min)`` copies, target ``model.tracking_target`` concurrent requests per copy,
    the endpoint's cooldowns (scale-in: ``idle_minutes`` with scale to zero), off-hours on the copies."""
    scaling, settings = endpoint.autoscaling, endpoint.component_settings
    # As for instances: scale to zero is applied after the tracking, on a floor of one copy.
    floor = 1 if endpoint.scales_to_zero else 0
    actions = _off_hours(endpoint, floor, copies.min, copies.max)
    scale_in_s = (
        settings.scale_to_zero.idle_minutes * 60
        if endpoint.scales_to_zero
        else scaling.scale_in_cooldown_seconds
    )
    return ScalingSettings(
        initial_capacity=max(1, copies.min),
        min_capacity=max(floor, copies.min),
        max_capacity=copies.max,
        target=model.tracking_target,
        scale_out_cooldown_s=scaling.scale_out_cooldown_seconds,
        scale_in_cooldown_s=scale_in_s,
        scheduled_actions=actions,
    )


def _traffic_time_zone(endpoint: Endpoint) -> str:
    return endpoint.off_hours.time_zone if endpoint.off_hours else "UTC"


def _latencies(latency_s: float, hours: int, rng: random.Random) -> list[float]:
    """Each hour's mean latency (s): the assumption +/- 10 %."""
    return [latency_s * rng.uniform(0.9, 1.1) for _ in range(hours)]


def _hours(
    start: datetime, requests: Sequence[int], instances: Sequence[int], latencies: Sequence[float]
) -> list[HourSample]:
    samples = []
    for hour, latency_s in enumerate(latencies):
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
                latency_s=latency_s,
            )
        )
    return samples


def _component_hours(
    start: datetime, requests: Sequence[int], copies: Sequence[int], latencies: Sequence[float]
) -> list[ComponentHour]:
    hours = []
    for hour, latency_s in enumerate(latencies):
        window = slice(hour * MINUTES_PER_HOUR, (hour + 1) * MINUTES_PER_HOUR)
        counts = requests[window]
        hours.append(
            ComponentHour(
                start=start + timedelta(hours=hour),
                invocations=sum(counts),
                min_invocations_per_minute=min(counts),
                max_invocations_per_minute=max(counts),
                latency_s=latency_s,
                copy_minutes=sum(copies[window]),
            )
        )
    return hours


def _days(hours: list[HourSample]) -> list[DayUsage]:
    by_day: dict[date, tuple[int, int]] = {}
    for sample in hours:
        minutes, invocations = by_day.get(sample.start.date(), (0, 0))
        by_day[sample.start.date()] = (minutes + sample.instance_minutes, invocations + sample.invocations)
    return [DayUsage(day, minutes, invocations) for day, (minutes, invocations) in sorted(by_day.items())]


def _concurrency(
    endpoint: Endpoint, peak: float, sim_start: datetime, total_minutes: int, rng: random.Random
) -> list[float]:
    """The demand shape of ``endpoint`` (a development endpoint when it scales to zero) at ``peak``."""
    profile = TrafficProfile(peak_concurrency=peak, time_zone=_traffic_time_zone(endpoint))
    if endpoint.scales_to_zero:
        # A development endpoint: business hours on weekdays, nothing at night or at weekends but the bursts.
        profile = TrafficProfile(peak_concurrency=peak, time_zone=profile.time_zone, night=0.0, weekend=0.0)
    return concurrency_per_minute(profile, sim_start, total_minutes, rng)


def _simulation_window(start: date, end_exclusive: date) -> tuple[datetime, int]:
    """The first simulated minute (``WARM_UP_DAYS`` before ``start``) and the minutes simulated."""
    month_start = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    return month_start - timedelta(days=WARM_UP_DAYS), ((end_exclusive - start).days + WARM_UP_DAYS) * 1440


def endpoint_traffic(
    config: Config, endpoint: Endpoint, start: date, end_exclusive: date, seed: str = SEED
) -> tuple[random.Random, ScalingSettings, float, float, datetime, list[float], list[int]]:
    """The seeded demand of one endpoint from ``WARM_UP_DAYS`` before ``start``: (rng, its scaling settings,
    latency s, peak concurrency, first minute, concurrency per minute, requests per minute); the benchmark
    replays the same month (``benchmarks.autoscaling_efficiency``). With inference components this is the demand
    of the endpoint's own model (:func:`endpoint_scenario` gives further models their own)."""
    name = config.endpoint_name(endpoint)
    rng = random.Random(f"{seed}:{name}")  # noqa: S311 - a reproducible simulation, not security
    settings = scaling_settings(endpoint)
    latency_s = latency_seconds(endpoint)
    peak = rng.uniform(*PEAK_SHARE_OF_MAX_CAPACITY) * settings.target * settings.max_capacity
    if endpoint.autoscaling.metric == "invocations_per_instance":
        peak = peak * latency_s / 60  # the target is requests per instance per minute: back to concurrency
    sim_start, total_minutes = _simulation_window(start, end_exclusive)
    concurrency = _concurrency(endpoint, peak, sim_start, total_minutes, rng)
    requests = requests_per_minute(concurrency, latency_s)
    return rng, settings, latency_s, peak, sim_start, concurrency, requests


def endpoint_scenario(
    config: Config, endpoint: Endpoint, start: date, end_exclusive: date, seed: str = SEED
) -> EndpointScenario:
    """Traffic, autoscaling and usage of one endpoint over ``[start, end_exclusive)``."""
    if endpoint.serving == "inference_component":
        return _component_endpoint_scenario(config, endpoint, start, end_exclusive, seed)
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
    instances = simulation.instances[warm_up:]
    latencies = _latencies(latency_s, len(instances) // MINUTES_PER_HOUR, rng)
    hours = _hours(month_start, requests[warm_up:], instances, latencies)
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
        instances_by_minute=tuple(instances),
    )


@dataclass(frozen=True)
class _ComponentRun:
    """One component over the whole simulation (warm-up included): copies tracked, copies with scale to zero,
    requests served, and the scale-to-zero figures."""

    scenario: ComponentScenario
    tracked: list[int]
    copies: list[int]
    served: list[int]


def _component_run(
    config: Config,
    endpoint: Endpoint,
    *,
    index: int,
    model: Endpoint,
    window: tuple[datetime, int],
    seed: str,
) -> _ComponentRun:
    """Demand, copy-count tracking and scale to zero of the endpoint's ``index``-th model (0: its own)."""
    endpoint_name = config.endpoint_name(endpoint)
    name = component_name(endpoint_name, endpoint, model)
    settings = endpoint.component_settings
    copies = settings.copies if index == 0 else settings.models[index - 1].copies
    # The endpoint's own model draws from the endpoint's seed (the month of a one-model endpoint is unchanged).
    rng = random.Random(f"{seed}:{endpoint_name if index == 0 else name}")  # noqa: S311 - reproducible, not security
    scaling = component_scaling_settings(endpoint, model, copies)
    latency_s = latency_seconds(model)
    peak = rng.uniform(*PEAK_SHARE_OF_MAX_CAPACITY) * scaling.target * scaling.max_capacity
    sim_start, total_minutes = window
    concurrency = _concurrency(endpoint, peak, sim_start, total_minutes, rng)
    requests = requests_per_minute(concurrency, latency_s)
    simulation = simulate(scaling, concurrency, sim_start)  # per-copy concurrency is what the policy tracks
    served, running = requests, simulation.instances
    refused: list[int] = [0] * total_minutes
    cold_starts: list[int] = []
    if endpoint.scales_to_zero:
        zero = scale_to_zero(running, requests, settings.scale_to_zero.idle_minutes)
        running, refused, cold_starts = zero.instances, zero.failed, zero.cold_starts
        served = [r - f for r, f in zip(requests, refused, strict=True)]  # served requests only
    warm_up = WARM_UP_DAYS * 1440
    month_start = sim_start + timedelta(days=WARM_UP_DAYS)
    latencies = _latencies(latency_s, (total_minutes - warm_up) // MINUTES_PER_HOUR, rng)
    scenario = ComponentScenario(
        component_name=name,
        model_id=model.model_id,
        chips_per_copy=chips_per_copy(model.tensor_parallel_degree),
        latency_s=latency_s,
        peak_concurrency=peak,
        settings=scaling,
        simulation=simulation,
        hours=_component_hours(month_start, served[warm_up:], running[warm_up:], latencies),
        copies_by_minute=tuple(running[warm_up:]),
        cold_starts=sum(1 for minute in cold_starts if minute >= warm_up),
        failed_requests=sum(refused[warm_up:]),
        refused_by_minute=tuple(
            (sim_start + timedelta(minutes=m), n) for m, n in enumerate(refused) if m >= warm_up and n
        ),
    )
    return _ComponentRun(scenario, simulation.instances, running, served)


def placed_instances(spec: InstanceSpec, endpoint: Endpoint, copies: Sequence[Sequence[int]]) -> list[int]:
    """Instances per minute managed instance scaling runs for ``copies`` (per component, per minute; in the
    order of ``model_views``): what first-fit-decreasing packing needs (``stacks.config.components.pack``, a copy
    never spans instances; IDLE_RELEASE frees an instance no copy is left on), within ``instances.min`` and
    ``instances.max``."""
    cores = [model.tensor_parallel_degree for _, model in model_views("", endpoint)]
    low, high = endpoint.instances.min, endpoint.instances.max
    needed: dict[tuple[int, ...], int] = {}
    instances = []
    for counts in zip(*copies, strict=True):
        if counts not in needed:
            placed = pack(spec, [("", count, core) for count, core in zip(counts, cores, strict=True)])
            needed[counts] = min(max(placed, low), high)
        instances.append(needed[counts])
    return instances


def _component_endpoint_scenario(
    config: Config, endpoint: Endpoint, start: date, end_exclusive: date, seed: str
) -> EndpointScenario:
    """An inference-component endpoint: each model's copies as its own autoscaling runs them, the instances
    managed instance scaling places them on, and the variant's figures summed over the components."""
    spec = load_catalog().instances[endpoint.instance_type]
    window = _simulation_window(start, end_exclusive)
    runs = [
        _component_run(config, endpoint, index=index, model=model, window=window, seed=seed)
        for index, (_, model) in enumerate(model_views("", endpoint))
    ]
    warm_up = WARM_UP_DAYS * 1440
    tracked = placed_instances(spec, endpoint, [run.tracked for run in runs])
    instances = placed_instances(spec, endpoint, [run.copies for run in runs])
    served = [sum(minute) for minute in zip(*(run.served for run in runs), strict=True)]
    components = tuple(run.scenario for run in runs)
    month_start = window[0] + timedelta(days=WARM_UP_DAYS)
    hours = _hours(month_start, served[warm_up:], instances[warm_up:], _mean_latencies(components))
    own = components[0]
    zero: dict[str, Any] = {}
    if endpoint.scales_to_zero:
        zero = {
            "minutes_at_zero": sum(1 for n in instances[warm_up:] if n == 0),
            "idle_hours_avoided": Decimal(sum(tracked[warm_up:]) - sum(instances[warm_up:]))
            / MINUTES_PER_HOUR,
        }
    return EndpointScenario(
        endpoint_name=config.endpoint_name(endpoint),
        variant_name=VARIANT_NAME,
        instance_type=endpoint.instance_type,
        volume_size_gb=endpoint.default_volume_size_gb,
        latency_s=own.latency_s,
        peak_concurrency=sum(component.peak_concurrency for component in components),
        settings=own.settings,
        hours=hours,
        days=_days(hours),
        simulation=own.simulation,
        instances_by_minute=tuple(instances[warm_up:]),
        components=components,
        **zero,
    )


def _mean_latencies(components: Sequence[ComponentScenario]) -> list[float]:
    """The variant's hourly mean latency: the components' means weighted by their requests (the first
    component's when the hour served none, and as is with one component)."""
    if len(components) == 1:
        return [hour.latency_s for hour in components[0].hours]
    latencies = []
    for hours in zip(*(component.hours for component in components), strict=True):
        served = sum(hour.invocations for hour in hours)
        weighted = sum(hour.latency_s * hour.invocations for hour in hours)
        latencies.append(weighted / served if served else hours[0].latency_s)
    return latencies


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
