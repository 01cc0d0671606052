"""AWS::CloudWatch::Alarm through CloudFormation: single-metric and metric-math alarms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

Deploy = Callable[..., dict[str, str]]

TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Alerts": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Errors": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": "llama-inf2-5xx",
                "Namespace": "AWS/SageMaker",
                "MetricName": "Invocation5XXErrors",
                "Dimensions": [
                    {"Name": "EndpointName", "Value": "llama-inf2"},
                    {"Name": "VariantName", "Value": "AllTraffic"},
                ],
                "Statistic": "Sum",
                "Period": 300,
                "EvaluationPeriods": 2,
                "Threshold": 5,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": [{"Ref": "Alerts"}],
            },
        },
        "ErrorRate": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "EvaluationPeriods": 1,
                "Threshold": 0.05,
                "ComparisonOperator": "GreaterThanThreshold",
                "Metrics": [
                    {"Id": "rate", "Expression": "errors / invocations", "ReturnData": True},
                    {
                        "Id": "errors",
                        "ReturnData": False,
                        "MetricStat": {
                            "Metric": {"Namespace": "AWS/SageMaker", "MetricName": "Invocation5XXErrors"},
                            "Period": 300,
                            "Stat": "Sum",
                        },
                    },
                    {
                        "Id": "invocations",
                        "ReturnData": False,
                        "MetricStat": {
                            "Metric": {"Namespace": "AWS/SageMaker", "MetricName": "Invocations"},
                            "Period": 300,
                            "Stat": "Sum",
                        },
                    },
                ],
            },
        },
    },
    "Outputs": {
        "ErrorsRef": {"Value": {"Ref": "Errors"}},
        "ErrorsArn": {"Value": {"Fn::GetAtt": ["Errors", "Arn"]}},
    },
}


def test_deploy_creates_alarms(deploy: Deploy) -> None:
    outputs = deploy(TEMPLATE)

    alarms = {a["AlarmName"]: a for a in boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    errors = alarms["llama-inf2-5xx"]
    assert (errors["MetricName"], errors["Threshold"], errors["EvaluationPeriods"]) == (
        "Invocation5XXErrors",
        5.0,
        2,
    )
    assert errors["Dimensions"] == [
        {"Name": "EndpointName", "Value": "llama-inf2"},
        {"Name": "VariantName", "Value": "AllTraffic"},
    ]
    assert errors["AlarmActions"] == [
        "arn:aws:sns:us-east-1:123456789012:" + errors["AlarmActions"][0].split(":")[-1]
    ]
    assert errors["TreatMissingData"] == "notBreaching"
    (rate,) = (a for name, a in alarms.items() if name.startswith("emu-ErrorRate-"))
    assert [m["Id"] for m in rate["Metrics"]] == ["rate", "errors", "invocations"]
    assert outputs == {"ErrorsRef": "llama-inf2-5xx", "ErrorsArn": errors["AlarmArn"]}


def test_delete_stack_removes_alarms(deploy: Deploy, cfn: Any) -> None:
    deploy(TEMPLATE)

    cfn.delete_stack(StackName="emu")

    assert boto3.client("cloudwatch").describe_alarms()["MetricAlarms"] == []
