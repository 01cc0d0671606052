"""CreateProcessingJob refused as AWS refuses it (API reference constraints), accepted jobs described in full."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/compile"


def _request(**overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "ProcessingJobName": "demo-compile-qwen-20261128201500",
        "RoleArn": ROLE,
        "AppSpecification": {
            "ImageUri": "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-vllm-inference-neuronx:tag",
            "ContainerEntrypoint": ["/bin/bash", "-c", 'exec optimum-cli export neuron "$@"', "compile"],
            "ContainerArguments": ["--model", "Qwen/Qwen2.5-7B-Instruct", "/opt/ml/processing/output"],
        },
        "ProcessingResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.12xlarge", "VolumeSizeInGB": 96}
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 10800},
        "Environment": {"HF_HUB_DISABLE_TELEMETRY": "1"},
    }
    request.update(overrides)
    return request


def test_accepted_job_keeps_resources_and_environment(aws: None) -> None:
    client = boto3.client("sagemaker")

    client.create_processing_job(**_request())

    job = client.describe_processing_job(ProcessingJobName="demo-compile-qwen-20261128201500")
    assert job["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.12xlarge"
    assert job["Environment"] == {"HF_HUB_DISABLE_TELEMETRY": "1"}
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 10800}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # ProcessingInstanceType has no Inferentia or Trainium type (API_ProcessingClusterConfig).
        (
            {
                "ProcessingResources": {
                    "ClusterConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.inf2.xlarge",
                        "VolumeSizeInGB": 50,
                    }
                }
            },
            "Value 'ml.inf2.xlarge' at 'processingResources.clusterConfig.instanceType' failed to satisfy "
            "constraint: Member must satisfy enum value set",
        ),
        # Each container argument is at most 256 characters (API_AppSpecification).
        (
            {"AppSpecification": {"ImageUri": "x", "ContainerArguments": ["a" * 257]}},
            "at 'appSpecification.containerArguments.1.member' failed to satisfy constraint: Member must have "
            "length less than or equal to 256",
        ),
        # MaxRuntimeInSeconds is 1-777600 (API_ProcessingStoppingCondition).
        (
            {"StoppingCondition": {"MaxRuntimeInSeconds": 777601}},
            "Member must have value less than or equal to 777600",
        ),
        # Job names: letters, digits and hyphens, no leading hyphen, at most 63 characters.
        ({"ProcessingJobName": "bad_name"}, "at 'processingJobName' failed to satisfy constraint"),
    ],
)
def test_requests_aws_would_refuse_are_refused(aws: None, overrides: dict[str, Any], message: str) -> None:
    client = boto3.client("sagemaker")

    with pytest.raises(ClientError) as caught:
        client.create_processing_job(**_request(**overrides))

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert message in caught.value.response["Error"]["Message"]
    assert client.list_processing_jobs()["ProcessingJobSummaries"] == []


def test_missing_volume_size_is_refused_server_side(aws: None) -> None:
    # botocore checks required members client-side; send what a client without that check could send.
    client = boto3.client("sagemaker", config=Config(parameter_validation=False))
    request = _request()
    del request["ProcessingResources"]["ClusterConfig"]["VolumeSizeInGB"]

    with pytest.raises(ClientError) as caught:
        client.create_processing_job(**request)

    assert (
        "at 'processingResources.clusterConfig.volumeSizeInGB' failed to satisfy constraint: Member must not be null"
        in (caught.value.response["Error"]["Message"])
    )
