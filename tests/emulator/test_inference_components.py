"""Inference components in the emulator: CloudFormation, the API and its refusals, copy-count scaling."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

Deploy = Callable[..., dict[str, str]]
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/custom:1"


def _template(*, model_on_variant: bool = False, chips: int = 1) -> dict[str, Any]:
    variant: dict[str, Any] = {
        "VariantName": "AllTraffic",
        "InstanceType": "ml.inf2.xlarge",  # one chip
        "InitialInstanceCount": 1,
        "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 2},
        "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
    }
    if model_on_variant:
        variant["ModelName"] = {"Fn::GetAtt": ["Model", "ModelName"]}
    return {
        "Resources": {
            "Model": {
                "Type": "AWS::SageMaker::Model",
                "Properties": {
                    "ModelName": "m",
                    "ExecutionRoleArn": "arn:aws:iam::123456789012:role/r",
                    "PrimaryContainer": {"Image": IMAGE},
                },
            },
            "Config": {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {
                    "EndpointConfigName": "c",
                    "ExecutionRoleArn": "arn:aws:iam::123456789012:role/r",
                    "ProductionVariants": [variant],
                },
            },
            "Endpoint": {
                "Type": "AWS::SageMaker::Endpoint",
                "Properties": {
                    "EndpointName": "e",
                    "EndpointConfigName": {"Fn::GetAtt": ["Config", "EndpointConfigName"]},
                },
            },
            "Component": {
                "Type": "AWS::SageMaker::InferenceComponent",
                "Properties": {
                    "InferenceComponentName": "e-chat",
                    "EndpointName": {"Fn::GetAtt": ["Endpoint", "EndpointName"]},
                    "VariantName": "AllTraffic",
                    "Specification": {
                        "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
                        "ComputeResourceRequirements": {
                            "NumberOfAcceleratorDevicesRequired": chips,
                            "MinMemoryRequiredInMb": 1024,
                        },
                    },
                    "RuntimeConfig": {"CopyCount": 1},
                },
            },
            "Target": {
                "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
                "DependsOn": "Component",
                "Properties": {
                    "ServiceNamespace": "sagemaker",
                    "ResourceId": "inference-component/e-chat",
                    "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount",
                    "MinCapacity": 0,
                    "MaxCapacity": 4,
                },
            },
        },
        "Outputs": {"Arn": {"Value": {"Ref": "Component"}}},
    }


def test_a_component_deploys_scales_and_is_placed_on_at_most_max_instances(deploy: Deploy) -> None:
    outputs = deploy(_template())
    sagemaker = boto3.client("sagemaker")
    component = sagemaker.describe_inference_component(InferenceComponentName="e-chat")
    assert outputs["Arn"] == component["InferenceComponentArn"]
    assert component["InferenceComponentStatus"] == "InService"
    assert component["RuntimeConfig"] == {"DesiredCopyCount": 1, "CurrentCopyCount": 1}
    listed = sagemaker.list_inference_components(EndpointNameEquals="e")["InferenceComponents"]
    assert [c["InferenceComponentName"] for c in listed] == ["e-chat"]
    targets = boto3.client("application-autoscaling").describe_scalable_targets(ServiceNamespace="sagemaker")
    assert targets["ScalableTargets"][0]["MinCapacity"] == 0

    sagemaker.update_inference_component_runtime_config(
        InferenceComponentName="e-chat", DesiredRuntimeConfig={"CopyCount": 0}
    )
    assert sagemaker.describe_inference_component(InferenceComponentName="e-chat")["RuntimeConfig"] == {
        "DesiredCopyCount": 0,
        "CurrentCopyCount": 0,
    }
    # One chip per copy, one chip per ml.inf2.xlarge, at most 2 instances: 2 of 3 copies are placed.
    sagemaker.update_inference_component_runtime_config(
        InferenceComponentName="e-chat", DesiredRuntimeConfig={"CopyCount": 3}
    )
    runtime = sagemaker.describe_inference_component(InferenceComponentName="e-chat")["RuntimeConfig"]
    assert runtime == {"DesiredCopyCount": 3, "CurrentCopyCount": 2}


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (_template(model_on_variant=True), "its variant AllTraffic names model m"),
        (_template(chips=2), "requires 2 accelerator devices, but instance type ml.inf2.xlarge"),
    ],
    ids=["model-on-variant", "too-many-chips"],
)
def test_a_refused_component_fails_the_stack(cfn: Any, template: dict[str, Any], reason: str) -> None:
    template = {
        "Resources": template["Resources"]
    }  # moto resolves Outputs lazily, even of a rolled-back stack
    cfn.create_stack(StackName="refused", TemplateBody=json.dumps(template))
    stack = cfn.describe_stacks(StackName="refused")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="refused")["StackEvents"]
    assert any(reason in e.get("ResourceStatusReason", "") for e in events)


def test_aws_refusals(deploy: Deploy, cfn: Any) -> None:
    deploy(_template())
    sagemaker = boto3.client("sagemaker")
    with pytest.raises(ClientError, match="already existing inference component"):
        sagemaker.create_inference_component(
            InferenceComponentName="E-CHAT",
            EndpointName="e",
            Specification={"ModelName": "m", "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024}},
            RuntimeConfig={"CopyCount": 1},
        )
    unchecked = boto3.client("sagemaker", config=Config(parameter_validation=False))  # what the server checks
    with pytest.raises(
        ClientError, match=r"(?i)numberOfAcceleratorDevicesRequired.*greater than or equal to 1"
    ):
        unchecked.create_inference_component(
            InferenceComponentName="other",
            EndpointName="e",
            Specification={
                "ModelName": "m",
                "ComputeResourceRequirements": {
                    "MinMemoryRequiredInMb": 1024,
                    "NumberOfAcceleratorDevicesRequired": 0,
                },
            },
            RuntimeConfig={"CopyCount": 1},
        )
    with pytest.raises(ClientError, match="Inference component missing does not exist"):
        boto3.client("application-autoscaling").register_scalable_target(
            ServiceNamespace="sagemaker",
            ResourceId="inference-component/missing",
            ScalableDimension="sagemaker:inference-component:DesiredCopyCount",
            MinCapacity=0,
            MaxCapacity=1,
        )
    with pytest.raises(ClientError, match="Could not find inference component"):
        sagemaker.describe_inference_component(InferenceComponentName="missing")
    cfn.delete_stack(StackName="emu")
    assert sagemaker.list_inference_components()["InferenceComponents"] == []


def test_generated_sagemaker_names_fit_63_characters(deploy: Deploy) -> None:
    template = _template()
    model = template["Resources"]["Model"]["Properties"]
    del model["ModelName"]  # generated: <stack>-<logical id>-<random>, cut to 63 characters
    template["Resources"]["Model"]["Properties"] = model
    deploy(template, stack_name="a-stack-name-long-enough-to-push-a-generated-model-name-past-63")
    (component,) = boto3.client("sagemaker").list_inference_components()["InferenceComponents"]
    described = boto3.client("sagemaker").describe_inference_component(
        InferenceComponentName=component["InferenceComponentName"]
    )
    assert len(described["Specification"]["ModelName"]) <= 63


def test_components_are_listed_with_their_tags_by_the_tagging_api(deploy: Deploy) -> None:
    # GetResources supports all resource types (Resource Groups Tagging API reference, "Services that support
    # the Resource Groups Tagging API"); moto's SageMaker backend listed no inference component.
    template = _template()
    template["Resources"]["Component"]["Properties"]["Tags"] = [
        {"Key": "infersave:project", "Value": "p"},
        {"Key": "infersave:model-id", "Value": "Qwen/Qwen3-8B"},
    ]
    outputs = deploy(template)
    tagging = boto3.client("resourcegroupstaggingapi")
    listed = tagging.get_resources(
        TagFilters=[{"Key": "infersave:project", "Values": ["p"]}],
        ResourceTypeFilters=["sagemaker:inference-component"],
    )["ResourceTagMappingList"]
    assert [(r["ResourceARN"], {t["Key"]: t["Value"] for t in r["Tags"]}) for r in listed] == [
        (outputs["Arn"], {"infersave:project": "p", "infersave:model-id": "Qwen/Qwen3-8B"})
    ]
    assert outputs["Arn"].endswith(":inference-component/e-chat")
    endpoints_only = tagging.get_resources(ResourceTypeFilters=["sagemaker:endpoint"])[
        "ResourceTagMappingList"
    ]
    assert all(":inference-component/" not in r["ResourceARN"] for r in endpoints_only)


def _instances() -> int:
    (variant,) = boto3.client("sagemaker").describe_endpoint(EndpointName="e")["ProductionVariants"]
    return int(variant.get("CurrentInstanceCount", 0))


def test_instances_follow_the_copies_under_managed_instance_scaling(deploy: Deploy) -> None:
    """SageMaker developer guide, "Scale an endpoint to zero instances": with MinInstanceCount 0 the copies scaling
    in to zero take the in-service instances to zero; a copy needs an instance of its own chips (ml.inf2.xlarge:
    one chip, one copy each), never past MaxInstanceCount (2)."""
    deploy(_template())
    sagemaker = boto3.client("sagemaker")
    assert _instances() == 1
    for copies, instances in ((0, 0), (2, 2), (3, 2), (1, 1)):
        sagemaker.update_inference_component_runtime_config(
            InferenceComponentName="e-chat", DesiredRuntimeConfig={"CopyCount": copies}
        )
        assert _instances() == instances, f"{copies} copies"
    sagemaker.delete_inference_component(InferenceComponentName="e-chat")
    assert _instances() == 0


def test_list_inference_components_pages_and_filters(deploy: Deploy) -> None:
    """ListInferenceComponents: MaxResults 1-100, NextToken, EndpointNameEquals (API reference)."""
    deploy(_template())
    sagemaker = boto3.client("sagemaker")
    for name in ("e-b", "e-a"):
        sagemaker.create_inference_component(
            InferenceComponentName=name,
            EndpointName="e",
            Specification={"ModelName": "m", "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024}},
            RuntimeConfig={"CopyCount": 0},
        )
    first = sagemaker.list_inference_components(MaxResults=2)
    assert [c["InferenceComponentName"] for c in first["InferenceComponents"]] == ["e-a", "e-b"]
    rest = sagemaker.list_inference_components(MaxResults=2, NextToken=first["NextToken"])
    assert [c["InferenceComponentName"] for c in rest["InferenceComponents"]] == ["e-chat"]
    assert "NextToken" not in rest
    assert sagemaker.list_inference_components(EndpointNameEquals="other")["InferenceComponents"] == []
