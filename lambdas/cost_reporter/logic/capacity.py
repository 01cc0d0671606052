"""Instances per UTC hour from the capacity recorder's ``InstanceCount``, reconciled with the bill. Pure.

The recorder samples every endpoint every 5 minutes (contract "Capacity series": EventBridge ``rate(5 minutes)``,
one sample per series per run), so an hour's ``Average`` x 1 h is the instance-hours of that hour and its
``SampleCount`` / 12 how much of the hour was sampled. CloudWatch keeps statistic sets when it rolls one-minute
data up to 5 minutes (after 15 days) and 1 hour (after 63 days), so an hourly ``SampleCount`` stays the count
of samples ("Data points that are initially published with a shorter period are aggregated together for
long-term storage", CloudWatch API reference, GetMetricData; 1-hour data points are kept 455 days).

**Coverage** = the samples present / 12 per hour, over the hours of the UTC days with billed instance-hours
(an hour with more than 12 samples, two runs in one 5-minute slot, counts 12). **Recorded** when coverage >=
:data:`MIN_COVERAGE`. 90 %: one lost run costs 1/12 of an hour's samples, so 90 % allows about one lost run an
hour, or three missing days in a 31-day month, while the hours left unrecorded get at most a tenth of the
capacity from the bill's remainder (below); the spread it replaces puts all of it in the wrong hours.

**Reconciliation** per UTC day (billed instance-hours ``B``, recorded hours' sum ``R``): the bill is what was
paid, the recording says when. If some hours are unrecorded and ``R <= B``, the recorded hours keep their
value and the unrecorded ones share ``B - R`` evenly; otherwise the recorded hours are scaled by ``B / R``
(sampling, or billed start-up time the samples missed) and unrecorded hours get 0; a billed day recorded at 0
in every hour falls back to the spread ``B / 24``. Each day then adds up to its bill, so idle cost can never
exceed the instance cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from lambdas.common.capacity import SAMPLES_PER_HOUR
from lambdas.cost_reporter.models import CapacitySample

HOURS_PER_DAY = 24
#: Coverage at and above which idle is computed from the recording (``idle_source: recorded``).
MIN_COVERAGE = Decimal("0.9")


def day_hours(day: date) -> list[datetime]:
    """The 24 UTC hour starts of ``day``."""
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    return [midnight + timedelta(hours=h) for h in range(HOURS_PER_DAY)]


def coverage(billed: Mapping[date, Decimal], instances: Mapping[datetime, CapacitySample]) -> Decimal:
    """Share (0..1) of the recorder's samples present over the hours of the days with billed instance-hours;
    0 when no day was billed."""
    days = {day for day, hours in billed.items() if hours > 0}
    if not days:
        return Decimal(0)
    present = sum(
        min(max(sample.samples, 0), SAMPLES_PER_HOUR)
        for hour, sample in instances.items()
        if hour.astimezone(UTC).date() in days
    )
    return Decimal(present) / Decimal(SAMPLES_PER_HOUR * HOURS_PER_DAY * len(days))


def is_recorded(share: Decimal) -> bool:
    """True when ``share`` (a :func:`coverage`) is enough to take idle from the recording."""
    return share >= MIN_COVERAGE


def spread_day(billed: Decimal, day: date) -> dict[datetime, Decimal]:
    """A day's billed instance-hours spread evenly over its 24 hours (the bill gives days only)."""
    return dict.fromkeys(day_hours(day), billed / HOURS_PER_DAY)


def reconciled_day(
    billed: Decimal, day: date, instances: Mapping[datetime, CapacitySample]
) -> dict[datetime, Decimal]:
    """Instances in each UTC hour of ``day``: the recording reconciled with the day's bill (module docstring)."""
    hours = day_hours(day)
    # A negative count is no count a recorder writes: held at 0 rather than subtracted from the day.
    recorded = {
        h: max(instances[h].average, Decimal(0)) for h in hours if h in instances and instances[h].samples > 0
    }
    unrecorded = [h for h in hours if h not in recorded]
    total = sum(recorded.values(), Decimal(0))
    if unrecorded and total <= billed:
        fill = (billed - total) / len(unrecorded)
        return {h: recorded.get(h, fill) for h in hours}
    if total > 0:
        return {h: recorded.get(h, Decimal(0)) * billed / total for h in hours}
    return spread_day(billed, day)


def hourly_instances(
    billed: Mapping[date, Decimal],
    days: Iterable[date],
    instances: Mapping[datetime, CapacitySample] | None,
) -> dict[datetime, Decimal]:
    """Instances in every UTC hour of ``days``: reconciled with the recording when ``instances`` is given,
    else the bill's days spread evenly. Each day adds up to its billed instance-hours."""
    hourly: dict[datetime, Decimal] = {}
    for day in sorted(set(days)):
        day_billed = billed.get(day, Decimal(0))
        if instances is None:
            hourly.update(spread_day(day_billed, day))
        else:
            hourly.update(reconciled_day(day_billed, day, instances))
    return hourly
