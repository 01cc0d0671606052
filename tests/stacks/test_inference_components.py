"""The inference-component endpoint: managed instance scaling to zero, one component per model, copy-count
scaling and the scale-out-from-zero alarm (tests/fixtures/components.yaml)."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match

from tests.stacks.conftest import Synth

#: tests/fixtures/components.yaml: the endpoint's own model and its second one.
MODEL_IDS = {"comp-shared": "Qwen/Qwen3-8B", "comp-shared-zephyr": "HuggingFaceH4/zephyr-7b-beta"}


def _one(resources: dict[str, Any]) -> dict[str, Any]:
    assert len(resources) == 1, list(resources)
    return dict(next(iter(resources.values()))["Properties"])


def test_endpoint_config_scales_instances_to_zero_and_names_no_model(synth: Synth) -> None:
    t = synth.components["inference"]
    config = _one(t.find_resources("AWS::SageMaker::EndpointConfig"))
    (variant,) = config["ProductionVariants"]
    assert "ModelName" not in variant
    assert variant["ManagedInstanceScaling"] == {
        "Status": "ENABLED",
        "MinInstanceCount": 0,
        "MaxInstanceCount": 2,
        "ScaleInPolicy": {"Strategy": "IDLE_RELEASE"},
    }
    assert variant["RoutingConfig"] == {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}
    assert "ExecutionRoleArn" in config


def test_one_component_per_model_in_whole_chips(synth: Synth) -> None:
    t = synth.components["inference"]
    components = t.find_resources("AWS::SageMaker::InferenceComponent")
    names = sorted(c["Properties"]["InferenceComponentName"] for c in components.values())
    assert names == ["comp-shared", "comp-shared-zephyr"]
    for component in components.values():
        props = component["Properties"]
        # tp 2 = one Inferentia2 chip of the 24xlarge's six: 16 of 96 vCPUs (8 cores), 64 GiB x 0.8 of host memory.
        assert props["Specification"]["ComputeResourceRequirements"] == {
            "NumberOfAcceleratorDevicesRequired": 1,
            "NumberOfCpuCoresRequired": 8,
            "MinMemoryRequiredInMb": 52428,
        }
        assert props["RuntimeConfig"] == {"CopyCount": 1}
        assert props["VariantName"] == "AllTraffic"
    t.resource_count_is("AWS::SageMaker::Model", 2)


def test_each_component_carries_its_model_id_for_the_cost_report(synth: Synth) -> None:
    components = synth.components["inference"].find_resources("AWS::SageMaker::InferenceComponent")
    model_of = {
        c["Properties"]["InferenceComponentName"]: {t["Key"]: t["Value"] for t in c["Properties"]["Tags"]}
        for c in components.values()
    }
    assert {name: found["infersave:model-id"] for name, found in model_of.items()} == MODEL_IDS
    assert all(found["infersave:endpoint"] == "comp-shared" for found in model_of.values())


def test_copy_count_targets_track_and_scale_out_from_zero(synth: Synth) -> None:
    t = synth.components["inference"]
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {
            "ResourceId": "inference-component/comp-shared-zephyr",
            "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount",
            "MinCapacity": 0,
            "MaxCapacity": 2,
            "ScheduledActions": Match.array_with(
                [Match.object_like({"ScheduledActionName": Match.string_like_regexp("OffHoursDown")})]
            ),
        },
    )
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": Match.object_like(
                {
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"
                    },
                    "ScaleInCooldown": 1800,  # idle_minutes 30
                }
            ),
        },
    )
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "PolicyType": "StepScaling",
            "StepScalingPolicyConfiguration": Match.object_like(
                {
                    "AdjustmentType": "ChangeInCapacity",
                    "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
                }
            ),
        },
    )
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/SageMaker",
            "MetricName": "NoCapacityInvocationFailures",
            "Dimensions": [{"Name": "InferenceComponentName", "Value": "comp-shared"}],
            "Statistic": "Sum",
            "Period": 60,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "AlarmActions": [{"Ref": Match.string_like_regexp("FromZeroshared")}],
        },
    )
    t.resource_count_is("AWS::CloudWatch::Alarm", 2)


def _sagemaker_alarms(template: Any) -> list[dict[str, Any]]:
    """The operational alarms (single-metric or metric math) on AWS/SageMaker metrics."""
    alarms = []
    for alarm in template.find_resources("AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        metrics = [props] + [q["MetricStat"]["Metric"] for q in props.get("Metrics", []) if "MetricStat" in q]
        if any(m.get("Namespace") == "AWS/SageMaker" for m in metrics):
            alarms.append(props)
    return alarms


def test_alarms_watch_each_component_not_the_variant(synth: Synth) -> None:
    t = synth.components["guardrails"]
    alarms = _sagemaker_alarms(t)
    assert len(alarms) == 6  # 5XX, p90 latency, at max copies, for each of the two components
    dims = [{"Name": "InferenceComponentName", "Value": "comp-shared-zephyr"}]
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"MetricName": "Invocation5XXErrors", "Dimensions": dims, "Statistic": "Sum", "Threshold": 5},
    )
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"MetricName": "ModelLatency", "Dimensions": dims, "ExtendedStatistic": "p90"},
    )
    # zephyr's copies max out at 2, the endpoint's own model's at 4: Invocations / InvocationsPerCopy.
    for component, most in (("comp-shared-zephyr", 2), ("comp-shared", 4)):
        t.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "Threshold": most - 0.5,
                "Metrics": Match.array_with(
                    [
                        Match.object_like({"Expression": "IF(perCopy > 0, invocations / perCopy, 0)"}),
                        Match.object_like(
                            {
                                "Id": "perCopy",
                                "MetricStat": Match.object_like(
                                    {
                                        "Metric": {
                                            "Namespace": "AWS/SageMaker",
                                            "MetricName": "InvocationsPerCopy",
                                            "Dimensions": [
                                                {"Name": "InferenceComponentName", "Value": component}
                                            ],
                                        }
                                    }
                                ),
                            }
                        ),
                    ]
                ),
                "AlarmDescription": Match.string_like_regexp(f"^{component}: at its max of {most} copies"),
            },
        )
    assert "VariantName" not in json.dumps(alarms)  # no alarm reads the variant's series
