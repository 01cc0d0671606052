"""The demo's calibration phase: a short ``python -m ops.calibrate`` of one endpoint against its GPU baseline in
the emulator (virtual time, so the result is the performance model's and the same on every machine).

It runs on a copy of the config in ``out/`` (``--write`` edits that copy, never the repository's file) and tags
the deployed endpoint, so the report that follows shows the ratio as ``measured:<date>``.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from demo.local_aws import LocalAwsError, run_command
from stacks.config import Config

#: The endpoint the demo calibrates: the vLLM Qwen3-8B on ml.inf2.xlarge against ml.g5.2xlarge (the e2e tests
#: also calibrate zephyr-7b, served through an inference component).
DEMO_ENDPOINT = "qwen3-8b"
#: Small bounds: three repeats of 24-request levels, bisected to 5 %, in virtual time.
DEMO_FLAGS = ("--requests", "24", "--repeats", "3", "--tolerance", "0.05", "--max-minutes", "5")


def calibrate(
    env: Mapping[str, str], config: Config, config_path: Path, out_dir: Path
) -> tuple[dict[str, Any], Path]:
    """Run the calibration of :data:`DEMO_ENDPOINT` (or the first endpoint); returns the result and its path."""
    name = (
        DEMO_ENDPOINT if any(e.name == DEMO_ENDPOINT for e in config.endpoints) else config.endpoints[0].name
    )
    copy = out_dir / "infersave.calibrated.yaml"
    shutil.copyfile(config_path, copy)
    args = [sys.executable, "-m", "ops.calibrate", "--endpoint", name, "--config", str(copy), "--out", str(out_dir),
            "--yes", "--write", "--local", "--virtual-time", *DEMO_FLAGS]  # fmt: skip
    run_command(args, env, out_dir / "calibrate.log", timeout_s=300)
    endpoint = next(e for e in config.endpoints if e.name == name)
    path = (
        out_dir
        / "calibrations"
        / config.endpoint_name(endpoint)
        / f"{datetime.now(UTC).date().isoformat()}.json"
    )
    if not path.is_file():
        raise LocalAwsError(f"the calibration wrote no {path}; see {out_dir / 'calibrate.log'}")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document, path
