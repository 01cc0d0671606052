"""One side of a calibration (an endpoint): the rate search over repeats, bounded in requests and time."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ops.calibrate.loadgen import Progress, SageMakerRuntimeClient, Target, run_level
from ops.calibrate.measure import (
    LevelSummary,
    Objective,
    RequestResult,
    SearchPlan,
    best_of,
    next_rate,
    side_best,
    summarize,
)
from ops.calibrate.mix import RequestMix


@dataclass(frozen=True)
class Bounds:
    """Per level ``requests``; per side at most ``repeats`` x ``plan.max_levels`` levels and ``max_seconds``."""

    requests: int = 40
    repeats: int = 2
    max_seconds: float = 2700.0
    max_workers: int = 64


@dataclass
class SideResult:
    """What one endpoint sustained: the contract's side record, plus token totals and notes."""

    record: dict[str, Any]
    levels: list[LevelSummary]
    input_tokens: int
    output_tokens: int
    requests_ok: int
    calls: int
    notes: list[str]


def measure_side(
    runtime: SageMakerRuntimeClient,
    target: Target,
    *,
    instance_type: str,
    mix: RequestMix,
    objective: Objective,
    plan: SearchPlan,
    bounds: Bounds,
    seed: int,
    label: str,
) -> SideResult:
    """Search each repeat for the highest rate meeting ``objective``; the repeats differ in seed only."""
    started = time.monotonic()
    levels: list[LevelSummary] = []
    per_repeat: list[LevelSummary | None] = []
    notes: list[str] = []
    counted_by: set[str] = set()
    calls = 0
    for repeat in range(bounds.repeats):
        repeat_seed = seed * 1000 + repeat
        shapes = mix.sample(bounds.requests, repeat_seed)
        passed: list[float] = []
        failed: list[float] = []
        mine: list[LevelSummary] = []
        while (rate := next_rate(plan, passed, failed)) is not None:
            if time.monotonic() - started > bounds.max_seconds:
                notes.append(f"{label}: stopped at the {bounds.max_seconds:.0f} s bound in repeat {repeat}")
                break
            results: list[RequestResult] = run_level(
                runtime,
                target,
                shapes,
                rate_rps=rate * target.instances,
                seed=repeat_seed,
                level_id=f"{label}-r{repeat}-{len(mine)}-{seed}",
                max_workers=bounds.max_workers,
                progress=Progress(f"{label} repeat {repeat + 1} at {rate:.3g} req/s/instance", len(shapes)),
            )
            calls += len(results)
            counted_by |= {r.input_counted_by for r in results if r.ok}
            summary = summarize(
                results,
                offered_rps=rate * target.instances,
                repeat=repeat,
                objective=objective,
                instances=target.instances,
            )
            mine.append(summary)
            (passed if summary.meets_objective else failed).append(rate)
            errors = sorted({r.error for r in results if r.error})
            if errors:
                notes.append(
                    f"{label} repeat {repeat} at {rate:.3g} req/s: {summary.errors} errors, "
                    f"{summary.throttled} throttled; first: {errors[0][:160]}"
                )
        levels += mine
        per_repeat.append(best_of(mine))
        if not passed:
            notes.append(
                f"{label}: repeat {repeat} met the objective at no rate down to {min(failed or [0]):.3g} req/s"
            )
    if "request mix" in counted_by:
        notes.append(
            f"{label}: the container's stream carries no prompt token count; input tokens are the request mix's"
        )
    ok_levels = [level for level in levels if level.requests]
    return SideResult(
        record={
            "instance_type": instance_type,
            "instances": target.instances,
            "levels": [level.as_json() for level in levels],
            "best": side_best(per_repeat),
        },
        levels=levels,
        input_tokens=sum(level.input_tokens for level in ok_levels),
        output_tokens=sum(level.output_tokens for level in ok_levels),
        requests_ok=sum(level.requests - level.errors for level in ok_levels),
        calls=calls,
        notes=notes,
    )
