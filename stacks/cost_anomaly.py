"""``CostAnomalyAlert``: Cost Anomaly Detection on the project's tag (or SageMaker), alerting the topic."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Literal

from aws_cdk import aws_ce as ce
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.common import tags


class CostAnomalyAlert(Construct):
    """Monitor + IMMEDIATE subscription (SNS needs IMMEDIATE) above an absolute USD impact."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        project: str,
        monitor: Literal["tag", "service"],
        threshold_usd: Decimal,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        if monitor == "tag":
            self.monitor = ce.CfnAnomalyMonitor(
                self,
                "Monitor",
                monitor_name=f"infersave-{project}",
                monitor_type="CUSTOM",
                monitor_specification=json.dumps(
                    {"Tags": {"Key": tags.PROJECT, "Values": [project], "MatchOptions": ["EQUALS"]}}
                ),
            )
        else:
            self.monitor = ce.CfnAnomalyMonitor(
                self,
                "Monitor",
                monitor_name=f"infersave-{project}-services",
                monitor_type="DIMENSIONAL",
                monitor_dimension="SERVICE",
            )
        self.subscription = ce.CfnAnomalySubscription(
            self,
            "Subscription",
            subscription_name=f"infersave-{project}",
            frequency="IMMEDIATE",
            monitor_arn_list=[self.monitor.attr_monitor_arn],
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
