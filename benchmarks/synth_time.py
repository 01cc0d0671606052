"""Prints the synth time of the full infersave app next to a minimal one-topic CDK app, in the same run.

Each app runs in a fresh Python process (as ``cdk synth`` does), ``--runs`` times; medians are compared.
Usage: ``make bench`` or ``python -m benchmarks.synth_time --runs 5``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cdk_environment(outdir: str, **context: object) -> dict[str, str]:
    """The environment the CDK CLI gives an app: cdk.json's context (plus ``context``) and the output dir."""
    cdk_json = json.loads((ROOT / "cdk.json").read_text())["context"]
    return {
        **os.environ,
        "CDK_OUTDIR": outdir,
        "CDK_CONTEXT_JSON": json.dumps({**cdk_json, **context}),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }


def _time_once(script: Path) -> float:
    """One synth in a fresh process, with cdk.json's context as the CDK CLI would pass it."""
    with tempfile.TemporaryDirectory() as outdir:
        env = cdk_environment(outdir)
        start = time.perf_counter()
        subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    """Time both apps ``--runs`` times and print medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    apps = {
        "minimal one-topic app": ROOT / "benchmarks" / "minimal_app.py",
        "infersave app.py": ROOT / "app.py",
    }
    medians = {}
    for name, script in apps.items():
        samples = [_time_once(script) for _ in range(args.runs)]
        medians[name] = statistics.median(samples)
        print(f"{name:<24} median {medians[name]:6.2f} s  runs: {', '.join(f'{s:.2f}' for s in samples)}")
    ratio = medians["infersave app.py"] / medians["minimal one-topic app"]
    print(f"{'ratio':<24} {ratio:6.2f} x  (budget: at most 1.30 x)")


if __name__ == "__main__":
    main()
