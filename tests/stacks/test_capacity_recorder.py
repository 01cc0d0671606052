"""CDK assertions on the capacity recorder: function, 5-minute schedule with the scheduled time, IAM, alarms."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template

from tests.stacks.conftest import Synth

HANDLER = "lambdas.capacity_recorder.handler.lambda_handler"


def _recorder_statements(template: Template) -> list[dict[str, Any]]:
    return [
        s
        for logical_id, p in template.find_resources("AWS::IAM::Policy").items()
        if logical_id.startswith("CapacityRecorderRoleDefaultPolicy")
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_recorder_function_runs_every_five_minutes_with_the_scheduled_time(synth: Synth) -> None:
    t = synth.default["cost"]
    t.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": HANDLER,
            "Runtime": "python3.13",
            "Architectures": ["arm64"],
            "Timeout": 240,
            "Environment": {
                "Variables": {
                    "PROJECT_NAME": "demo-llm",
                    "MAX_ENDPOINTS": "1000",
                    "POWERTOOLS_SERVICE_NAME": "capacity-recorder",
                    "POWERTOOLS_METRICS_NAMESPACE": "infersave",
                }
            },
        },
    )
    (schedule,) = [
        p["Properties"]
        for p in t.find_resources("AWS::Scheduler::Schedule").values()
        if "scheduled_time" in p["Properties"]["Target"]["Input"]
    ]
    assert schedule["ScheduleExpression"] == "rate(5 minutes)"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert json.loads(schedule["Target"]["Input"]) == {
        "source": "infersave.capacity-recorder",
        "scheduled_time": "<aws.scheduler.scheduled-time>",
    }
    assert schedule["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 240}
    (recorder_id,) = t.find_resources("AWS::Lambda::Function", {"Properties": {"Handler": HANDLER}})
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": [recorder_id, "Arn"]}
    # No Lambda retry (it would write the same samples twice); failures alarm and land in the on-failure queue.
    t.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "FunctionName": {"Ref": recorder_id},
            "MaximumRetryAttempts": 0,
            "DestinationConfig": Match.any_value(),
        },
    )
    errors = t.find_resources(
        "AWS::CloudWatch::Alarm",
        {
            "Properties": {
                "MetricName": "Errors",
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": recorder_id}}],
            }
        },
    )
    assert len(errors) == 1
    assert "CapacityRecorderFunctionName" in t.to_json()["Outputs"]


def test_the_recorder_reads_this_projects_endpoints_and_writes_one_namespace(synth: Synth) -> None:
    statements = _recorder_statements(synth.default["cost"])
    by_action: dict[str, dict[str, Any]] = {}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in a for a in actions), actions
        for action in actions:
            by_action[action] = statement
    assert set(by_action) == {
        "tag:GetResources",
        "sagemaker:ListInferenceComponents",
        "cloudwatch:PutMetricData",
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeInferenceComponent",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
    }, "no write beyond its metrics, logs, traces and on-failure queue"
    assert by_action["cloudwatch:PutMetricData"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "infersave/Capacity"}
    }
    for action, resource in (
        ("sagemaker:DescribeEndpoint", "endpoint/demo-llm-*"),
        ("sagemaker:DescribeInferenceComponent", "inference-component/demo-llm-*"),
    ):
        statement = by_action[action]
        assert statement["Resource"]["Fn::Join"][1][-1].endswith(f":{resource}")
        assert statement["Condition"] == {"StringEquals": {"aws:ResourceTag/infersave:project": "demo-llm"}}
    wildcard = {a for a, s in by_action.items() if s["Resource"] == "*"}
    assert wildcard == {
        "tag:GetResources",
        "sagemaker:ListInferenceComponents",
        "cloudwatch:PutMetricData",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }


def test_every_project_gets_a_recorder(synth: Synth) -> None:
    for templates in (synth.components, synth.sharded, synth.billing):
        templates["cost"].resource_count_is("AWS::Lambda::Function", 2)
