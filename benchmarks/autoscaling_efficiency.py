"""``make bench``: instance-hours of each default endpoint with and without scale to zero, against an oracle.

The oracle has exactly the capacity needed each minute: ``ceil(concurrency / target)`` instances in a minute with
requests, none in a minute without (the floor no autoscaler can beat). "Without" is the deployed target tracking and
schedules (``demo.simulator``, the demo's month); "with scale to zero" is the same, plus zero instances after
``idle_minutes`` without a request, and a cold start of ``COLD_START_MINUTES`` when a request arrives at zero:
the instance is billed while it starts and the requests of those minutes fail (NoCapacityInvocationFailures).

Second workload: the burst pattern of the Azure LLM inference trace 2023 (CC-BY 4.0), conversation trace
(``data/traces/azure-llm-inference-2023``): its per-minute request counts, scaled so its busiest minute needs the
endpoint's maximum capacity, replayed with the same policies.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from demo.scenario import WARM_UP_DAYS, endpoint_traffic
from demo.simulator import COLD_START_MINUTES, ScalingSettings, desired_capacity, scale_to_zero, simulate
from stacks.config import Endpoint, load_config

ROOT = Path(__file__).resolve().parent.parent
TRACE = ROOT / "data/traces/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv"
IDLE_MINUTES = 15


@dataclass(frozen=True)
class Result:
    oracle_hours: float
    hours: float
    zero_hours: float
    cold_starts: int
    failed_requests: int

    def efficiency(self, hours: float) -> float:
        """Oracle instance-hours / instance-hours (1.0 = the oracle)."""
        return self.oracle_hours / hours if hours else 1.0


def replay(
    settings: ScalingSettings, concurrency: list[float], requests: list[int], start: datetime
) -> Result:
    oracle = [
        desired_capacity(c, settings.target) if r else 0 for c, r in zip(concurrency, requests, strict=True)
    ]
    floor = replace(
        settings,
        min_capacity=max(1, settings.min_capacity),
        scheduled_actions=tuple(
            replace(a, min_capacity=max(1, a.min_capacity)) for a in settings.scheduled_actions
        ),
    )
    tracked = simulate(floor, concurrency, start).instances
    zero = scale_to_zero(tracked, requests, IDLE_MINUTES, COLD_START_MINUTES)
    return Result(
        sum(oracle) / 60, sum(tracked) / 60, sum(zero.instances) / 60, len(zero.cold_starts), sum(zero.failed)
    )


def trace_requests() -> list[int]:
    """Requests per minute of the conversation trace, from its first minute to its last."""
    minutes: dict[int, int] = {}
    with TRACE.open(newline="") as handle:
        for row in csv.DictReader(handle):
            stamp = datetime.fromisoformat(row["TIMESTAMP"][:26])
            key = int(stamp.replace(tzinfo=UTC).timestamp() // 60)
            minutes[key] = minutes.get(key, 0) + 1
    first, last = min(minutes), max(minutes)
    return [minutes.get(m, 0) for m in range(first, last + 1)]


def month(endpoint: Endpoint, config_path: Path) -> Result:
    config = load_config(config_path)
    _, settings, _, _, start, concurrency, requests = endpoint_traffic(
        config, endpoint, date(2026, 10, 1), date(2026, 11, 1)
    )
    skip = WARM_UP_DAYS * 1440
    result = replay(settings, concurrency, requests, start)
    warm = replay(settings, concurrency[:skip], requests[:skip], start)
    return Result(*(a - b for a, b in zip(vars(result).values(), vars(warm).values(), strict=True)))


def trace(endpoint: Endpoint, latency_s: float) -> Result:
    requests = trace_requests()
    settings = replace(_settings(endpoint), scheduled_actions=())
    peak = max(requests) * latency_s / 60
    scale = settings.target * settings.max_capacity / peak
    concurrency = [r * latency_s / 60 * scale for r in requests]
    scaled = [math.ceil(r * scale) for r in requests]
    return replay(settings, concurrency, scaled, datetime(2023, 11, 16, tzinfo=UTC))


def _settings(endpoint: Endpoint) -> ScalingSettings:
    from demo.scenario import scaling_settings  # noqa: PLC0415

    return scaling_settings(endpoint)


def main() -> None:
    from demo.scenario import latency_seconds  # noqa: PLC0415

    path = ROOT / "infersave.yaml"
    config = load_config(path)
    print(
        f"Autoscaling efficiency (oracle instance-hours / instance-hours; idle {IDLE_MINUTES} min, cold start "
        f"{COLD_START_MINUTES} min)"
    )
    print(
        "workload | endpoint | oracle h | tracking h | eff. | scale-to-zero h | eff. | cold starts | failed req."
    )
    for endpoint in config.endpoints:
        for label, result in (
            ("demo month (Oct 2026)", month(endpoint, path)),
            (
                "Azure LLM inference trace 2023 (CC-BY 4.0), conv, 1 h",
                trace(endpoint, latency_seconds(endpoint)),
            ),
        ):
            print(
                f"{label} | {config.endpoint_name(endpoint)} | {result.oracle_hours:.1f} | {result.hours:.1f} | "
                f"{result.efficiency(result.hours):.0%} | {result.zero_hours:.1f} | "
                f"{result.efficiency(result.zero_hours):.0%} | {result.cold_starts} | {result.failed_requests}"
            )


if __name__ == "__main__":
    main()
