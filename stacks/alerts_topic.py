"""``AlertsTopic``: the SNS topic that AWS Budgets, Cost Anomaly Detection and CloudWatch alarms publish to,
encrypted with a customer-managed key those services may use."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from constructs import Construct

from stacks.encryption import project_key

#: Services that publish to the topic: AWS Budgets, Cost Anomaly Detection, CloudWatch alarms.
PUBLISHERS = ("budgets.amazonaws.com", "costalerts.amazonaws.com", "cloudwatch.amazonaws.com")


class AlertsTopic(Construct):
    """KMS key + topic + policies. Exposes ``topic`` and ``key``."""

    def __init__(self, scope: Construct, construct_id: str, *, project: str, emails: list[str]) -> None:
        super().__init__(scope, construct_id)
        account = cdk.Stack.of(self).account
        source_account = {"StringEquals": {"aws:SourceAccount": account}}
        self.key = project_key(
            self, "Key", description=f"Encrypts infersave {project} alerts (SNS) and its functions' logs"
        )
        # Publishers encrypt with the topic's key, so they need it too (SNS SSE with a customer managed key:
        # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowAlertPublishersToUseTheKey",
                principals=[iam.ServicePrincipal(p) for p in PUBLISHERS],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],  # in a key policy "*" means this key
                conditions=source_account,
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name=f"infersave {project} alerts",
            master_key=self.key,
            enforce_ssl=True,
        )
        for publisher in PUBLISHERS:
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
