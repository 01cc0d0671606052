"""``CostAnomalyAlert``: Cost Anomaly Detection on the project's tag, alerting the topic."""

from __future__ import annotations

import json
from decimal import Decimal

from aws_cdk import aws_ce as ce
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.common import tags


class CostAnomalyAlert(Construct):
    """A custom monitor on the project's cost allocation tag (or an existing monitor) and an IMMEDIATE
    subscription (SNS needs IMMEDIATE) above an absolute USD impact. Exposes ``monitor_arn``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        project: str,
        existing_monitor_arn: str | None,
        threshold_usd: Decimal,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        if existing_monitor_arn:
            self.monitor_arn = existing_monitor_arn
        else:
            monitor = ce.CfnAnomalyMonitor(
                self,
                "Monitor",
                monitor_name=f"infersave-{project}",
                monitor_type="CUSTOM",
                monitor_specification=json.dumps(
                    {"Tags": {"Key": tags.PROJECT, "Values": [project], "MatchOptions": ["EQUALS"]}}
                ),
            )
            self.monitor_arn = monitor.attr_monitor_arn
        self.subscription = ce.CfnAnomalySubscription(
            self,
            "Subscription",
            subscription_name=f"infersave-{project}",
            frequency="IMMEDIATE",
            monitor_arn_list=[self.monitor_arn],
            subscribers=[ce.CfnAnomalySubscription.SubscriberProperty(type="SNS", address=topic.topic_arn)],
            threshold_expression=json.dumps(
                {
                    "Dimensions": {
                        "Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                        "MatchOptions": ["GREATER_THAN_OR_EQUAL"],
                        "Values": [str(threshold_usd)],
                    }
                }
            ),
        )
        self.subscription.node.add_dependency(topic)
