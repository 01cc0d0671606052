"""Application Auto Scaling through CloudFormation: target, scheduled actions, both policy types."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

Deploy = Callable[..., dict[str, str]]
EndpointResources = Callable[..., dict[str, Any]]

RESOURCE_ID = "endpoint/llama-inf2/variant/AllTraffic"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@pytest.fixture
def template(endpoint_resources: EndpointResources) -> dict[str, Any]:
    """An endpoint with a scalable target (two scheduled actions) and two scaling policies."""
    resources = endpoint_resources("llama-inf2")
    resources["Target"] = {
        "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
        "DependsOn": ["Endpoint"],
        "Properties": {
            "ServiceNamespace": "sagemaker",
            "ResourceId": RESOURCE_ID,
            "ScalableDimension": DIMENSION,
            "MinCapacity": 1,
            "MaxCapacity": 4,
            "RoleARN": "arn:aws:iam::123456789012:role/aws-service-role/sagemaker",
            "ScheduledActions": [
                {
                    "ScheduledActionName": "off-hours",
                    "Schedule": "cron(0 20 ? * MON-FRI *)",
                    "Timezone": "Europe/Berlin",
                    "ScalableTargetAction": {"MinCapacity": 0, "MaxCapacity": 1},
                },
                {
                    "ScheduledActionName": "work-hours",
                    "Schedule": "cron(0 7 ? * MON-FRI *)",
                    "Timezone": "Europe/Berlin",
                    "ScalableTargetAction": {"MinCapacity": 1},
                },
            ],
        },
    }
    resources["TargetTracking"] = {
        "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
        "Properties": {
            "PolicyName": "concurrency",
            "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": {"Ref": "Target"},
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 8.0,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "SageMakerVariantConcurrentRequestsPerModelHighResolution"
                },
                "ScaleInCooldown": 600,
                "ScaleOutCooldown": 60,
            },
        },
    }
    resources["Step"] = {
        "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
        "DependsOn": ["Target"],
        "Properties": {
            "PolicyName": "from-zero",
            "PolicyType": "StepScaling",
            "ServiceNamespace": "sagemaker",
            "ResourceId": RESOURCE_ID,
            "ScalableDimension": DIMENSION,
            "StepScalingPolicyConfiguration": {
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
            },
        },
    }
    return {
        "Resources": resources,
        "Outputs": {
            "TargetRef": {"Value": {"Ref": "Target"}},
            "TargetId": {"Value": {"Fn::GetAtt": ["Target", "Id"]}},
            "PolicyRef": {"Value": {"Ref": "TargetTracking"}},
            "PolicyArn": {"Value": {"Fn::GetAtt": ["TargetTracking", "Arn"]}},
        },
    }


def test_deploy_creates_target_scheduled_actions_and_policies(
    deploy: Deploy, template: dict[str, Any]
) -> None:
    outputs = deploy(template)

    client = boto3.client("application-autoscaling")
    (target,) = client.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert (target["ResourceId"], target["ScalableDimension"]) == (RESOURCE_ID, DIMENSION)
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    actions = client.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]
    assert {a["ScheduledActionName"]: a["ScalableTargetAction"] for a in actions} == {
        "off-hours": {"MinCapacity": 0, "MaxCapacity": 1},
        "work-hours": {"MinCapacity": 1},
    }
    assert {a["Timezone"] for a in actions} == {"Europe/Berlin"}
    policies = {
        p["PolicyName"]: p
        for p in client.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    }
    assert policies["concurrency"]["ResourceId"] == RESOURCE_ID
    tracking = policies["concurrency"]["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["TargetValue"] == 8.0
    assert tracking["ScaleInCooldown"] == 600
    step = policies["from-zero"]["StepScalingPolicyConfiguration"]
    assert step["StepAdjustments"] == [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}]
    assert outputs["TargetRef"] == outputs["TargetId"] == f"{RESOURCE_ID}|{DIMENSION}|sagemaker"
    assert outputs["PolicyRef"] == outputs["PolicyArn"] == policies["concurrency"]["PolicyARN"]


def test_update_changes_capacity_and_replaces_scheduled_actions(
    deploy: Deploy, template: dict[str, Any]
) -> None:
    deploy(template)
    updated = copy.deepcopy(template)
    target_properties = updated["Resources"]["Target"]["Properties"]
    target_properties["MaxCapacity"] = 6
    target_properties["ScheduledActions"] = target_properties["ScheduledActions"][:1]
    updated["Resources"]["TargetTracking"]["Properties"]["TargetTrackingScalingPolicyConfiguration"][
        "TargetValue"
    ] = 4.0

    deploy(updated, update=True)

    client = boto3.client("application-autoscaling")
    (target,) = client.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert target["MaxCapacity"] == 6
    actions = client.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]
    assert [a["ScheduledActionName"] for a in actions] == ["off-hours"]
    policies = client.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    tracking = next(p for p in policies if p["PolicyName"] == "concurrency")
    assert tracking["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 4.0
    assert len(policies) == 2


def test_delete_stack_removes_everything(deploy: Deploy, cfn: Any, template: dict[str, Any]) -> None:
    deploy(template)

    cfn.delete_stack(StackName="emu")

    client = boto3.client("application-autoscaling")
    assert client.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
    assert client.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"] == []
    assert client.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"] == []


def test_deregister_deletes_policies_and_scheduled_actions(deploy: Deploy, template: dict[str, Any]) -> None:
    """DeregisterScalableTarget: "deletes the scaling policies and the scheduled actions that are associated with
    it" (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeregisterScalableTarget.html)."""
    deploy(template)
    client = boto3.client("application-autoscaling")

    client.deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=RESOURCE_ID, ScalableDimension=DIMENSION
    )

    assert client.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"] == []
    assert client.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"] == []
    with pytest.raises(ClientError) as missing:
        client.deregister_scalable_target(
            ServiceNamespace="sagemaker", ResourceId=RESOURCE_ID, ScalableDimension=DIMENSION
        )
    assert missing.value.response["Error"]["Code"] == "ObjectNotFoundException"


def test_retained_target_removed_from_the_template_stays_registered(
    deploy: Deploy, template: dict[str, Any]
) -> None:
    """DeletionPolicy Retain also applies to resources an update removes (CloudFormation template reference,
    DeletionPolicy attribute); a new target for the same variant is registered before the cleanup."""
    for logical_id in ("Target", "TargetTracking"):
        template["Resources"][logical_id]["DeletionPolicy"] = "Retain"
    deploy(template)
    updated = copy.deepcopy(template)
    updated["Resources"]["TargetV2"] = updated["Resources"].pop("Target")
    updated["Resources"]["TargetV2"]["Properties"]["MaxCapacity"] = 6
    for body in updated["Resources"].values():
        if body.get("Properties", {}).get("ScalingTargetId") == {"Ref": "Target"}:
            body["Properties"]["ScalingTargetId"] = {"Ref": "TargetV2"}
    updated["Outputs"] = {}

    deploy(updated, update=True)

    client = boto3.client("application-autoscaling")
    (target,) = client.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert target["MaxCapacity"] == 6
