"""The load generator against the emulator's performance model recovers known capacity ratios within 5 %."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

import emulator
from emulator import sagemaker_runtime
from emulator.runtime_model import ServingModel
from ops.calibrate.loadgen import Target
from ops.calibrate.measure import Objective, SearchPlan, capacity_ratio
from ops.calibrate.mix import load_mix
from ops.calibrate.sides import Bounds, measure_side

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:x"
#: An inf2-like container: batch 4, 40 ms decode steps, 0.25 ms per prompt token.
SLOW = ServingModel("tgi", 4, 4096, 0.02, 0.00025, 0.04, 0.0015)


def scaled(model: ServingModel, speedup: float) -> ServingModel:
    """The same container ``speedup`` times faster in every step."""
    return dataclasses.replace(
        model,
        prefill_overhead_s=model.prefill_overhead_s / speedup,
        prefill_s_per_token=model.prefill_s_per_token / speedup,
        decode_base_s=model.decode_base_s / speedup,
        decode_per_seq_s=model.decode_per_seq_s / speedup,
    )


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    emulator.install()
    with mock_aws():
        sagemaker = boto3.client("sagemaker")
        for name in ("inf2", "gpu"):
            sagemaker.create_model(
                ModelName=name,
                ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
                PrimaryContainer={"Image": IMAGE, "Environment": {"HF_MODEL_ID": name}},
            )
            sagemaker.create_endpoint_config(
                EndpointConfigName=name,
                ProductionVariants=[
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": name,
                        "InitialInstanceCount": 1,
                        "InstanceType": "ml.inf2.xlarge" if name == "inf2" else "ml.g5.2xlarge",
                    }
                ],
            )
            sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
        yield boto3.client("sagemaker-runtime")


@pytest.fixture
def mix_csv(tmp_path: Path) -> Path:
    """A short mix (the Azure trace's outputs average 211 tokens, which only makes the test slower)."""
    chooser = random.Random(3)
    rows = [
        f"2023-11-16 18:15:{i % 60:02d},{chooser.randint(50, 600)},{chooser.randint(5, 40)}"
        for i in range(200)
    ]
    path = tmp_path / "mix.csv"
    path.write_text("TIMESTAMP,ContextTokens,GeneratedTokens\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _measure(runtime: Any, name: str, mix_csv: Path) -> dict[str, Any]:
    mix = load_mix(mix_csv, max_input_tokens=2048, max_total_tokens=4096)
    side = measure_side(
        runtime,
        Target(name, "tgi", 1, virtual_time=True),
        instance_type=name,
        mix=mix,
        objective=Objective(ttft_p90_s=600.0, itl_p90_s=60.0),
        plan=SearchPlan(start_rps=0.1, tolerance=0.03),
        bounds=Bounds(requests=30, repeats=2, max_workers=30),
        seed=7,
        label=name,
    )
    return side.record["best"]


@pytest.mark.parametrize("speedup", [1.6, 0.8])
def test_known_ratio_is_recovered_within_5_percent(
    runtime: Any, monkeypatch: pytest.MonkeyPatch, speedup: float, mix_csv: Path
) -> None:
    def model(*, image: str, environment: dict[str, str], **_: Any) -> ServingModel:
        return SLOW if environment["HF_MODEL_ID"] == "inf2" else scaled(SLOW, speedup)

    monkeypatch.setattr(sagemaker_runtime, "container_model", model)

    ratio = capacity_ratio(_measure(runtime, "inf2", mix_csv), _measure(runtime, "gpu", mix_csv))

    assert ratio is not None
    assert ratio[0] == pytest.approx(1 / speedup, rel=0.05)
    assert ratio[1] <= ratio[0] <= ratio[2]


def test_same_seed_same_result(runtime: Any, mix_csv: Path) -> None:
    assert _measure(runtime, "inf2", mix_csv) == _measure(runtime, "inf2", mix_csv)
