"""``make compile`` against the deployed inference stack in the emulator: the real outputs, the real role and
bucket in the request, the job created, waited for and its URI written into a copy of the config."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ops import compile as command
from tests.e2e.conftest import CONFIG_PATH, Deployment


def test_compile_job_runs_against_the_deployed_stack_and_sets_the_uri(
    deployment: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vllm = [e for e in deployment.config.endpoints if e.container.preset == "hf-vllm-neuron"]
    if not vllm:
        pytest.skip("the deployed config has no hf-vllm-neuron endpoint")
    endpoint = vllm[0]
    config = tmp_path / "infersave.yaml"
    shutil.copy(CONFIG_PATH, config)
    monkeypatch.setenv("AWS_ENDPOINT_URL", deployment.url)
    args = command._parse(["--endpoint", endpoint.name, "--config", str(config), "--wait", "--set-config"])

    assert command.run(args, session=deployment.session) == 0

    outputs = command.read_stack_outputs(
        deployment.client("cloudformation"), deployment.stacks["inference"], deployment.region
    )
    assert (
        outputs.bucket_name
        == f"{deployment.config.project.lower()[:24]}-neuron-{deployment.account}-{deployment.region}"
    )
    (summary,) = deployment.client("sagemaker").list_processing_jobs()["ProcessingJobSummaries"]
    job = deployment.client("sagemaker").describe_processing_job(
        ProcessingJobName=summary["ProcessingJobName"]
    )
    assert job["RoleArn"] == outputs.role_arn
    assert job["ProcessingOutputConfig"]["KmsKeyId"] == outputs.key_arn
    uri = job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    assert uri.startswith(f"s3://{outputs.bucket_name}/compiled/{endpoint.name}/")
    written = yaml.safe_load(config.read_text())["endpoints"]
    assert [e.get("precompiled_artifacts_s3_uri") for e in written if e["name"] == endpoint.name] == [uri]
