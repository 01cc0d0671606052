"""``GuardrailsStack``: alerts topic, budget, anomaly detection, endpoint alarms, the opt-in breach switch and
the monthly estimate. A stack of its own so spend controls deploy and change apart from the endpoints (it shares
their account and region: alarms and the breach switch act there; the budget and anomaly alerts move to the
billing stack where the region lacks their CloudFormation types). It only wires constructs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from stacks.alerts_topic import ALARM_PUBLISHERS, PUBLISHERS, AlertsTopic, billing_topic_name
from stacks.billing_alerts import add_billing_alerts
from stacks.breach_switch import BreachSwitch
from stacks.config import Config, Endpoint
from stacks.cost_budget import CostBudget, budget_name
from stacks.endpoint_alarms import EndpointAlarms
from stacks.estimate import Estimate, budget_problems, usd


class GuardrailsStack(cdk.Stack):
    """Exposes ``alerts`` (``AlertsTopic``), ``budget`` (or None without a limit or when it lives in the billing
    stack) and ``breach_switch`` (or None).

    ``billing_region`` None: the budget and anomaly alerts are here, on the alerts topic. Otherwise they are in
    the billing stack of that region (``BillingStack``, its topic named by ``billing_topic_name``), the alerts
    topic here carries alarms only, and the breach switch subscribes to the billing topic across regions.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: Config,
        estimate: Estimate,
        billing_region: str | None = None,
        alarm_endpoints: Sequence[Endpoint] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        budget = config.budget
        self.alerts = AlertsTopic(
            self,
            "Alerts",
            project=config.project,
            emails=budget.alert_emails,
            publishers=ALARM_PUBLISHERS if billing_region else PUBLISHERS,
        )
        self.budget: CostBudget | None = None
        if billing_region is None:
            self.budget = add_billing_alerts(self, config=config, topic=self.alerts.topic)
        self.breach_switch: BreachSwitch | None = None
        if budget.monthly_limit_usd is not None and budget.breach_switch.enabled:
            billing_topic_arn = None
            if billing_region:
                billing_topic_arn = self.format_arn(
                    service="sns",
                    region=billing_region,
                    resource=billing_topic_name(config.project),
                    arn_format=cdk.ArnFormat.NO_RESOURCE_NAME,
                )
            self.breach_switch = BreachSwitch(
                self,
                "BreachSwitch",
                project=config.project,
                budget_name=budget_name(config.project),
                config=budget.breach_switch,
                topic=self.alerts.topic,
                key=self.alerts.key,
                budget_topic_arn=billing_topic_arn,
                budget_topic_region=billing_region,
            )
        # The alarms of endpoint stack 0's endpoints (the others carry their own: ``InferenceStack``).
        for endpoint in config.endpoints if alarm_endpoints is None else alarm_endpoints:
            EndpointAlarms(
                self,
                f"Alarms-{endpoint.name}",
                endpoint=endpoint,
                endpoint_name=config.endpoint_name(endpoint),
                config=config.alarms,
                topic=self.alerts.topic,
            )
        self._record_estimate(estimate)
        cdk.CfnOutput(self, "AlertsTopicArn", value=self.alerts.topic.topic_arn)

    def _record_estimate(self, estimate: Estimate) -> None:
        """The estimate as template metadata and outputs; a budget below max capacity is a warning."""
        self.template_options.metadata = {
            "infersave:estimate": {
                "formula": "730 h x on-demand hosting price (us-east-1 catalog) x instances [x capacity_ratio]",
                "endpoints": [
                    {
                        "endpoint_name": e.endpoint_name,
                        "inf2_min_usd": str(e.inf2_min_usd),
                        "inf2_max_usd": str(e.inf2_max_usd),
                        "baseline_min_usd": None if e.baseline_min_usd is None else str(e.baseline_min_usd),
                        "baseline_max_usd": None if e.baseline_max_usd is None else str(e.baseline_max_usd),
                    }
                    for e in estimate.endpoints
                ],
                "total_min_usd": str(estimate.total_min_usd),
                "total_max_usd": str(estimate.total_max_usd),
                "budget_usd": None if estimate.budget_usd is None else str(estimate.budget_usd),
            }
        }
        cdk.CfnOutput(self, "EstimatedMonthlyAtMin", value=usd(estimate.total_min_usd))
        cdk.CfnOutput(self, "EstimatedMonthlyAtMax", value=usd(estimate.total_max_usd))
        _, warnings = budget_problems(estimate)
        for warning in warnings:
            cdk.Annotations.of(self).add_warning_v2("infersave:max-capacity-above-budget", warning)
