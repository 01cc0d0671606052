"""Synth time and template sizes of projects with many endpoints (10, 100 and 500 by default).

Each project cycles the default config's three endpoints under new names (``e0000``, ``e0001``, ...), with
``stacks.endpoint_shards`` = ceil(endpoints / 30): about 30 endpoints per stack on average, which leaves room
for the hash's unevenness below the 44 a further endpoint stack holds (``stacks.config.limits``). Each synth
runs ``app.py`` in a fresh process with the context ``cdk synth`` gives it (path metadata on; cdk-nag and the
template checks included).
Usage: ``make bench-scale`` or ``python -m benchmarks.synth_scale --endpoints 10 100 500``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks.synth_time import cdk_environment

ROOT = Path(__file__).resolve().parent.parent
#: Endpoints per stack to aim at: 30 instance endpoints fit with room for the hash's unevenness (README "Hundreds
#: of endpoints"); the default config cycled has two inference-component endpoints in three (14 and 23 resources
#: in a further stack, against 11), so its 500 endpoints need 23 endpoint stacks (the fullest holds 28; at 21 or
#: 22 the hash puts more than 500 resources in one of them).
ENDPOINTS_PER_STACK_TARGET = 22


def scaled_config(endpoints: int, base: Path = ROOT / "infersave.yaml") -> dict[str, Any]:
    """The default config with ``endpoints`` endpoints (its own cycled, renamed) and enough endpoint stacks."""
    raw: dict[str, Any] = yaml.safe_load(base.read_text())
    originals = raw["endpoints"]
    raw["endpoints"] = [{**originals[i % len(originals)], "name": f"e{i:04d}"} for i in range(endpoints)]
    raw["stacks"] = {"endpoint_shards": max(1, math.ceil(endpoints / ENDPOINTS_PER_STACK_TARGET))}
    # The estimate's budget check would refuse so many instances under the demo's budget.
    raw["budget"] = {**raw["budget"], "monthly_limit_usd": 1_000_000_000}
    return raw


def synth_once(endpoints: int) -> dict[str, Any]:
    """Synthesize a project of ``endpoints`` endpoints; wall time, stacks, and template figures."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text(yaml.safe_dump(scaled_config(endpoints)))
        outdir = Path(tmp) / "out"
        # Path metadata on, as `cdk synth` and `cdk deploy` write templates by default.
        env = cdk_environment(str(outdir), config=str(config), **{"aws:cdk:enable-path-metadata": True})
        start = time.perf_counter()
        subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        sizes, resources = [], []
        for template in outdir.glob("*.template.json"):
            sizes.append(template.stat().st_size)
            resources.append(len(json.loads(template.read_text())["Resources"]))
    return {
        "endpoints": endpoints,
        "seconds": seconds,
        "stacks": len(sizes),
        "total_bytes": sum(sizes),
        "largest_bytes": max(sizes),
        "most_resources": max(resources),
    }


def main() -> None:
    """Print one table row per project size and the marginal synth cost per endpoint."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoints", type=int, nargs="+", default=[10, 100, 500])
    args = parser.parse_args()
    print(f"synth at scale, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
    print(
        "| endpoints | stacks | synth (s) | templates (KB) | largest template (KB) | most resources in a stack |"
    )
    print("|---|---|---|---|---|---|")
    rows = []
    for count in args.endpoints:
        row = synth_once(count)
        rows.append(row)
        print(
            f"| {count:,} | {row['stacks']} | {row['seconds']:.1f} | {row['total_bytes'] / 1000:,.0f} | "
            f"{row['largest_bytes'] / 1000:,.0f} | {row['most_resources']} |",
            flush=True,
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        marginal = (last["seconds"] - first["seconds"]) / (last["endpoints"] - first["endpoints"])
        per_kb = (
            (last["total_bytes"] - first["total_bytes"]) / (last["endpoints"] - first["endpoints"]) / 1000
        )
        print(f"marginal: {marginal * 1000:.0f} ms and {per_kb:.1f} KB of template per endpoint")


if __name__ == "__main__":
    main()
