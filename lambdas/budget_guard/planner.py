"""What the switch changes on one endpoint, decided from its current state and its tags. Pure: no AWS calls.

The endpoint's tags are the switch's record. Before lowering capacity it writes the previous values of
every production variant (``infersave:guard-previous-*``, values like ``AllTraffic=4 canary=1``, and for
the scalable target's suspended state ``AllTraffic=none canary=scheduled``); after success it writes the
budget period and time it acted. An endpoint already guarded for the period is skipped, and recorded
previous values are never overwritten, so duplicates, replays and retries after a partial failure change
nothing twice. Restore writes the recorded values back and, only once they read back as applied, removes
the record and leaves ``infersave:guard-released-period`` so a replay of the same period's alert does not
lower it again. A record that is incomplete, hand-edited or out of range is refused, never half-applied
and never deleted. Tag values are read as ASCII digits only, bounded in length. Counts are instances per
variant.

Lowering the autoscaling max alone would not hold: the off-hours scheduled actions (``OffHoursDown`` /
``OffHoursUp``) set MaxCapacity back to the configured max at their next run. So every variant of a guarded
endpoint also gets its scheduled scaling suspended (``SuspendedState.ScheduledScalingSuspended``); dynamic
scaling in/out is left as it was and keeps working within the lowered bounds. Restore puts the recorded
suspended state back (an endpoint guarded before this record existed keeps its current suspended state).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final, TypeVar

# Tag keys the switch writes on endpoints (alongside lambdas.common.tags). Changing one is a breaking change.
PREVIOUS_MIN: Final = "infersave:guard-previous-min"
PREVIOUS_MAX: Final = "infersave:guard-previous-max"
PREVIOUS_DESIRED: Final = "infersave:guard-previous-desired"
PREVIOUS_SUSPENDED: Final = "infersave:guard-previous-suspended"
APPLIED_AT: Final = "infersave:guard-applied-at"
BUDGET_PERIOD: Final = "infersave:guard-budget-period"
RELEASED_PERIOD: Final = "infersave:guard-released-period"
RECORD_KEYS: Final = (
    PREVIOUS_MIN,
    PREVIOUS_MAX,
    PREVIOUS_DESIRED,
    PREVIOUS_SUSPENDED,
    APPLIED_AT,
    BUDGET_PERIOD,
)
_COUNT_KEYS: Final = (PREVIOUS_MIN, PREVIOUS_MAX, PREVIOUS_DESIRED)


_T = TypeVar("_T")


class PlanError(Exception):
    """The switch cannot act on this endpoint (for example a variant without a scalable target)."""


class RestoreRefused(PlanError):
    """Restore will not apply this endpoint's record (missing, hand-edited or out-of-range values); the
    record stays as it is and the message says why."""


#: Most digits a recorded count may have: SageMaker variants count instances in the tens or hundreds.
_MAX_COUNT_DIGITS: Final = 6
_ASCII_DIGITS: Final = frozenset("0123456789")


@dataclass(frozen=True)
class Bounds:
    """Instances per variant a restored endpoint may have: ``floor`` <= min <= desired <= max <= ``ceiling``
    (from the config: the lowest of ``instances.min`` and ``off_hours.min_capacity``, and ``instances.max``)."""

    floor: int
    ceiling: int


@dataclass(frozen=True)
class Suspension:
    """The ``SuspendedState`` of a scalable target; AWS's default (nothing given) is nothing suspended."""

    dynamic_in: bool = False
    dynamic_out: bool = False
    scheduled: bool = False


#: Words of a suspension in tag values, in this order; ``none`` when nothing is suspended.
_SUSPENSION_WORDS: Final = ("dynamic-in", "dynamic-out", "scheduled")


@dataclass(frozen=True)
class VariantState:
    """One production variant: desired instance count, autoscaling bounds (None: not registered) and the
    suspended state of its scalable target."""

    variant_name: str
    desired_instance_count: int
    min_capacity: int | None
    max_capacity: int | None
    suspension: Suspension = Suspension()


@dataclass(frozen=True)
class EndpointState:
    """An endpoint as read from SageMaker, Application Auto Scaling and its tags."""

    endpoint_name: str
    endpoint_arn: str
    status: str
    variants: tuple[VariantState, ...]
    tags: Mapping[str, str]
    #: The units are inference components (copies), not production variants (instances).
    components: bool = False


@dataclass(frozen=True)
class VariantChange:
    """New autoscaling bounds for one variant, the desired count and the suspended state to set
    (None: leave it)."""

    variant_name: str
    min_capacity: int
    max_capacity: int
    desired_instance_count: int | None
    suspension: Suspension | None = None


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
    #: Restore raises the scalable target's bounds before the desired count; guard lowers the count first.
    bounds_first: bool = False
    #: The changes name inference components (copy counts), not production variants.
    components: bool = False


def resource_id(endpoint_name: str, variant_name: str) -> str:
    """Application Auto Scaling resource id of a SageMaker production variant."""
    return f"endpoint/{endpoint_name}/variant/{variant_name}"


def component_resource_id(component_name: str) -> str:
    """Application Auto Scaling resource id of a SageMaker inference component."""
    return f"inference-component/{component_name}"


def unit_resource_id(endpoint_name: str, unit: str, *, components: bool) -> str:
    """The resource id of a unit of the switch: an inference component, or a production variant."""
    return component_resource_id(unit) if components else resource_id(endpoint_name, unit)


def dimension(*, components: bool) -> str:
    """The scalable dimension of a unit of the switch."""
    return (
        "sagemaker:inference-component:DesiredCopyCount"
        if components
        else "sagemaker:variant:DesiredInstanceCount"
    )


def encode_counts(counts: Mapping[str, int]) -> str:
    """Tag value for per-variant counts: ``AllTraffic=4 canary=1`` (SageMaker tag values allow no commas)."""
    return _encode(counts, str)


def decode_counts(value: str, *, key: str) -> dict[str, int]:
    """Inverse of :func:`encode_counts`; raises PlanError naming the tag when it is malformed."""
    return _decode(value, key, _count_of, "variant=count ...")


def encode_suspensions(suspensions: Mapping[str, Suspension]) -> str:
    """Tag value for per-variant suspended states: ``AllTraffic=none canary=dynamic-in+scheduled``."""
    return _encode(suspensions, _suspension_word)


def decode_suspensions(value: str, *, key: str) -> dict[str, Suspension]:
    """Inverse of :func:`encode_suspensions`; raises PlanError naming the tag when it is malformed."""
    return _decode(value, key, _suspension_of, "variant=none or variant=dynamic-in+scheduled ...")


def _encode(values: Mapping[str, _T], word: Callable[[_T], str]) -> str:
    return " ".join(f"{name}={word(item)}" for name, item in sorted(values.items()))


def _decode(value: str, key: str, parse: Callable[[str], _T | None], expected: str) -> dict[str, _T]:
    decoded: dict[str, _T] = {}
    for item in value.split():
        name, sep, word = item.partition("=")
        parsed = parse(word) if sep and name and word else None
        if parsed is None or name in decoded:
            raise PlanError(f"tag {key}={value[:100]!r} is malformed (expected '{expected}')")
        decoded[name] = parsed
    return decoded


def _count_of(word: str) -> int | None:
    """A count written in ASCII digits (``str.isdigit`` also accepts superscripts, which ``int`` rejects)."""
    if not 1 <= len(word) <= _MAX_COUNT_DIGITS or not set(word) <= _ASCII_DIGITS:
        return None
    return int(word)


def _suspension_of(word: str) -> Suspension | None:
    flags = set() if word == "none" else set(word.split("+"))
    if not flags <= set(_SUSPENSION_WORDS):
        return None
    return Suspension(*(w in flags for w in _SUSPENSION_WORDS))


def _suspension_word(suspension: Suspension) -> str:
    flags = (suspension.dynamic_in, suspension.dynamic_out, suspension.scheduled)
    return "+".join(w for w, on in zip(_SUSPENSION_WORDS, flags, strict=True) if on) or "none"


def plan_guard(state: EndpointState, *, floor: int, period: str, now: datetime) -> Plan:
    """Plan lowering every variant of ``state`` to ``floor`` instances for budget ``period`` (YYYY-MM).

    Never raises capacity: max and min become ``min(current, floor)``; the desired count is set to the floor
    only when it is higher; scheduled scaling is suspended on every variant (dynamic scaling is kept as
    is). An endpoint already at or below the floor is left alone. Raises PlanError when a variant has no
    scalable target.
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
            + ", ".join(
                unit_resource_id(state.endpoint_name, n, components=state.components) for n in missing
            )
            + f" ({dimension(components=state.components)}); register autoscaling or lower it by hand"
        )
    if not state.variants:
        raise PlanError(f"endpoint {state.endpoint_name}: describe_endpoint lists no production variants")
    if state.status != "InService":
        # UpdateEndpointWeightsAndCapacities is refused while the endpoint is Creating/Updating/...;
        # failing the invocation lets Lambda retry the event later.
        raise PlanError(f"endpoint {state.endpoint_name} is {state.status}, not InService; retry later")

    recorded = {key: decode_counts(tags[key], key=key) for key in _COUNT_KEYS if key in tags}
    recorded_suspensions = (
        decode_suspensions(tags[PREVIOUS_SUSPENDED], key=PREVIOUS_SUSPENDED)
        if PREVIOUS_SUSPENDED in tags
        else None
    )
    previous = {
        PREVIOUS_MIN: {v.variant_name: _known(v.min_capacity) for v in state.variants},
        PREVIOUS_MAX: {v.variant_name: _known(v.max_capacity) for v in state.variants},
        PREVIOUS_DESIRED: {v.variant_name: v.desired_instance_count for v in state.variants},
    }
    # Keep what an earlier attempt recorded (current values may already be the floor); add new variants only.
    merged = {key: {**current, **recorded.get(key, {})} for key, current in previous.items()}
    suspensions = {
        **{v.variant_name: v.suspension for v in state.variants},
        **(recorded_suspensions or {}),
    }

    changes = tuple(
        VariantChange(
            variant_name=v.variant_name,
            min_capacity=min(_known(v.min_capacity), floor),
            max_capacity=min(_known(v.max_capacity), floor),
            desired_instance_count=floor if v.desired_instance_count > floor else None,
            # Hold the lowered max against the scheduled actions; dynamic scaling stays as it is.
            suspension=replace(v.suspension, scheduled=True),
        )
        for v in state.variants
    )
    pairs = list(zip(changes, state.variants, strict=True))
    if not any(_lowers(c, v) for c, v in pairs) and not recorded and recorded_suspensions is None:
        return _skip(state, f"already at or below the floor of {floor} instance(s)")
    # Guarding: every variant whose capacity drops or whose scheduled scaling still runs is changed.
    needed = tuple(c for c, v in pairs if _lowers(c, v) or c.suspension != v.suspension)
    tags_before = {
        key: encode_counts(counts) for key, counts in merged.items() if counts != recorded.get(key)
    }
    if suspensions != recorded_suspensions:
        tags_before[PREVIOUS_SUSPENDED] = encode_suspensions(suspensions)
    return Plan(
        endpoint_name=state.endpoint_name,
        endpoint_arn=state.endpoint_arn,
        changes=needed,
        tags_before=tags_before,
        tags_after={BUDGET_PERIOD: period, APPLIED_AT: now.strftime("%Y-%m-%dT%H:%M:%SZ")},
        untag_keys=(RELEASED_PERIOD,) if RELEASED_PERIOD in tags else (),
        components=state.components,
    )


def plan_restore(state: EndpointState, *, bounds: Bounds | None = None) -> Plan:
    """Plan putting back the capacity and suspended state recorded in the guard tags of ``state`` and
    removing the record.

    Raises RestoreRefused, leaving the record alone, when the record is incomplete (a previous-min, -max or
    -desired tag missing, or a variant missing from one), malformed (hand-edited), names other variants than
    the endpoint has, or holds values outside ``1 <= min <= desired <= max`` (and ``bounds``, when given).
    Raises PlanError when it cannot act now (no scalable target, endpoint not InService). Variants already
    at their recorded values need no change, so a second restore after a partial one finishes the job.
    """
    tags = state.tags
    if not any(key in tags for key in RECORD_KEYS):
        return _skip(state, "not guarded (no infersave:guard-* tags)")
    name = state.endpoint_name
    missing = [key for key in _COUNT_KEYS if key not in tags]
    if missing:
        raise RestoreRefused(
            f"endpoint {name}: the guard record lacks {', '.join(missing)}; nothing to put back with "
            "certainty. Set the capacity by hand, then remove the infersave:guard-* tags"
        )
    try:
        recorded = {key: decode_counts(tags[key], key=key) for key in _COUNT_KEYS}
        # Absent when an earlier version of the switch guarded the endpoint: the suspended state is left alone.
        suspensions = decode_suspensions(tags.get(PREVIOUS_SUSPENDED, ""), key=PREVIOUS_SUSPENDED)
    except PlanError as exc:
        raise RestoreRefused(f"endpoint {name}: {exc}; fix the tag or set the capacity by hand") from None
    current = {v.variant_name for v in state.variants}
    for key, counts in recorded.items():
        if set(counts) != current:
            raise RestoreRefused(
                f"endpoint {name}: {key} records variants {sorted(counts)}, the endpoint has {sorted(current)}"
            )
    if PREVIOUS_SUSPENDED in tags and set(suspensions) != current:
        raise RestoreRefused(
            f"endpoint {name}: {PREVIOUS_SUSPENDED} records variants {sorted(suspensions)}, the endpoint has "
            f"{sorted(current)}"
        )
    changes: list[VariantChange] = []
    for variant in state.variants:
        vname = variant.variant_name
        low, high = recorded[PREVIOUS_MIN][vname], recorded[PREVIOUS_MAX][vname]
        desired = recorded[PREVIOUS_DESIRED][vname]
        _check_range(name, vname, low, desired, high, bounds=bounds, least=0 if state.components else 1)
        if variant.min_capacity is None or variant.max_capacity is None:
            target = unit_resource_id(name, vname, components=state.components)
            raise PlanError(f"endpoint {name}: no scalable target for {target}; register it, then restore")
        change = VariantChange(
            variant_name=vname,
            min_capacity=low,
            max_capacity=high,
            desired_instance_count=desired if desired != variant.desired_instance_count else None,
            suspension=suspensions.get(vname),
        )
        if change.desired_instance_count is not None and state.status != "InService":
            raise PlanError(f"endpoint {name} is {state.status}, not InService; rerun restore when it is")
        if _lowers(change, variant) or (change.suspension not in (None, variant.suspension)):
            changes.append(change)
    period = tags.get(BUDGET_PERIOD)
    return Plan(
        endpoint_name=state.endpoint_name,
        endpoint_arn=state.endpoint_arn,
        changes=tuple(changes),
        tags_after={RELEASED_PERIOD: period} if period else {},
        untag_keys=tuple(key for key in RECORD_KEYS if key in tags),
        bounds_first=True,
        components=state.components,
    )


def verify_applied(plan: Plan, state: EndpointState) -> list[str]:
    """What of ``plan``'s changes ``state`` (read after applying them) does not show; empty when all did.

    ``DesiredInstanceCount`` is "the number of instances requested in the UpdateEndpointWeightsAndCapacities
    request" (ProductionVariantSummary), so it shows the request at once, before instances follow.
    """
    variants = {v.variant_name: v for v in state.variants}
    problems: list[str] = []
    for change in plan.changes:
        seen = variants.get(change.variant_name)
        if seen is None:
            problems.append(f"variant {change.variant_name} is gone")
            continue
        wanted = (change.min_capacity, change.max_capacity)
        if (seen.min_capacity, seen.max_capacity) != wanted:
            problems.append(
                f"{change.variant_name}: min/max {seen.min_capacity}/{seen.max_capacity}, expected {wanted[0]}/{wanted[1]}"
            )
        if (
            change.desired_instance_count is not None
            and seen.desired_instance_count != change.desired_instance_count
        ):
            problems.append(
                f"{change.variant_name}: desired {seen.desired_instance_count}, expected {change.desired_instance_count}"
            )
        if change.suspension is not None and seen.suspension != change.suspension:
            problems.append(f"{change.variant_name}: suspended state not applied")
    return problems


def _check_range(
    endpoint: str, variant: str, low: int, desired: int, high: int, *, bounds: Bounds | None, least: int = 1
) -> None:
    """``least`` <= min <= desired <= max (``least`` 0 for inference components, which may scale to zero)."""
    values = f"min {low}, desired {desired}, max {high}"
    if not least <= low <= desired <= high or high < 1:
        raise RestoreRefused(
            f"endpoint {endpoint} variant {variant}: recorded {values} break {least} <= min <= desired <= max; "
            "the record was edited or damaged"
        )
    if bounds is not None and not bounds.floor <= low <= high <= bounds.ceiling:
        raise RestoreRefused(
            f"endpoint {endpoint} variant {variant}: recorded {values} are outside the config's bounds "
            f"{bounds.floor}..{bounds.ceiling} instances"
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
