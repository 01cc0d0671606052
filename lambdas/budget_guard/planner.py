"""What the switch changes on one endpoint, decided from its current state and its tags. Pure: no AWS calls.

The endpoint's tags are the switch's record. Before lowering capacity it writes the previous values of
every production variant (``infersave:guard-previous-*``, values like ``AllTraffic=4 canary=1``); after
success it writes the budget period and time it acted. An endpoint already guarded for the period is
skipped, and recorded previous values are never overwritten, so duplicates, replays and retries after a
partial failure change nothing twice. Restore writes the recorded values back, removes the record and
leaves ``infersave:guard-released-period`` so a replay of the same period's alert does not lower it again.
Counts are instances per variant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

# Tag keys the switch writes on endpoints (alongside lambdas.common.tags). Changing one is a breaking change.
PREVIOUS_MIN: Final = "infersave:guard-previous-min"
PREVIOUS_MAX: Final = "infersave:guard-previous-max"
PREVIOUS_DESIRED: Final = "infersave:guard-previous-desired"
APPLIED_AT: Final = "infersave:guard-applied-at"
BUDGET_PERIOD: Final = "infersave:guard-budget-period"
RELEASED_PERIOD: Final = "infersave:guard-released-period"
RECORD_KEYS: Final = (PREVIOUS_MIN, PREVIOUS_MAX, PREVIOUS_DESIRED, APPLIED_AT, BUDGET_PERIOD)


class PlanError(Exception):
    """The switch cannot act on this endpoint (for example a variant without a scalable target)."""


@dataclass(frozen=True)
class VariantState:
    """One production variant: desired instance count and autoscaling bounds (None: not registered)."""

    variant_name: str
    desired_instance_count: int
    min_capacity: int | None
    max_capacity: int | None


@dataclass(frozen=True)
class EndpointState:
    """An endpoint as read from SageMaker, Application Auto Scaling and its tags."""

    endpoint_name: str
    endpoint_arn: str
    status: str
    variants: tuple[VariantState, ...]
    tags: Mapping[str, str]


@dataclass(frozen=True)
class VariantChange:
    """New autoscaling bounds for one variant, and the desired count to set (None: leave it)."""

    variant_name: str
    min_capacity: int
    max_capacity: int
    desired_instance_count: int | None


@dataclass(frozen=True)
class Plan:
    """What to do to one endpoint. ``skip_reason`` set means do nothing.

    ``tags_before`` are written before any capacity change (the record of previous values),
    ``tags_after`` once every change succeeded; ``untag_keys`` are removed at the end.
    """

    endpoint_name: str
    endpoint_arn: str
    changes: tuple[VariantChange, ...] = ()
    tags_before: Mapping[str, str] = field(default_factory=dict)
    tags_after: Mapping[str, str] = field(default_factory=dict)
    untag_keys: tuple[str, ...] = ()
    skip_reason: str | None = None


def resource_id(endpoint_name: str, variant_name: str) -> str:
    """Application Auto Scaling resource id of a SageMaker production variant."""
    return f"endpoint/{endpoint_name}/variant/{variant_name}"


def encode_counts(counts: Mapping[str, int]) -> str:
    """Tag value for per-variant counts: ``AllTraffic=4 canary=1`` (SageMaker tag values allow no commas)."""
    return " ".join(f"{name}={count}" for name, count in sorted(counts.items()))


def decode_counts(value: str, *, key: str) -> dict[str, int]:
    """Inverse of :func:`encode_counts`; raises PlanError naming the tag when it is malformed."""
    counts: dict[str, int] = {}
    for item in value.split():
        name, sep, number = item.partition("=")
        if not sep or not name or not number.isdigit():
            raise PlanError(f"tag {key}={value!r} is malformed (expected 'variant=count ...')")
        counts[name] = int(number)
    return counts


def plan_guard(state: EndpointState, *, floor: int, period: str, now: datetime) -> Plan:
    """Plan lowering every variant of ``state`` to ``floor`` instances for budget ``period`` (YYYY-MM).

    Never raises capacity: max and min become ``min(current, floor)``; the desired count is set to the floor
    only when it is higher. Raises PlanError when a variant has no scalable target.
    """
    tags = state.tags
    if tags.get(BUDGET_PERIOD) == period:
        return _skip(state, f"already guarded for budget period {period} at {tags.get(APPLIED_AT, '?')}")
    if tags.get(RELEASED_PERIOD) == period:
        return _skip(state, f"restored by an operator for budget period {period}; not lowering it again")
    missing = [v.variant_name for v in state.variants if v.min_capacity is None or v.max_capacity is None]
    if missing:
        raise PlanError(
            f"endpoint {state.endpoint_name}: no scalable target for "
            + ", ".join(resource_id(state.endpoint_name, name) for name in missing)
            + " (sagemaker:variant:DesiredInstanceCount); register autoscaling or lower it by hand"
        )
    if not state.variants:
        raise PlanError(f"endpoint {state.endpoint_name}: describe_endpoint lists no production variants")
    if state.status != "InService":
        # UpdateEndpointWeightsAndCapacities is refused while the endpoint is Creating/Updating/...;
        # failing the invocation lets Lambda retry the event later.
        raise PlanError(f"endpoint {state.endpoint_name} is {state.status}, not InService; retry later")

    recorded = {
        key: decode_counts(tags[key], key=key)
        for key in (PREVIOUS_MIN, PREVIOUS_MAX, PREVIOUS_DESIRED)
        if key in tags
    }
    previous = {
        PREVIOUS_MIN: {v.variant_name: _known(v.min_capacity) for v in state.variants},
        PREVIOUS_MAX: {v.variant_name: _known(v.max_capacity) for v in state.variants},
        PREVIOUS_DESIRED: {v.variant_name: v.desired_instance_count for v in state.variants},
    }
    # Keep what an earlier attempt recorded (current values may already be the floor); add new variants only.
    merged = {key: {**current, **recorded.get(key, {})} for key, current in previous.items()}

    changes = tuple(
        VariantChange(
            variant_name=v.variant_name,
            min_capacity=min(_known(v.min_capacity), floor),
            max_capacity=min(_known(v.max_capacity), floor),
            desired_instance_count=floor if v.desired_instance_count > floor else None,
        )
        for v in state.variants
    )
    lowers = [c for c, v in zip(changes, state.variants, strict=True) if _lowers(c, v)]
    if not lowers and not recorded:
        return _skip(state, f"already at or below the floor of {floor} instance(s)")
    tags_before = {
        key: encode_counts(counts) for key, counts in merged.items() if counts != recorded.get(key)
    }
    return Plan(
        endpoint_name=state.endpoint_name,
        endpoint_arn=state.endpoint_arn,
        changes=tuple(lowers),
        tags_before=tags_before,
        tags_after={BUDGET_PERIOD: period, APPLIED_AT: now.strftime("%Y-%m-%dT%H:%M:%SZ")},
        untag_keys=(RELEASED_PERIOD,) if RELEASED_PERIOD in tags else (),
    )


def plan_restore(state: EndpointState) -> Plan:
    """Plan putting back the capacity recorded in the guard tags of ``state`` and removing the record."""
    tags = state.tags
    if not any(key in tags for key in RECORD_KEYS):
        return _skip(state, "not guarded (no infersave:guard-* tags)")
    recorded = {
        key: decode_counts(tags.get(key, ""), key=key)
        for key in (PREVIOUS_MIN, PREVIOUS_MAX, PREVIOUS_DESIRED)
    }
    changes: list[VariantChange] = []
    for variant in state.variants:
        name = variant.variant_name
        if name not in recorded[PREVIOUS_MIN] or name not in recorded[PREVIOUS_MAX]:
            continue  # added after the guard acted: nothing recorded to put back
        min_capacity, max_capacity = recorded[PREVIOUS_MIN][name], recorded[PREVIOUS_MAX][name]
        target = recorded[PREVIOUS_DESIRED].get(name, variant.desired_instance_count)
        target = max(min_capacity, min(target, max_capacity))
        changes.append(
            VariantChange(
                variant_name=name,
                min_capacity=min_capacity,
                max_capacity=max_capacity,
                desired_instance_count=target if target != variant.desired_instance_count else None,
            )
        )
    period = tags.get(BUDGET_PERIOD)
    return Plan(
        endpoint_name=state.endpoint_name,
        endpoint_arn=state.endpoint_arn,
        changes=tuple(changes),
        tags_after={RELEASED_PERIOD: period} if period else {},
        untag_keys=tuple(key for key in RECORD_KEYS if key in tags),
    )


def _skip(state: EndpointState, reason: str) -> Plan:
    return Plan(endpoint_name=state.endpoint_name, endpoint_arn=state.endpoint_arn, skip_reason=reason)


def _known(value: int | None) -> int:
    if value is None:  # pragma: no cover - plan_guard checks this first
        raise PlanError("scalable target bound missing")
    return value


def _lowers(change: VariantChange, variant: VariantState) -> bool:
    return (
        change.desired_instance_count is not None
        or change.min_capacity != variant.min_capacity
        or change.max_capacity != variant.max_capacity
    )
