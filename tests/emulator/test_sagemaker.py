"""SageMaker through CloudFormation: explicit names honoured, template tags kept, inf2 accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

Deploy = Callable[..., dict[str, str]]
EndpointResources = Callable[..., dict[str, Any]]

TAGS = [
    {"Key": "infersave:project", "Value": "demo"},
    {"Key": "infersave:baseline-instance-type", "Value": "ml.g5.2xlarge"},
]


def test_explicit_names_and_tags_are_kept(deploy: Deploy, endpoint_resources: EndpointResources) -> None:
    template = {
        "Resources": endpoint_resources("llama-inf2", TAGS),
        "Outputs": {
            "EndpointRef": {"Value": {"Ref": "Endpoint"}},
            "EndpointName": {"Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}},
        },
    }

    outputs = deploy(template)

    sagemaker = boto3.client("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName="llama-inf2")
    assert endpoint["EndpointConfigName"] == "llama-inf2-config"
    assert endpoint["EndpointStatus"] == "InService"
    assert outputs == {"EndpointRef": endpoint["EndpointArn"], "EndpointName": "llama-inf2"}
    assert sagemaker.describe_model(ModelName="llama-inf2-model")["ModelName"] == "llama-inf2-model"
    config = sagemaker.describe_endpoint_config(EndpointConfigName="llama-inf2-config")
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.inf2.xlarge"
    assert sagemaker.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"] == TAGS


def test_names_are_generated_when_absent(deploy: Deploy, endpoint_resources: EndpointResources) -> None:
    resources = endpoint_resources("unused")
    del resources["Endpoint"]["Properties"]["EndpointName"]

    deploy({"Resources": resources}, stack_name="gen")

    names = [e["EndpointName"] for e in boto3.client("sagemaker").list_endpoints()["Endpoints"]]
    assert len(names) == 1
    assert names[0].startswith("gen-Endpoint-")


def test_delete_stack_removes_endpoint_config_and_model(
    deploy: Deploy, cfn: Any, endpoint_resources: EndpointResources
) -> None:
    deploy({"Resources": endpoint_resources("llama-inf2")})

    cfn.delete_stack(StackName="emu")

    sagemaker = boto3.client("sagemaker")
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []


def test_an_endpoint_name_that_exists_is_refused(
    deploy: Deploy, endpoint_resources: EndpointResources
) -> None:
    """SageMaker: ValidationException 'Cannot create already existing endpoint "arn:..."' (any case); moto
    5.2.5 replaced the endpoint silently."""
    deploy({"Resources": endpoint_resources("llama-inf2")})
    sagemaker = boto3.client("sagemaker")
    config_name = sagemaker.describe_endpoint(EndpointName="llama-inf2")["EndpointConfigName"]
    for name in ("llama-inf2", "LLAMA-inf2"):
        with pytest.raises(ClientError) as raised:
            sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config_name)
        assert raised.value.response["Error"]["Code"] == "ValidationException"
        assert "Cannot create already existing endpoint" in raised.value.response["Error"]["Message"]


def test_a_stack_update_still_replaces_its_endpoint(
    deploy: Deploy, endpoint_resources: EndpointResources
) -> None:
    deploy({"Resources": endpoint_resources("llama-inf2")})
    resources = endpoint_resources("llama-inf2", tags=[{"Key": "changed", "Value": "yes"}])
    deploy({"Resources": resources}, update=True)
    assert (
        boto3.client("sagemaker").describe_endpoint(EndpointName="llama-inf2")["EndpointStatus"]
        == "InService"
    )
