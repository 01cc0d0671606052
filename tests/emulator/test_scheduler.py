"""EventBridge Scheduler through CloudFormation: a schedule group and schedules in it and in default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

Deploy = Callable[..., dict[str, str]]
TARGET_ARN = "arn:aws:lambda:us-east-1:123456789012:function:cost-reporter"
ROLE_ARN = "arn:aws:iam::123456789012:role/scheduler"

TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Group": {
            "Type": "AWS::Scheduler::ScheduleGroup",
            "Properties": {"Name": "infersave", "Tags": [{"Key": "infersave:project", "Value": "demo"}]},
        },
        "Daily": {
            "Type": "AWS::Scheduler::Schedule",
            "Properties": {
                "Name": "cost-report-daily",
                "GroupName": {"Ref": "Group"},
                "ScheduleExpression": "cron(0 6 * * ? *)",
                "ScheduleExpressionTimezone": "Europe/Berlin",
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "Target": {"Arn": TARGET_ARN, "RoleArn": ROLE_ARN, "Input": '{"period": "day"}'},
            },
        },
        "Unnamed": {
            "Type": "AWS::Scheduler::Schedule",
            "Properties": {
                "ScheduleExpression": "rate(1 day)",
                "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
                "Target": {"Arn": TARGET_ARN, "RoleArn": ROLE_ARN},
                "State": "DISABLED",
            },
        },
    },
    "Outputs": {
        "GroupRef": {"Value": {"Ref": "Group"}},
        "GroupArn": {"Value": {"Fn::GetAtt": ["Group", "Arn"]}},
        "DailyRef": {"Value": {"Ref": "Daily"}},
        "DailyArn": {"Value": {"Fn::GetAtt": ["Daily", "Arn"]}},
        "UnnamedRef": {"Value": {"Ref": "Unnamed"}},
    },
}


@pytest.fixture
def scheduler(deploy: Deploy) -> Any:
    return boto3.client("scheduler")


def test_deploy_creates_group_and_schedules(deploy: Deploy, scheduler: Any) -> None:
    outputs = deploy(TEMPLATE)

    daily = scheduler.get_schedule(GroupName="infersave", Name="cost-report-daily")
    assert daily["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert daily["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert daily["Target"]["Arn"] == TARGET_ARN
    assert daily["Target"]["Input"] == '{"period": "day"}'
    assert daily["State"] == "ENABLED"
    unnamed = scheduler.get_schedule(Name=outputs["UnnamedRef"])
    assert unnamed["State"] == "DISABLED"
    assert unnamed["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    group = scheduler.get_schedule_group(Name="infersave")
    assert outputs["GroupArn"] == group["Arn"]
    assert scheduler.list_tags_for_resource(ResourceArn=group["Arn"])["Tags"] == [
        {"Key": "infersave:project", "Value": "demo"}
    ]
    assert (outputs["GroupRef"], outputs["DailyRef"]) == ("infersave", "cost-report-daily")
    assert outputs["DailyArn"] == daily["Arn"]


def test_delete_stack_removes_group_and_schedules(deploy: Deploy, cfn: Any, scheduler: Any) -> None:
    deploy(TEMPLATE)

    cfn.delete_stack(StackName="emu")

    assert scheduler.list_schedules()["Schedules"] == []
    assert [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]] == ["default"]
    assert cfn.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
