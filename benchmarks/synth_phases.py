"""Where the default app's synth time goes, phase by phase, in one fresh process per variant.

Phases: importing ``aws_cdk`` (and cdk-nag), loading and validating the config, building the constructs (jsii
round trips), ``app.synth()`` (node-side: resolve, asset staging, cdk-nag's validation, writing templates),
and the written templates' quota check. The same app is timed with and without cdk-nag so its share shows.
Usage: ``python -m benchmarks.synth_phases [--runs 3]``; prints medians and the date.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.synth_time import cdk_environment

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, os, sys, time
from pathlib import Path
t0 = time.perf_counter()
import aws_cdk as cdk
from stacks.nag import enable_nag
t1 = time.perf_counter()
from stacks.app_builder import build_app
from stacks.config import load_config
config = load_config(Path("infersave.yaml"))
t2 = time.perf_counter()
app = cdk.App()
if sys.argv[1] == "nag":
    enable_nag(app)
build_app(app, config, env=cdk.Environment(account="123456789012", region=config.env.region))
t3 = time.perf_counter()
assembly = app.synth()
t4 = time.perf_counter()
from stacks.template_limits import assembly_problems
assembly_problems({s.stack_name: Path(s.template_full_path) for s in assembly.stacks_recursively})
t5 = time.perf_counter()
print(json.dumps({"import aws_cdk, cdk-nag": t1 - t0, "config": t2 - t1, "constructs (jsii)": t3 - t2,
                  "app.synth() (node)": t4 - t3, "template checks": t5 - t4}))
"""


def _run(variant: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as outdir:
        env = cdk_environment(outdir)
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, variant],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    phases: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return phases


def main() -> None:
    """Median seconds per phase, with and without cdk-nag."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"synth phases of app.py's stacks, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    for variant in ("nag", "no-nag"):
        runs = [_run(variant) for _ in range(args.runs)]
        medians = {phase: statistics.median(r[phase] for r in runs) for phase in runs[0]}
        parts = ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in medians.items())
        print(f"{variant:<7} total {sum(medians.values()):.2f} s: {parts}")


if __name__ == "__main__":
    main()
