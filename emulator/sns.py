"""CloudFormation support for SNS topic policies, subscriptions and topic tags, backed by moto's SNS backend.

moto 5.2.5 gaps closed:
- ``AWS::SNS::TopicPolicy`` is skipped: ``get_topic_attributes`` keeps showing the default policy.
  Here the policy is set on each topic in ``Topics``; deleting the resource puts the default policy back.
  ``Ref`` gives the policy's generated id, as in CloudFormation.
- ``AWS::SNS::Subscription`` is skipped: a Lambda or e-mail subscribed by the template does not exist.
  Here it is ``subscribe`` plus the subscription attributes (``FilterPolicyScope``, ``FilterPolicy``,
  ``RawMessageDelivery``, ``RedrivePolicy``, ``DeliveryPolicy``, ``SubscriptionRoleArn``).
  ``Ref`` gives the subscription ARN. ``Region`` is honoured as in CloudFormation: "for cross-region
  subscriptions, the region in which the topic resides; if no region is specified, CloudFormation uses the
  region of the caller" (resource reference below), so a subscription to a topic of another region without it
  fails (the topic does not exist in the stack's region), as a real deploy does.
- ``AWS::SNS::Topic`` drops the template's ``Tags`` (they land on an unused attribute): they are applied
  with the backend's ``tag_resource`` after moto creates the topic.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-topicpolicy.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-subscription.html
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sns import models as sns_models
from moto.sns.models import SNSBackend, sns_backends

from emulator.cfn_model import CfnResource, Properties

_SUBSCRIPTION_ATTRIBUTES = (
    "FilterPolicyScope",  # before FilterPolicy: moto validates the policy against the scope
    "FilterPolicy",
    "RawMessageDelivery",
    "RedrivePolicy",
    "DeliveryPolicy",
    "SubscriptionRoleArn",
)


def _backend(account_id: str, region_name: str) -> SNSBackend:
    return sns_backends[account_id][region_name]


def _as_attribute(value: Any) -> str:
    """A template value as the string the SetSubscriptionAttributes API takes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


class TopicPolicy(CfnResource, CloudFormationModel):
    """``AWS::SNS::TopicPolicy``: one policy document applied to one or more topics."""

    CFN_TYPE = "AWS::SNS::TopicPolicy"
    CFN_PHYSICAL_ID = "policy_id"

    def __init__(self, policy_id: str, topic_arns: list[str]) -> None:
        self.policy_id = policy_id
        self.topic_arns = topic_arns

    @classmethod
    def create(cls, name: str, properties: Properties, account_id: str, region_name: str) -> TopicPolicy:
        """SetTopicAttributes ``Policy`` on each topic in ``Topics``."""
        document = properties["PolicyDocument"]
        policy = document if isinstance(document, str) else json.dumps(document)
        backend = _backend(account_id, region_name)
        topic_arns = list(properties["Topics"])
        for topic_arn in topic_arns:
            backend.set_topic_attribute(topic_arn, "policy", policy)
        return cls(name, topic_arns)

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> TopicPolicy:
        """The policy with id ``physical_id`` on the template's topics (those already resolved to ARNs)."""
        return cls(physical_id, [t for t in properties["Topics"] if isinstance(t, str)])

    def update(self, name: str, properties: Properties, account_id: str, region_name: str) -> TopicPolicy:
        """Reset the old topics, then apply the new document to the new topics; the policy keeps its id."""
        self.delete(account_id, region_name)
        return self.create(self.policy_id, properties, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Put the default policy back on the topics that still exist."""
        backend = _backend(account_id, region_name)
        for topic_arn in self.topic_arns:
            topic = backend.topics.get(topic_arn)
            if topic is not None:
                topic._policy_json = topic._create_default_topic_policy(
                    region_name, topic.account_id, topic.name
                )


class Subscription(CfnResource, CloudFormationModel):
    """``AWS::SNS::Subscription``, created in the topic's region (``Region``, else the stack's)."""

    CFN_TYPE = "AWS::SNS::Subscription"
    CFN_PHYSICAL_ID = "arn"

    def __init__(self, arn: str) -> None:
        self.arn = arn

    @classmethod
    def create(cls, name: str, properties: Properties, account_id: str, region_name: str) -> Subscription:
        """Subscribe in ``Region`` (else the stack's region), then SetSubscriptionAttributes for each attribute
        the template sets."""
        backend = _backend(account_id, properties.get("Region") or region_name)
        subscription = backend.subscribe(
            properties["TopicArn"], properties.get("Endpoint", ""), properties["Protocol"]
        )
        for attribute in _SUBSCRIPTION_ATTRIBUTES:
            if attribute in properties:
                backend.set_subscription_attributes(
                    subscription.arn, attribute, _as_attribute(properties[attribute])
                )
        return cls(subscription.arn)

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> Subscription:
        """The subscription whose ARN is ``physical_id``."""
        return cls(physical_id)

    def delete(self, account_id: str, region_name: str) -> None:
        """Unsubscribe in the topic's region, read from the subscription ARN (a no-op if already gone)."""
        _backend(account_id, self.arn.split(":")[3]).unsubscribe(self.arn)


_moto_create_topic = sns_models.Topic.create_from_cloudformation_json


def _create_topic_with_tags(
    cls: type[sns_models.Topic],
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> sns_models.Topic:
    """moto's Topic creation, then the template's ``Tags`` applied through the backend."""
    topic = _moto_create_topic.__func__(  # type: ignore[attr-defined]
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )
    tags = cloudformation_json["Properties"].get("Tags") or []
    if tags:
        _backend(account_id, region_name).tag_resource(topic.arn, {t["Key"]: t["Value"] for t in tags})
    return topic  # type: ignore[no-any-return]


def install() -> None:
    """Keep template tags on topics created by CloudFormation."""
    sns_models.Topic.create_from_cloudformation_json = classmethod(_create_topic_with_tags)  # type: ignore[method-assign, assignment]
