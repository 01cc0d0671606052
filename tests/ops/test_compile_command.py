"""``python -m ops.compile`` against moto with the emulator: stack outputs, the job, waiting, the config edit."""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.stub import Stubber
from moto import mock_aws

import emulator
from ops import compile as command
from tests.conftest import ROOT

NOW = datetime(2026, 11, 28, 20, 15, 0, tzinfo=UTC)
JOB = "demo-llm-compile-qwen25-7b-20261128201500"
BUCKET = "demo-llm-neuron-123456789012-us-east-1"
URI = f"s3://{BUCKET}/compiled/qwen25-7b/{JOB}/"


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    emulator.install()
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def _deploy_outputs(session: boto3.Session, outputs: dict[str, str]) -> None:
    """A stack named like the inference stack, exporting what the command reads."""
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    session.client("cloudformation").create_stack(
        StackName="infersave-demo-llm-inference", TemplateBody=json.dumps(template)
    )


OUTPUTS = {
    "CompileArtifactsBucketName": BUCKET,
    "CompileArtifactsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "CompileJobRoleArn": "arn:aws:iam::123456789012:role/infersave-compile",
}


def _args(config: Path, *extra: str) -> argparse.Namespace:
    return command._parse(["--endpoint", "qwen25-7b", "--config", str(config), *extra])


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    path = tmp_path / "infersave.yaml"
    shutil.copy(ROOT / "tests" / "fixtures" / "compile.yaml", path)
    return path


def test_starts_the_job_waits_and_sets_the_uri_in_the_config(
    aws: boto3.Session, config_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _deploy_outputs(aws, OUTPUTS)

    status = command.run(_args(config_copy, "--wait", "--set-config"), session=aws, now=NOW)

    assert status == 0
    job = aws.client("sagemaker").describe_processing_job(ProcessingJobName=JOB)
    assert job["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.12xlarge"
    assert job["RoleArn"] == OUTPUTS["CompileJobRoleArn"]
    assert job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == URI
    out = capsys.readouterr().out
    assert "at most USD 8.28 = USD 2.76/h x 3 h" in out
    assert f"precompiled_artifacts_s3_uri: {URI}" in out
    raw = yaml.safe_load(config_copy.read_text())
    assert [e.get("precompiled_artifacts_s3_uri") for e in raw["endpoints"]] == [
        URI,
        None,
        "s3://demo-llm-artifacts/qwen25-72b/",
    ]
    assert "# The compile command's tests" in config_copy.read_text()  # comments kept


def test_dry_run_prints_the_request_and_starts_nothing(
    aws: boto3.Session, config_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _deploy_outputs(aws, OUTPUTS)

    assert command.run(_args(config_copy, "--dry-run"), session=aws, now=NOW) == 0

    request = json.loads(capsys.readouterr().out.split("\n", 6)[6])
    assert request["ProcessingJobName"] == JOB
    assert aws.client("sagemaker").list_processing_jobs()["ProcessingJobSummaries"] == []


def test_missing_stack_is_named_with_the_fix(aws: boto3.Session, config_copy: Path) -> None:
    with pytest.raises(
        command.CompileError,
        match=r"stack infersave-demo-llm-inference does not exist in us-east-1: deploy it first",
    ):
        command.run(_args(config_copy), session=aws, now=NOW)


def test_stack_without_compile_outputs_is_named(aws: boto3.Session, config_copy: Path) -> None:
    _deploy_outputs(aws, {"CompileArtifactsBucketName": BUCKET})

    with pytest.raises(command.CompileError, match="has no output CompileArtifactsKeyArn, CompileJobRoleArn"):
        command.run(_args(config_copy), session=aws, now=NOW)


def test_aws_refusal_of_the_job_is_reported_with_its_name(aws: boto3.Session, config_copy: Path) -> None:
    _deploy_outputs(aws, {**OUTPUTS, "CompileJobRoleArn": "arn:aws:iam::123456789012:user/someone"})

    with pytest.raises(command.CompileError, match=rf"CreateProcessingJob {JOB} failed: .*roleArn"):
        command.run(_args(config_copy), session=aws, now=NOW)


def test_main_prints_field_problem_fix_for_a_preset_it_cannot_compile(
    aws: boto3.Session, config_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _deploy_outputs(aws, OUTPUTS)
    monkeypatch.setattr(command.boto3, "Session", lambda **_: aws)

    status = command.main(["--endpoint", "zephyr-7b", "--config", str(config_copy)])

    assert status == 1
    err = capsys.readouterr().err
    assert "endpoint zephyr-7b cannot be compiled by make compile" in err
    assert "endpoints[1].container.preset: 'hf-tgi-neuron'" in err


def test_unknown_endpoint_lists_the_known_ones(config_copy: Path) -> None:
    with pytest.raises(
        command.CompileError, match=r"'nope' is not in .* \(endpoints: qwen25-7b, zephyr-7b, qwen25-72b\)"
    ):
        command.run(command._parse(["--endpoint", "nope", "--config", str(config_copy)]))


def test_set_config_needs_wait(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        command._parse(["--endpoint", "x", "--set-config"])
    assert "--set-config needs --wait" in capsys.readouterr().err


def _describe(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "ProcessingJobName": JOB,
        "ProcessingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:processing-job/{JOB}",
        "ProcessingJobStatus": status,
        "ProcessingResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.12xlarge", "VolumeSizeInGB": 96}
        },
        "AppSpecification": {"ImageUri": "image"},
        "CreationTime": NOW,
        **extra,
    }


def test_wait_backs_off_until_the_job_ends() -> None:
    client = boto3.client("sagemaker", region_name="us-east-1")
    stub = Stubber(client)
    for status in ["InProgress", "InProgress", "InProgress", "Failed"]:
        extra = {"FailureReason": "AlgorithmError: killed (out of memory)"} if status == "Failed" else {}
        stub.add_response("describe_processing_job", _describe(status, **extra), {"ProcessingJobName": JOB})
    sleeps: list[float] = []
    log: list[str] = []

    with stub:
        job = command.wait_for_job(
            client, JOB, deadline_s=3600, sleep=sleeps.append, clock=lambda: sum(sleeps), log=log.append
        )

    assert sleeps == [30.0, 60.0, 120.0]
    assert job["FailureReason"] == "AlgorithmError: killed (out of memory)"
    assert log == [f"{JOB}: InProgress", f"{JOB}: Failed"]


def test_wait_gives_up_at_its_deadline_and_says_the_job_keeps_running() -> None:
    client = boto3.client("sagemaker", region_name="us-east-1")
    stub = Stubber(client)
    for _ in range(3):
        stub.add_response("describe_processing_job", _describe("InProgress"), {"ProcessingJobName": JOB})
    sleeps: list[float] = []

    with (
        stub,
        pytest.raises(
            command.CompileError, match=r"still InProgress after 0\.1 h of waiting; it keeps running"
        ),
    ):
        command.wait_for_job(
            client, JOB, deadline_s=200, sleep=sleeps.append, clock=lambda: sum(sleeps), log=print
        )
    assert sleeps == [30.0, 60.0]
