"""Calibrating an inference-component endpoint: the component is brought up from zero copies without a refused
request, the load goes to the component, and its rates are per instance (copies / copies per instance)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

import emulator
from emulator import sagemaker_runtime
from emulator.runtime_model import ServingModel
from ops.calibrate import command
from ops.calibrate.component import WarmUpError, per_instance, warm_up
from ops.calibrate.loadgen import Target
from ops.calibrate.measure import Objective, SearchPlan
from ops.calibrate.mix import load_mix
from ops.calibrate.sides import Bounds, measure_side
from stacks.config import load_config
from tests.conftest import ROOT

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:x"
ROLE = "arn:aws:iam::123456789012:role/r"
#: An inf2-like container: batch 4, 40 ms decode steps, 0.25 ms per prompt token.
SLOW = ServingModel("tgi", 4, 4096, 0.02, 0.00025, 0.04, 0.0015)


@pytest.fixture
def sagemaker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto account with the emulator: ``shared`` (ml.inf2.24xlarge, component ``shared-chat`` of one chip,
    one copy) and ``single`` (ml.inf2.xlarge, the same container on the variant)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sagemaker_runtime, "container_model", lambda **_: SLOW)
    emulator.install()
    with mock_aws():
        client = boto3.client("sagemaker")
        client.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
        client.create_endpoint_config(
            EndpointConfigName="shared",
            ExecutionRoleArn=ROLE,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "InstanceType": "ml.inf2.24xlarge",
                    "InitialInstanceCount": 1,
                    "ManagedInstanceScaling": {
                        "Status": "ENABLED",
                        "MinInstanceCount": 0,
                        "MaxInstanceCount": 1,
                    },
                }
            ],
        )
        client.create_endpoint(EndpointName="shared", EndpointConfigName="shared")
        client.create_inference_component(
            InferenceComponentName="shared-chat",
            EndpointName="shared",
            VariantName="AllTraffic",
            Specification={
                "ModelName": "m",
                "ComputeResourceRequirements": {
                    "NumberOfAcceleratorDevicesRequired": 1,
                    "MinMemoryRequiredInMb": 1024,
                },
            },
            RuntimeConfig={"CopyCount": 1},
        )
        client.create_endpoint_config(
            EndpointConfigName="single",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "m",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.inf2.xlarge",
                }
            ],
        )
        client.create_endpoint(EndpointName="single", EndpointConfigName="single")
        yield client


def _no_capacity_failures() -> float:
    points = boto3.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName="NoCapacityInvocationFailures",
        Dimensions=[{"Name": "InferenceComponentName", "Value": "shared-chat"}],
        StartTime=datetime(2000, 1, 1, tzinfo=UTC),
        EndTime=datetime(2100, 1, 1, tzinfo=UTC),
        Period=86400,
        Statistics=["Sum"],
    )["Datapoints"]
    return float(sum(p["Sum"] for p in points))


def test_a_component_at_zero_copies_is_brought_up_without_a_refused_request(sagemaker: Any) -> None:
    sagemaker.update_inference_component_runtime_config(
        InferenceComponentName="shared-chat", DesiredRuntimeConfig={"CopyCount": 0}
    )
    ticks = count(0.0, 7.5)

    warmed = warm_up(sagemaker, "shared-chat", local=True, sleep=lambda _: None, clock=lambda: next(ticks))

    assert (warmed.copies, warmed.warm_up_s) == (1, 15.0)  # asked at the first look, serving at the second
    runtime_config = sagemaker.describe_inference_component(InferenceComponentName="shared-chat")[
        "RuntimeConfig"
    ]
    assert runtime_config["DesiredCopyCount"] == 1
    assert _no_capacity_failures() == 0  # no cold start counted against the endpoint's traffic


def test_a_serving_component_is_measured_as_it_is(sagemaker: Any) -> None:
    warmed = warm_up(sagemaker, "shared-chat", local=True, sleep=lambda _: None)

    assert (warmed.copies, warmed.warm_up_s) == (1, None)


class _Stuck:
    """DescribeInferenceComponent answering one status for ever."""

    def __init__(self, status: str, **extra: Any) -> None:
        self.answer = {
            "InferenceComponentStatus": status,
            "RuntimeConfig": {"CurrentCopyCount": 0, "DesiredCopyCount": 1},
            **extra,
        }

    def describe_inference_component(self, **_: Any) -> dict[str, Any]:
        return self.answer


def test_a_failed_or_never_serving_component_stops_the_run_naming_it() -> None:
    with pytest.raises(WarmUpError, match="inference component c is Failed: container exited"):
        warm_up(_Stuck("Failed", FailureReason="container exited"), "c", local=True, sleep=lambda _: None)

    ticks = count(0.0, 60.0)
    with pytest.raises(WarmUpError, match="c still Creating with 0 copies after 30 minutes"):
        warm_up(_Stuck("Creating"), "c", local=False, sleep=lambda _: None, clock=lambda: next(ticks))


def _best(target: Target, mix_csv: Path) -> float:
    mix = load_mix(mix_csv, max_input_tokens=2048, max_total_tokens=4096)
    side = measure_side(
        boto3.client("sagemaker-runtime"),
        target,
        instance_type="ml.inf2.24xlarge",
        mix=mix,
        objective=Objective(ttft_p90_s=600.0, itl_p90_s=60.0),
        plan=SearchPlan(start_rps=0.1, tolerance=0.03),
        bounds=Bounds(requests=30, repeats=1, max_workers=30),
        seed=7,
        label=target.component or target.endpoint_name,
    )
    assert side.requests_ok and not sum(level.errors for level in side.levels)  # every request was answered
    return float(side.record["best"]["requests_per_s"])


def test_the_component_is_invoked_and_its_rate_is_per_instance(sagemaker: Any, tmp_path: Path) -> None:
    chooser = random.Random(3)
    rows = [
        f"2023-11-16 18:15:{i % 60:02d},{chooser.randint(50, 600)},{chooser.randint(5, 40)}"
        for i in range(200)
    ]
    mix_csv = tmp_path / "mix.csv"
    mix_csv.write_text("TIMESTAMP,ContextTokens,GeneratedTokens\n" + "\n".join(rows) + "\n", encoding="utf-8")

    # One copy of one chip on a six-chip instance: a sixth of an instance (the same container as ``single``).
    component = _best(Target("shared", "tgi", 1 / 6, virtual_time=True, component="shared-chat"), mix_csv)
    whole = _best(Target("single", "tgi", 1, virtual_time=True), mix_csv)

    assert component == pytest.approx(6 * whole, rel=0.05)


def test_copies_per_instance_of_the_default_component_endpoint() -> None:
    config = load_config(ROOT / "infersave.yaml")
    zephyr = next(e for e in config.endpoints if e.name == "zephyr-7b")

    assert per_instance(zephyr) == 1  # tp 2 = the one chip of an ml.inf2.xlarge


def test_an_inference_component_endpoint_is_calibrated_with_a_note_on_its_copies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert command.main(["--endpoint", "zephyr-7b", "--config", str(ROOT / "infersave.yaml")]) == 2

    out, err = capsys.readouterr()
    assert "cost bound: ml.g5.2xlarge" in out and "unless its component is at zero copies" in out
    assert "--yes" in err
