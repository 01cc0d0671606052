"""The autoscaling replay: target tracking, cooldowns, min/max and off-hours schedules, minute by minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from demo.cron import Cron
from demo.simulator import SCALE_IN_MINUTES, ScalingSettings, ScheduledAction, desired_capacity, simulate

START = datetime(2026, 10, 19, 0, 0, tzinfo=UTC)  # a Monday; Berlin is UTC+2 until 2026-10-25


def settings(**overrides: object) -> ScalingSettings:
    values: dict[str, object] = {
        "initial_capacity": 1,
        "min_capacity": 1,
        "max_capacity": 4,
        "target": 3.0,
        "scale_out_cooldown_s": 60,
        "scale_in_cooldown_s": 900,
    }
    values.update(overrides)
    return ScalingSettings(**values)  # type: ignore[arg-type]


def test_desired_capacity_is_demand_over_target_rounded_up() -> None:
    assert desired_capacity(0.0, 3.0) == 0
    assert desired_capacity(3.0, 3.0) == 1
    assert desired_capacity(3.0000001, 3.0) == 2
    assert desired_capacity(9.0, 3.0) == 3


def test_scales_out_in_the_minute_demand_rises() -> None:
    demand = [1.0] * 10 + [10.0] * 20
    result = simulate(settings(), demand, START)
    assert result.instances[9] == 1
    assert result.instances[10] == 4  # ceil(10 / 3)
    assert result.scale_outs == 1


def test_scale_out_waits_for_its_cooldown() -> None:
    demand = [1.0] * 10 + [4.0] * 2 + [10.0] * 20
    result = simulate(settings(scale_out_cooldown_s=300), demand, START)
    assert result.instances[10] == 2  # ceil(4 / 3)
    assert result.instances[12] == 2  # wants 4, cooldown runs until minute 15
    assert result.instances[14] == 2
    assert result.instances[15] == 4


def test_scale_in_needs_a_sustained_low_and_its_cooldown() -> None:
    demand = [10.0] * 30 + [5.0] * 16 + [1.0] * 60
    result = simulate(settings(initial_capacity=4, scale_in_cooldown_s=1800), demand, START)
    first = 30 + SCALE_IN_MINUTES - 1  # the 15th consecutive low minute
    assert result.instances[first - 1] == 4
    assert result.instances[first] == 2  # ceil(5 / 3)
    # Low again from minute 46 (15 low minutes by minute 60), but the next scale-in waits for the 1800 s
    # scale-in cooldown after minute `first`.
    assert result.instances[60] == 2
    assert result.instances[first + 29] == 2
    assert result.instances[first + 30] == 1
    assert result.scale_ins == 2


def test_capacity_stays_within_min_and_max() -> None:
    result = simulate(settings(min_capacity=2, initial_capacity=2), [100.0] * 5 + [0.0] * 60, START)
    assert max(result.instances) == 4
    assert min(result.instances) == 2


def off_hours_settings() -> ScalingSettings:
    return settings(
        initial_capacity=2,
        min_capacity=2,
        scheduled_actions=(
            ScheduledAction(Cron.parse("cron(0 20 ? * MON-FRI *)"), "Europe/Berlin", 1, 4),
            ScheduledAction(Cron.parse("cron(0 7 ? * MON-FRI *)"), "Europe/Berlin", 2, 4),
        ),
    )


def minute(at: datetime) -> int:
    return int((at - START) / timedelta(minutes=1))


def test_off_hours_lower_the_floor_at_night_in_the_schedule_time_zone() -> None:
    days = 8
    result = simulate(off_hours_settings(), [0.0] * (days * 1440), START)
    at = result.instances
    # Monday 20:00 in Berlin (CEST) is 18:00 UTC: the floor drops, target tracking scales in 15 low minutes later.
    assert at[minute(datetime(2026, 10, 19, 17, 59, tzinfo=UTC))] == 2
    assert at[minute(datetime(2026, 10, 19, 18, 13, tzinfo=UTC))] == 2
    assert at[minute(datetime(2026, 10, 19, 18, 14, tzinfo=UTC))] == 1
    # Tuesday 07:00 Berlin (05:00 UTC): the floor rises and the instance count with it, at once.
    assert at[minute(datetime(2026, 10, 20, 4, 59, tzinfo=UTC))] == 1
    assert at[minute(datetime(2026, 10, 20, 5, 0, tzinfo=UTC))] == 2
    # Friday evening to Monday morning: one instance all weekend.
    weekend = range(
        minute(datetime(2026, 10, 23, 18, 30, tzinfo=UTC)), minute(datetime(2026, 10, 26, 5, 0, tzinfo=UTC))
    )
    assert {at[m] for m in weekend} == {1}
    # After the switch to CET (2026-10-25), Monday 07:00 Berlin is 06:00 UTC.
    assert at[minute(datetime(2026, 10, 26, 5, 59, tzinfo=UTC))] == 1
    assert at[minute(datetime(2026, 10, 26, 6, 0, tzinfo=UTC))] == 2
    # Six weekdays (Mon 19 .. Fri 23, Mon 26), each with a morning and an evening action.
    assert result.scheduled == 6 + 6


def test_demand_above_the_floor_still_scales_out_off_hours() -> None:
    demand = [0.0] * 1440
    burst = minute(datetime(2026, 10, 19, 22, 0, tzinfo=UTC))
    demand[burst : burst + 30] = [11.0] * 30
    result = simulate(off_hours_settings(), demand, START)
    assert result.instances[burst - 1] == 1
    assert result.instances[burst] == 4
