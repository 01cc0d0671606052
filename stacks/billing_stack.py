"""``BillingStack``: the budget and anomaly alerts with their own alerts topic, in the billing home region, for
projects whose endpoints' region has no ``AWS::Budgets::Budget`` or ``AWS::CE::*`` types. It only wires
constructs; docs/architecture.md ("Billing stack") explains the cross-region wiring."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from stacks.alerts_topic import BILLING_PUBLISHERS, AlertsTopic, billing_topic_name
from stacks.billing_alerts import add_billing_alerts
from stacks.config import Config


class BillingStack(cdk.Stack):
    """Exposes ``alerts`` (``AlertsTopic`` with a fixed name) and ``budget`` (``CostBudget`` or None)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: Config, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # Budgets and Cost Anomaly Detection publish here; the topic e-mails each address once per alert.
        self.alerts = AlertsTopic(
            self,
            "Alerts",
            project=config.project,
            emails=config.budget.alert_emails,
            publishers=BILLING_PUBLISHERS,
            topic_name=billing_topic_name(config.project),
            description="billing alerts",
        )
        self.budget = add_billing_alerts(self, config=config, topic=self.alerts.topic)
        cdk.CfnOutput(self, "BillingAlertsTopicArn", value=self.alerts.topic.topic_arn)
