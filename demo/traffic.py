"""Synthetic, seeded LLM request traffic: a diurnal business-hours curve, quiet weekends and random bursts.

No public LLM request trace ships in a pip package under a licence that allows bundling, so the demo
generates its traffic. Demand is expressed as **concurrent requests** (requests in flight, all instances of
an endpoint together), one value per minute, and turned into requests per minute with Little's law:
``requests_per_minute = concurrency x 60 / latency_s``.

Shape of one endpoint's demand at a minute (local time of the endpoint's users):

- diurnal level: ``night + (1 - night) x sin^2(pi x (hour - 7) / 14)`` between 07:00 and 21:00, ``night``
  outside (peak around 14:00); on Saturdays and Sundays the business part is scaled by ``weekend``;
- noise: a multiplicative factor drawn every 5 minutes, uniform in ``1 +/- noise``;
- bursts (batch jobs, launches): on average ``bursts_per_day`` per day at any hour, each 10-60 minutes long,
  adding ``peak x U(0.3, 1.0)`` concurrent requests.

Everything is drawn from ``random.Random(seed)``: the same seed gives the same month on every machine.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

NOISE_BLOCK_MINUTES = 5
BUSINESS_START_HOUR = 7.0
BUSINESS_HOURS = 14.0
BURST_MINUTES = (10, 60)
BURST_PEAK_SHARE = (0.3, 1.0)


@dataclass(frozen=True)
class TrafficProfile:
    """Parameters of one endpoint's demand; ``peak_concurrency`` in concurrent requests."""

    peak_concurrency: float
    time_zone: str = "UTC"
    night: float = 0.05
    weekend: float = 0.3
    noise: float = 0.15
    bursts_per_day: float = 1.5


def diurnal_level(local: datetime, profile: TrafficProfile) -> float:
    """Share of the peak demanded at wall-clock time ``local`` (0..1), before noise and bursts."""
    hour = local.hour + local.minute / 60
    business = 0.0
    if BUSINESS_START_HOUR <= hour < BUSINESS_START_HOUR + BUSINESS_HOURS:
        business = math.sin(math.pi * (hour - BUSINESS_START_HOUR) / BUSINESS_HOURS) ** 2
    if local.isoweekday() >= 6:
        business *= profile.weekend
    return profile.night + (1 - profile.night) * business


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; ``mean`` is small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def concurrency_per_minute(
    profile: TrafficProfile, start_utc: datetime, minutes: int, rng: random.Random
) -> list[float]:
    """Demand in concurrent requests for each minute from ``start_utc`` (an aware UTC datetime)."""
    zone = ZoneInfo(profile.time_zone)
    demand: list[float] = []
    factor = 1.0
    for minute in range(minutes):
        if minute % NOISE_BLOCK_MINUTES == 0:
            factor = rng.uniform(1 - profile.noise, 1 + profile.noise)
        local = (start_utc + timedelta(minutes=minute)).astimezone(zone)
        demand.append(profile.peak_concurrency * diurnal_level(local, profile) * factor)
    for day_start in range(0, minutes, 1440):
        for _ in range(_poisson(rng, profile.bursts_per_day)):
            begin = day_start + rng.randrange(1440)
            length = rng.randint(*BURST_MINUTES)
            extra = profile.peak_concurrency * rng.uniform(*BURST_PEAK_SHARE)
            for minute in range(begin, min(begin + length, minutes)):
                demand[minute] += extra
    return demand


def requests_per_minute(concurrency: list[float], latency_s: float) -> list[int]:
    """Whole requests per minute (Little's law), rounded on the running total so no request is lost."""
    counts: list[int] = []
    expected_total = 0.0
    issued = 0
    for value in concurrency:
        expected_total += value * 60 / latency_s
        now = round(expected_total)
        counts.append(now - issued)
        issued = now
    return counts
