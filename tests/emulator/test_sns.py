"""SNS through CloudFormation: topic policy, subscriptions, topic tags."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

Deploy = Callable[..., dict[str, str]]

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "BudgetsPublish",
            "Effect": "Allow",
            "Principal": {"Service": ["budgets.amazonaws.com", "costalerts.amazonaws.com"]},
            "Action": "sns:Publish",
            "Resource": {"Ref": "Alerts"},
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    ],
}

TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Alerts": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": "alerts", "Tags": [{"Key": "infersave:project", "Value": "demo"}]},
        },
        "AlertsPolicy": {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {"Topics": [{"Ref": "Alerts"}], "PolicyDocument": POLICY},
        },
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            },
        },
        "Switch": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.11",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"ZipFile": "def handler(event, context):\n    return None\n"},
            },
        },
        "SwitchSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "Protocol": "lambda",
                "TopicArn": {"Ref": "Alerts"},
                "Endpoint": {"Fn::GetAtt": ["Switch", "Arn"]},
                "FilterPolicyScope": "MessageBody",
                "FilterPolicy": {"budgetName": ["infersave-demo"]},
            },
        },
        "MailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "Protocol": "email",
                "TopicArn": {"Ref": "Alerts"},
                "Endpoint": "team@example.com",
            },
        },
    },
    "Outputs": {"SubscriptionRef": {"Value": {"Ref": "SwitchSubscription"}}},
}


def _topic_arn() -> str:
    return "arn:aws:sns:us-east-1:123456789012:alerts"


def test_deploy_sets_topic_policy_tags_and_subscriptions(deploy: Deploy) -> None:
    outputs = deploy(TEMPLATE)

    sns = boto3.client("sns")
    policy = json.loads(sns.get_topic_attributes(TopicArn=_topic_arn())["Attributes"]["Policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": ["budgets.amazonaws.com", "costalerts.amazonaws.com"]}
    assert statement["Resource"] == _topic_arn()
    assert sns.list_tags_for_resource(ResourceArn=_topic_arn())["Tags"] == [
        {"Key": "infersave:project", "Value": "demo"}
    ]
    subscriptions = {
        s["Protocol"]: s for s in sns.list_subscriptions_by_topic(TopicArn=_topic_arn())["Subscriptions"]
    }
    assert set(subscriptions) == {"lambda", "email"}
    assert subscriptions["lambda"]["Endpoint"].endswith(
        ":function:" + subscriptions["lambda"]["Endpoint"].split(":")[-1]
    )
    assert outputs["SubscriptionRef"] == subscriptions["lambda"]["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=outputs["SubscriptionRef"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"budgetName": ["infersave-demo"]}
    assert attributes["FilterPolicyScope"] == "MessageBody"


def test_removing_the_policy_restores_the_default(deploy: Deploy) -> None:
    deploy(TEMPLATE)
    without_policy = copy.deepcopy(TEMPLATE)
    del without_policy["Resources"]["AlertsPolicy"]

    deploy(without_policy, update=True)

    policy = json.loads(
        boto3.client("sns").get_topic_attributes(TopicArn=_topic_arn())["Attributes"]["Policy"]
    )
    assert [s["Sid"] for s in policy["Statement"]] == ["__default_statement_ID"]


def test_delete_stack_removes_subscriptions(deploy: Deploy, cfn: Any) -> None:
    deploy(TEMPLATE)

    cfn.delete_stack(StackName="emu")

    sns = boto3.client("sns")
    assert sns.list_subscriptions()["Subscriptions"] == []
    assert sns.list_topics()["Topics"] == []


def _cross_region_subscription(region: str | None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "Protocol": "lambda",
        "TopicArn": _topic_arn(),
        "Endpoint": "arn:aws:lambda:eu-north-1:123456789012:function:switch",
    }
    if region:
        properties["Region"] = region
    return {"Resources": {"Sub": {"Type": "AWS::SNS::Subscription", "Properties": properties}}}


def test_cross_region_subscription_is_created_in_the_topic_region(deploy: Deploy) -> None:
    deploy({"Resources": {"Alerts": TEMPLATE["Resources"]["Alerts"]}})  # the topic, in us-east-1
    eu = boto3.client("cloudformation", region_name="eu-north-1")

    eu.create_stack(StackName="guard", TemplateBody=json.dumps(_cross_region_subscription("us-east-1")))

    assert eu.describe_stacks(StackName="guard")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    (subscription,) = boto3.client("sns").list_subscriptions_by_topic(TopicArn=_topic_arn())["Subscriptions"]
    assert subscription["Endpoint"].endswith(":function:switch")
    eu.delete_stack(StackName="guard")
    assert boto3.client("sns").list_subscriptions()["Subscriptions"] == []


def test_cross_region_subscription_without_region_fails_as_in_cloudformation(deploy: Deploy) -> None:
    deploy({"Resources": {"Alerts": TEMPLATE["Resources"]["Alerts"]}})
    eu = boto3.client("cloudformation", region_name="eu-north-1")

    # moto creates resources inside CreateStack, so the failure is the call's (CloudFormation: CREATE_FAILED).
    with pytest.raises(ClientError, match="Topic does not exist"):
        eu.create_stack(StackName="guard", TemplateBody=json.dumps(_cross_region_subscription(None)))
    assert boto3.client("sns").list_subscriptions()["Subscriptions"] == []
