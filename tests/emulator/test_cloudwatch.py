"""AWS::CloudWatch::Alarm through CloudFormation: single-metric and metric-math alarms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

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


def test_get_metric_data_refuses_more_than_500_queries_as_on_aws(aws: None) -> None:
    # GetMetricData API reference: "as many as 500 MetricDataQuery structures" per call; moto took any number.
    client = boto3.client("cloudwatch", region_name="us-east-1")
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 2, tzinfo=UTC)

    def queries(count: int) -> list[Any]:
        return [
            {
                "Id": f"q{i}",
                "MetricStat": {
                    "Metric": {"Namespace": "AWS/SageMaker", "MetricName": "Invocations"},
                    "Period": 3600,
                    "Stat": "Sum",
                },
            }
            for i in range(count)
        ]

    with pytest.raises(ClientError, match="must not have a size greater than 500"):
        client.get_metric_data(MetricDataQueries=queries(501), StartTime=start, EndTime=end)
    answer = client.get_metric_data(MetricDataQueries=queries(500), StartTime=start, EndTime=end)
    assert len(answer["MetricDataResults"]) == 500


def test_a_query_reads_only_its_own_metric_namespace_included(aws: None) -> None:
    # A metric is its namespace, name and dimensions (CloudWatch API reference, Metric); moto, given dimensions,
    # also summed a same-named metric of another namespace.
    client = boto3.client("cloudwatch", region_name="us-east-1")
    stamp = datetime(2026, 10, 1, 0, 5, tzinfo=UTC)
    dimensions = [{"Name": "InferenceComponentName", "Value": "c"}]
    for namespace, value in (("AWS/SageMaker", 1.0), ("infersave/Capacity", 100.0), ("AWS/SageMaker", 2.0)):
        client.put_metric_data(
            Namespace=namespace,
            MetricData=[
                {"MetricName": "Invocations", "Dimensions": dimensions, "Timestamp": stamp, "Value": value}
            ],
        )
    client.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "InferenceComponentName", "Value": "other"}],
                "Timestamp": stamp,
                "Value": 1000.0,
            }
        ],
    )

    def query(namespace: str, stat: str, period: int) -> dict[str, Any]:
        return {
            "Id": f"q{len(namespace)}{stat}{period}".lower(),
            "MetricStat": {
                "Metric": {"Namespace": namespace, "MetricName": "Invocations", "Dimensions": dimensions},
                "Period": period,
                "Stat": stat,
            },
        }

    answer = client.get_metric_data(
        MetricDataQueries=[
            query("AWS/SageMaker", "Sum", 300),
            query("AWS/SageMaker", "SampleCount", 3600),
            query("infersave/Capacity", "Maximum", 300),
        ],
        StartTime=datetime(2026, 10, 1, tzinfo=UTC),
        EndTime=datetime(2026, 10, 1, 1, tzinfo=UTC),
    )
    results = [(r["Timestamps"], r["Values"]) for r in answer["MetricDataResults"]]
    assert results == [
        ([stamp], [3.0]),
        ([datetime(2026, 10, 1, tzinfo=UTC)], [2.0]),
        ([stamp], [100.0]),
    ]


def test_put_metric_data_takes_at_most_1000_metrics(aws: None) -> None:
    """PutMetricData API reference: "Each request is also limited to no more than 1000 different metrics"."""
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    data: list[Any] = [{"MetricName": f"m{i}", "Value": 1.0, "Unit": "Count"} for i in range(1001)]
    with pytest.raises(ClientError) as refused:
        cloudwatch.put_metric_data(Namespace="infersave/Capacity", MetricData=data)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "must not have a size greater than 1000" in str(refused.value)
    cloudwatch.put_metric_data(Namespace="infersave/Capacity", MetricData=data[:1000])
    listed = cloudwatch.list_metrics(Namespace="infersave/Capacity")["Metrics"]
    assert len({m["MetricName"] for m in listed}) >= 500  # ListMetrics pages at 500
