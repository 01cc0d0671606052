"""SNS through CloudFormation: topic policy, subscriptions, topic tags."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import boto3

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
