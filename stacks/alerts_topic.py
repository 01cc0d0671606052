"""``AlertsTopic``: the SNS topic that AWS Budgets, Cost Anomaly Detection and CloudWatch alarms publish to,
encrypted with a customer-managed key those services may use."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from constructs import Construct

from stacks.encryption import project_key

#: Services that publish billing alerts: AWS Budgets and Cost Anomaly Detection.
BILLING_PUBLISHERS = ("budgets.amazonaws.com", "costalerts.amazonaws.com")
#: CloudWatch alarms publish to a topic in their own region only.
ALARM_PUBLISHERS = ("cloudwatch.amazonaws.com",)
PUBLISHERS = BILLING_PUBLISHERS + ALARM_PUBLISHERS


def billing_topic_name(project: str) -> str:
    """The billing stack's topic name; fixed, so the endpoints' stack can name its ARN in another region."""
    return f"infersave-{project}-billing-alerts"


class AlertsTopic(Construct):
    """KMS key + topic + policies; each address in ``emails`` is subscribed once. Exposes ``topic`` and ``key``.

    ``publishers`` are the service principals allowed to publish (default: all of :data:`PUBLISHERS`);
    ``topic_name`` fixes the topic's name (default: generated).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        project: str,
        emails: list[str],
        publishers: tuple[str, ...] = PUBLISHERS,
        topic_name: str | None = None,
        description: str = "alerts",
    ) -> None:
        super().__init__(scope, construct_id)
        account = cdk.Stack.of(self).account
        source_account = {"StringEquals": {"aws:SourceAccount": account}}
        self.key = project_key(
            self,
            "Key",
            description=f"Encrypts infersave {project} {description} (SNS) and its functions' logs",
        )
        # Publishers encrypt with the topic's key, so they need it too (SNS SSE with a customer managed key:
        # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowAlertPublishersToUseTheKey",
                principals=[iam.ServicePrincipal(p) for p in publishers],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],  # in a key policy "*" means this key
                conditions=source_account,
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name=f"infersave {project} {description}",
            topic_name=topic_name,
            master_key=self.key,
            enforce_ssl=True,
        )
        for publisher in publishers:
            self.topic.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=f"Allow{publisher.split('.')[0].capitalize()}ToPublish",
                    principals=[iam.ServicePrincipal(publisher)],
                    actions=["sns:Publish"],
                    resources=[self.topic.topic_arn],
                    conditions=source_account,
                )
            )
        for email in emails:
            self.topic.add_subscription(subs.EmailSubscription(email))
