"""Idle cost, cold starts and the NeuronCore-hour split of a shared endpoint (pure logic)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lambdas.cost_reporter.logic.idle import HourUsage, cold_starts, idle, split_by_core_hours


def test_idle_hours_are_paid_hours_without_traffic_and_zero_is_not_idle() -> None:
    hours = [
        HourUsage(Decimal(2), 120),
        HourUsage(Decimal(2), 0),  # idle: paid, nothing served
        HourUsage(Decimal("0.5"), 0),  # scaled to zero half-way: half an idle instance-hour
        HourUsage(Decimal(0), 0),  # at zero: free, not idle
    ]
    result = idle(hours, Decimal("0.99"))
    assert result.instance_hours == Decimal("4.5")
    assert result.idle_instance_hours == Decimal("2.5")
    assert result.idle_cost == Decimal("2.475")
    assert result.idle_share == Decimal("2.5") / Decimal("4.5")
    assert result.hours_at_zero == 1
    assert idle([HourUsage(Decimal(0), 0)], Decimal(1)).idle_share is None


def test_a_cold_start_is_a_run_of_refusing_minutes() -> None:
    result = cold_starts([0, 3, 2, 0, 0, 1, 0, 5])
    assert (result.count, result.refused_requests, result.minutes_refusing) == (3, 11, 4)
    with pytest.raises(ValueError, match="negative"):
        cold_starts([1, -1])


def test_the_split_follows_core_hours_and_adds_up_to_the_cost() -> None:
    shares = split_by_core_hours(
        Decimal("100.00"), {"chat": Decimal(300), "small": Decimal(100), "idle": Decimal(0)}
    )
    assert shares == {"chat": Decimal("75.00"), "idle": Decimal(0), "small": Decimal("25.00")}
    thirds = split_by_core_hours(Decimal(10), {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)})
    assert sum(thirds.values()) == Decimal(10)
    assert split_by_core_hours(Decimal(6), {"a": Decimal(0), "b": Decimal(0)}) == {
        "a": Decimal(3),
        "b": Decimal(3),
    }
    assert split_by_core_hours(Decimal(6), {}) == {}
