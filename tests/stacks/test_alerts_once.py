"""Each address receives each alert once, and the breach switch receives the budget's messages, in every layout:
the budget notifies one topic only (no EMAIL subscribers of its own); each address is subscribed once to the topic
the budget and anomaly alerts reach, and once to the topic the alarms reach (a different one only where the
budget lives in the billing stack); the breach switch is subscribed to the budget's topic."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from stacks.alerts_topic import billing_topic_name
from tests.stacks.conftest import Synth


def _resources(template: Template, kind: str) -> dict[str, Any]:
    return {k: v["Properties"] for k, v in template.find_resources(kind).items()}


def _email_subscriptions(template: Template) -> list[tuple[str, str]]:
    return [
        (p["TopicArn"]["Ref"], p["Endpoint"])
        for p in _resources(template, "AWS::SNS::Subscription").values()
        if p["Protocol"] == "email"
    ]


def _budget_topics(template: Template) -> set[str]:
    """Logical ids of the topics the budget notifies; fails on any non-SNS subscriber."""
    budget = next(iter(_resources(template, "AWS::Budgets::Budget").values()))
    topics = set()
    for notification in budget["NotificationsWithSubscribers"]:
        for subscriber in notification["Subscribers"]:
            assert subscriber["SubscriptionType"] == "SNS", subscriber  # an EMAIL one would be a second copy
            topics.add(subscriber["Address"]["Ref"])
    return topics


@pytest.mark.parametrize("which", ["default", "full"])
def test_same_region_one_topic_one_subscription_per_address(synth: Synth, which: str) -> None:
    config = getattr(synth, f"{which}_config")
    guardrails = getattr(synth, which)["guardrails"]
    (topic,) = _budget_topics(guardrails)
    assert sorted(_email_subscriptions(guardrails)) == sorted((topic, e) for e in config.budget.alert_emails)
    anomaly = next(iter(_resources(guardrails, "AWS::CE::AnomalySubscription").values()))
    assert anomaly["Subscribers"] == [{"Type": "SNS", "Address": {"Ref": topic}}]
    for alarm in _resources(guardrails, "AWS::CloudWatch::Alarm").values():
        assert alarm["AlarmActions"] in ([{"Ref": topic}], [])


def test_same_region_breach_switch_is_subscribed_to_the_budget_topic(synth: Synth) -> None:
    guardrails = synth.full["guardrails"]
    (topic,) = _budget_topics(guardrails)
    lambdas = [
        p for p in _resources(guardrails, "AWS::SNS::Subscription").values() if p["Protocol"] == "lambda"
    ]
    assert [p["TopicArn"] for p in lambdas] == [{"Ref": topic}]


@pytest.mark.parametrize("which", ["billing", "opt_in"])
def test_billing_layout_each_address_once_per_topic(synth: Synth, which: str) -> None:
    config = getattr(synth, f"{which}_config")
    templates = getattr(synth, which)
    billing, guardrails = templates["billing"], templates["guardrails"]
    # Budget and anomaly alerts: the billing topic only, e-mailed once per address.
    (billing_topic,) = _budget_topics(billing)
    emails = config.budget.alert_emails
    assert sorted(_email_subscriptions(billing)) == sorted((billing_topic, e) for e in emails)
    assert _resources(guardrails, "AWS::Budgets::Budget") == {}
    assert _resources(guardrails, "AWS::CE::AnomalySubscription") == {}
    # Alarms: the regional topic, e-mailed once per address; it receives no budget or anomaly messages.
    (alerts_topic,) = set(_resources(guardrails, "AWS::SNS::Topic"))
    assert sorted(_email_subscriptions(guardrails)) == sorted((alerts_topic, e) for e in emails)
    policy = next(iter(_resources(guardrails, "AWS::SNS::TopicPolicy").values()))
    publishers = [
        s["Principal"]["Service"] for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
    ]
    assert publishers == ["cloudwatch.amazonaws.com"]
    topic = _resources(billing, "AWS::SNS::Topic")[billing_topic]
    assert topic["TopicName"] == billing_topic_name(config.project)


def test_billing_layout_breach_switch_gets_the_budget_message_across_regions(synth: Synth) -> None:
    guardrails = synth.billing["guardrails"]
    name = billing_topic_name(synth.billing_config.project)
    arn = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":sns:us-east-1:123456789012:{name}"]]}
    (subscription,) = [
        p for p in _resources(guardrails, "AWS::SNS::Subscription").values() if p["Protocol"] == "lambda"
    ]
    # Created in the topic's region (AWS::SNS::Subscription Region), to the topic the budget notifies.
    assert subscription["TopicArn"] == arn
    assert subscription["Region"] == "us-east-1"
    function = subscription["Endpoint"]["Fn::GetAtt"][0]
    (permission,) = _resources(guardrails, "AWS::Lambda::Permission").values()
    assert permission == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Fn::GetAtt": [function, "Arn"]},
        "Principal": "sns.amazonaws.com",  # the topic's region is enabled by default
        "SourceArn": arn,
    }


def test_opt_in_layout_has_no_breach_switch(synth: Synth) -> None:
    synth.opt_in["guardrails"].resource_count_is("AWS::Lambda::Function", 0)
