"""Planning, without AWS: what is lowered, what is recorded, what is restored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lambdas.budget_guard import planner
from lambdas.budget_guard.planner import EndpointState, PlanError, Suspension, VariantChange, VariantState

NOW = datetime(2025, 6, 14, 9, 30, 12, tzinfo=UTC)
ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/chat"
SCHEDULED = Suspension(scheduled=True)


def _state(*variants: VariantState, tags: dict[str, str] | None = None) -> EndpointState:
    return EndpointState("chat", ARN, "InService", variants, tags or {})


def test_guard_lowers_and_records_previous_values() -> None:
    state = _state(VariantState("AllTraffic", 3, 2, 6), VariantState("canary", 1, 1, 2))

    plan = planner.plan_guard(state, floor=1, period="2025-06", now=NOW)

    assert plan.skip_reason is None
    assert plan.changes == (
        VariantChange("AllTraffic", 1, 1, 1, SCHEDULED),
        VariantChange("canary", 1, 1, None, SCHEDULED),
    )
    assert plan.tags_before == {
        planner.PREVIOUS_MIN: "AllTraffic=2 canary=1",
        planner.PREVIOUS_MAX: "AllTraffic=6 canary=2",
        planner.PREVIOUS_DESIRED: "AllTraffic=3 canary=1",
        planner.PREVIOUS_SUSPENDED: "AllTraffic=none canary=none",
    }
    assert plan.tags_after == {planner.BUDGET_PERIOD: "2025-06", planner.APPLIED_AT: "2025-06-14T09:30:12Z"}


def test_guard_suspends_scheduled_scaling_and_keeps_dynamic_scaling_as_it_was() -> None:
    # The off-hours scheduled actions would set the max back; dynamic scale-in was suspended by someone.
    state = _state(VariantState("AllTraffic", 3, 2, 6, Suspension(dynamic_in=True)))

    plan = planner.plan_guard(state, floor=1, period="2025-06", now=NOW)

    assert plan.changes == (
        VariantChange("AllTraffic", 1, 1, 1, Suspension(dynamic_in=True, scheduled=True)),
    )
    assert plan.tags_before[planner.PREVIOUS_SUSPENDED] == "AllTraffic=dynamic-in"


def test_guard_holds_a_variant_already_at_the_floor_against_its_schedule() -> None:
    # canary needs no lowering, but its scheduled actions would raise its max while the endpoint is guarded.
    state = _state(VariantState("AllTraffic", 3, 2, 6), VariantState("canary", 1, 1, 1))

    plan = planner.plan_guard(state, floor=1, period="2025-06", now=NOW)

    assert plan.changes == (
        VariantChange("AllTraffic", 1, 1, 1, SCHEDULED),
        VariantChange("canary", 1, 1, None, SCHEDULED),
    )


def test_guard_never_raises_capacity() -> None:
    plan = planner.plan_guard(_state(VariantState("AllTraffic", 1, 1, 2)), floor=3, period="2025-06", now=NOW)

    assert plan.skip_reason == "already at or below the floor of 3 instance(s)"


def test_guard_skips_an_endpoint_already_guarded_for_the_period() -> None:
    tags = {planner.BUDGET_PERIOD: "2025-06", planner.PREVIOUS_MAX: "AllTraffic=6"}

    plan = planner.plan_guard(
        _state(VariantState("AllTraffic", 3, 1, 6), tags=tags), floor=1, period="2025-06", now=NOW
    )

    assert plan.skip_reason is not None
    assert "already guarded" in plan.skip_reason


def test_guard_skips_an_endpoint_an_operator_restored_this_period() -> None:
    tags = {planner.RELEASED_PERIOD: "2025-06"}

    plan = planner.plan_guard(
        _state(VariantState("AllTraffic", 3, 1, 6), tags=tags), floor=1, period="2025-06", now=NOW
    )

    assert plan.skip_reason is not None
    assert "restored by an operator" in plan.skip_reason


def test_guard_keeps_values_recorded_by_an_interrupted_attempt() -> None:
    # A first attempt recorded the previous values and lowered the max, then failed before the marker.
    tags = {
        planner.PREVIOUS_MIN: "AllTraffic=2",
        planner.PREVIOUS_MAX: "AllTraffic=6",
        planner.PREVIOUS_DESIRED: "AllTraffic=3",
        planner.PREVIOUS_SUSPENDED: "AllTraffic=none",
    }
    state = _state(VariantState("AllTraffic", 3, 1, 1, SCHEDULED), tags=tags)

    plan = planner.plan_guard(state, floor=1, period="2025-06", now=NOW)

    assert plan.tags_before == {}
    assert plan.changes == (VariantChange("AllTraffic", 1, 1, 1, SCHEDULED),)
    assert plan.tags_after[planner.BUDGET_PERIOD] == "2025-06"


def test_guard_without_scalable_target_cannot_act() -> None:
    with pytest.raises(PlanError, match="no scalable target for endpoint/chat/variant/AllTraffic"):
        planner.plan_guard(
            _state(VariantState("AllTraffic", 3, None, None)), floor=1, period="2025-06", now=NOW
        )


def test_guard_of_an_endpoint_being_updated_cannot_act() -> None:
    state = EndpointState("chat", ARN, "Updating", (VariantState("AllTraffic", 3, 1, 6),), {})

    with pytest.raises(PlanError, match="chat is Updating, not InService"):
        planner.plan_guard(state, floor=1, period="2025-06", now=NOW)


def test_restore_puts_back_recorded_values_and_releases_the_period() -> None:
    tags = {
        planner.PREVIOUS_MIN: "AllTraffic=2",
        planner.PREVIOUS_MAX: "AllTraffic=6",
        planner.PREVIOUS_DESIRED: "AllTraffic=3",
        planner.PREVIOUS_SUSPENDED: "AllTraffic=dynamic-out",
        planner.BUDGET_PERIOD: "2025-06",
        planner.APPLIED_AT: "2025-06-14T09:30:12Z",
    }
    state = _state(
        VariantState("AllTraffic", 1, 1, 1, Suspension(dynamic_out=True, scheduled=True)), tags=tags
    )

    plan = planner.plan_restore(state)

    assert plan.changes == (VariantChange("AllTraffic", 2, 6, 3, Suspension(dynamic_out=True)),)
    assert plan.tags_after == {planner.RELEASED_PERIOD: "2025-06"}
    assert set(plan.untag_keys) == set(planner.RECORD_KEYS)


def test_restore_of_a_record_without_suspended_state_leaves_it_alone() -> None:
    # Guarded by a version of the switch that did not suspend scheduled scaling.
    tags = {
        planner.PREVIOUS_MIN: "AllTraffic=2",
        planner.PREVIOUS_MAX: "AllTraffic=6",
        planner.PREVIOUS_DESIRED: "AllTraffic=2",
    }

    plan = planner.plan_restore(_state(VariantState("AllTraffic", 1, 1, 1), tags=tags))

    assert plan.changes == (VariantChange("AllTraffic", 2, 6, 2, None),)


def test_restore_of_an_unguarded_endpoint_does_nothing() -> None:
    assert planner.plan_restore(_state(VariantState("AllTraffic", 1, 1, 1))).skip_reason is not None


@pytest.mark.parametrize("value", ["AllTraffic", "AllTraffic=x", "=3", "AllTraffic=-1"])
def test_malformed_record_is_reported_with_its_tag(value: str) -> None:
    with pytest.raises(PlanError, match=planner.PREVIOUS_MAX):
        planner.decode_counts(value, key=planner.PREVIOUS_MAX)


@pytest.mark.parametrize(
    "value", ["AllTraffic", "AllTraffic=", "AllTraffic=paused", "=none", "a=scheduled+x"]
)
def test_malformed_suspended_record_is_reported_with_its_tag(value: str) -> None:
    with pytest.raises(PlanError, match=planner.PREVIOUS_SUSPENDED):
        planner.decode_suspensions(value, key=planner.PREVIOUS_SUSPENDED)


def test_suspensions_round_trip() -> None:
    suspensions = {
        "AllTraffic": Suspension(),
        "b": Suspension(dynamic_in=True, dynamic_out=True, scheduled=True),
        "c": Suspension(dynamic_out=True),
    }

    encoded = planner.encode_suspensions(suspensions)

    assert encoded == "AllTraffic=none b=dynamic-in+dynamic-out+scheduled c=dynamic-out"
    assert planner.decode_suspensions(encoded, key="k") == suspensions


def test_counts_round_trip() -> None:
    counts = {"b-variant": 2, "AllTraffic": 10}

    assert planner.decode_counts(planner.encode_counts(counts), key="k") == counts
