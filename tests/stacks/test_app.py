"""app.py as the CDK CLI runs it: `-c config=PATH` picks the file; a bad config or budget stops synth early."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT


def _run_app(config: Path, tmp_path: Path, cli_region: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if k != "CDK_DEFAULT_REGION"},
        **({"CDK_DEFAULT_REGION": cli_region} if cli_region else {}),
        "CDK_CONTEXT_JSON": json.dumps({"config": str(config)}),
        "CDK_OUTDIR": str(tmp_path / "out"),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    return subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_bad_config_file_fails_with_field_and_fix(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "infersave.yaml").read_text())
    raw["endpoints"][0]["tensor_parallel_degree"] = 8
    config = tmp_path / "bad.yaml"
    config.write_text(yaml.safe_dump(raw))
    result = _run_app(config, tmp_path)
    assert result.returncode == 1
    assert (
        "endpoints[0].tensor_parallel_degree: 8 does not fit ml.inf2.xlarge (2 NeuronCores)" in result.stderr
    )
    assert not list((tmp_path / "out").glob("*.template.json")), "nothing is synthesized from a bad config"


def test_budget_below_min_capacity_stops_synth_after_printing_the_estimate(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "infersave.yaml").read_text())
    raw["budget"]["monthly_limit_usd"] = 1000
    config = tmp_path / "small-budget.yaml"
    config.write_text(yaml.safe_dump(raw))
    result = _run_app(config, tmp_path)
    assert result.returncode == 1
    assert "inf2 @min" in result.stderr  # the estimate table comes first
    assert (
        "budget.monthly_limit_usd: USD 1,000.00 is below what the endpoints cost at min capacity"
        in result.stderr
    )


def test_the_cli_region_meets_the_region_rules_when_the_config_names_none(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "infersave.yaml").read_text())
    del raw["env"]
    config = tmp_path / "no-region.yaml"
    config.write_text(yaml.safe_dump(raw))
    result = _run_app(config, tmp_path, cli_region="eu-west-2")
    assert result.returncode == 1
    assert "endpoints[0].container.preset: the hf-vllm-neuron image" in result.stderr
    assert "is not published in eu-west-2" in result.stderr
    result = _run_app(config, tmp_path)
    assert result.returncode == 1
    assert "env.region: not set, and the CDK CLI has no default region; set env.region" in result.stderr
