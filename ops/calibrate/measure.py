"""Pure figures of a calibration: per-request timings in, load-level summaries, the search for the highest
rate that meets the objective, and the capacity ratio out. No I/O; seconds, requests per second, tokens."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: A level is sustained when the endpoint finished its last request within this share of the send window after
#: the last send: above its capacity the backlog grows with every request and the drain takes longer. The test is
#: a ratio of two durations, so it judges a fast and a slow endpoint alike (a latency bound alone favours the
#: faster one: its queues drain in less time at the same relative overload).
MAX_DRAIN_SHARE = 0.25


@dataclass(frozen=True)
class Objective:
    """The latency objective: p90 time to first token and p90 inter-token latency, seconds."""

    ttft_p90_s: float
    itl_p90_s: float


@dataclass
class RequestResult:
    """One request as the generator saw it: times relative to the level's start (seconds)."""

    send_s: float
    token_times_s: list[float] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    #: Where the token counts come from: "container" (usage / details) or "request mix" (absent in the answer).
    input_counted_by: str = "container"
    output_counted_by: str = "container"
    error: str | None = None
    throttled: bool = False

    @property
    def ok(self) -> bool:
        """Answered completely, with at least one token."""
        return self.error is None and bool(self.token_times_s)


def percentile(values: Sequence[float], share: float) -> float:
    """Linear-interpolated percentile (``share`` in 0..1) of ``values``; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _spread(values: Sequence[float]) -> dict[str, float | None]:
    return {
        name: (None if not values else round(percentile(values, share), 6))
        for name, share in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
    }


@dataclass(frozen=True)
class LevelSummary:
    """One load level: what was offered, what came back, whether it meets the objective."""

    offered_rps: float
    repeat: int
    requests: int
    errors: int
    throttled: int
    achieved_rps: float
    output_tokens_per_s: float
    ttft_s: dict[str, float | None]
    itl_s: dict[str, float | None]
    e2e_s: dict[str, float | None]
    meets_objective: bool
    input_tokens: int
    output_tokens: int

    def as_json(self) -> dict[str, Any]:
        """The contract's level record (calibration.json ``sides.*.levels[]``)."""
        return {
            "offered_rps": round(self.offered_rps, 6),
            "concurrency": None,
            "repeat": self.repeat,
            "requests": self.requests,
            "errors": self.errors,
            "throttled": self.throttled,
            "achieved_rps": round(self.achieved_rps, 6),
            "output_tokens_per_s": round(self.output_tokens_per_s, 6),
            "ttft_s": self.ttft_s,
            "itl_s": self.itl_s,
            "e2e_s": self.e2e_s,
            "meets_objective": self.meets_objective,
        }


def summarize(
    results: Sequence[RequestResult],
    *,
    offered_rps: float,
    repeat: int,
    objective: Objective,
    instances: float,
) -> LevelSummary:
    """Summarize a level. Throughput counts answered requests over the send window (first to last send), per
    instance. A level meets the objective when nothing failed, the endpoint kept up (its last answer came within
    :data:`MAX_DRAIN_SHARE` of the window after the last send) and its p90 latencies are within the objective:
    then the offered rate was sustained."""
    ok = [r for r in results if r.ok]
    ttft = [r.token_times_s[0] - r.send_s for r in ok]
    e2e = [r.token_times_s[-1] - r.send_s for r in ok]
    itl = [b - a for r in ok for a, b in zip(r.token_times_s, r.token_times_s[1:], strict=False)]
    sends = [r.send_s for r in results]
    window = (max(sends) - min(sends)) if len(sends) > 1 else 0.0
    # n requests sent over a window of n - 1 gaps: the rate the window sustained
    rate = (len(ok) - 1) / window if window > 0 and len(ok) > 1 else 0.0
    tokens_rate = rate * (sum(r.output_tokens for r in ok) / len(ok)) if ok else 0.0
    errors = len(results) - len(ok)
    drain = (max(r.token_times_s[-1] for r in ok) - max(sends)) if ok else math.inf
    meets = (
        errors == 0
        and bool(ok)
        and window > 0
        and drain <= MAX_DRAIN_SHARE * window
        and percentile(ttft, 0.9) <= objective.ttft_p90_s
        and (not itl or percentile(itl, 0.9) <= objective.itl_p90_s)
    )
    return LevelSummary(
        offered_rps=offered_rps / instances,
        repeat=repeat,
        requests=len(results),
        errors=errors,
        throttled=sum(r.throttled for r in results),
        achieved_rps=rate / instances,
        output_tokens_per_s=tokens_rate / instances,
        ttft_s=_spread(ttft),
        itl_s=_spread(itl),
        e2e_s=_spread(e2e),
        meets_objective=meets,
        input_tokens=sum(r.input_tokens for r in ok),
        output_tokens=sum(r.output_tokens for r in ok),
    )


@dataclass(frozen=True)
class SearchPlan:
    """The rate search of one repeat: double from ``start_rps`` until a level fails (at most ``max_levels``),
    then bisect (geometrically) between the last pass and the first failure until they are within
    ``tolerance`` (relative)."""

    start_rps: float = 0.25
    max_levels: int = 14
    tolerance: float = 0.03


def next_rate(plan: SearchPlan, passed: Sequence[float], failed: Sequence[float]) -> float | None:
    """The next offered rate (endpoint-wide requests/s) to try, or None when the search is done."""
    if len(passed) + len(failed) >= plan.max_levels:
        return None
    if not failed:
        return plan.start_rps if not passed else max(passed) * 2
    low = max((p for p in passed if p < min(failed)), default=None)
    high = min(failed)
    if low is None:
        return high / 2 if high / 2 >= plan.start_rps / 64 else None
    if high / low <= 1 + plan.tolerance:
        return None
    return math.sqrt(low * high)


def best_of(levels: Sequence[LevelSummary]) -> LevelSummary | None:
    """The level with the highest sustained throughput that meets the objective."""
    passing = [level for level in levels if level.meets_objective]
    return max(passing, key=lambda level: level.achieved_rps, default=None)


def side_best(per_repeat: Sequence[LevelSummary | None]) -> dict[str, Any]:
    """Best over repeats: mean of each repeat's best, with min/max (requests/s per instance)."""
    found = [level for level in per_repeat if level is not None]
    if not found or len(found) < len(per_repeat):
        return {"requests_per_s": None, "output_tokens_per_s": None, "spread": {"min": None, "max": None}}
    rates = [level.achieved_rps for level in found]
    tokens = [level.output_tokens_per_s for level in found]
    return {
        "requests_per_s": round(sum(rates) / len(rates), 6),
        "output_tokens_per_s": round(sum(tokens) / len(tokens), 6),
        "spread": {"min": round(min(rates), 6), "max": round(max(rates), 6)},
    }


def capacity_ratio(inf2: dict[str, Any], baseline: dict[str, Any]) -> tuple[float, float, float] | None:
    """(ratio, low, high): Inferentia2 throughput over the baseline's; low/high from the repeats' spread."""
    if not inf2["requests_per_s"] or not baseline["requests_per_s"]:
        return None
    ratio = inf2["requests_per_s"] / baseline["requests_per_s"]
    low = inf2["spread"]["min"] / baseline["spread"]["max"]
    high = inf2["spread"]["max"] / baseline["spread"]["min"]
    return round(ratio, 4), round(low, 4), round(high, 4)
