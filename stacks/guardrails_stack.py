"""``GuardrailsStack``: alerts topic, budget, anomaly detection, endpoint alarms, the opt-in breach switch and
the monthly estimate. A stack of its own so spend controls deploy and change apart from the endpoints (it shares
their account and region: alarms and the breach switch act there). It only wires constructs."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from lambdas.common.aws import VARIANT_NAME
from stacks.alerts_topic import AlertsTopic
from stacks.breach_switch import BreachSwitch
from stacks.config import Config
from stacks.cost_anomaly import CostAnomalyAlert
from stacks.cost_budget import CostBudget
from stacks.endpoint_alarms import EndpointAlarms
from stacks.estimate import Estimate, budget_problems, usd


class GuardrailsStack(cdk.Stack):
    """Exposes ``alerts`` (``AlertsTopic``), ``budget`` (or None without a limit) and ``breach_switch`` (or None)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: Config, estimate: Estimate, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        budget = config.budget
        self.alerts = AlertsTopic(self, "Alerts", project=config.project, emails=budget.alert_emails)
        self.budget: CostBudget | None = None
        self.breach_switch: BreachSwitch | None = None
        if budget.monthly_limit_usd is not None:
            self.budget = CostBudget(
                self, "Budget", project=config.project, config=budget, topic=self.alerts.topic
            )
            if budget.breach_switch.enabled:
                self.breach_switch = BreachSwitch(
                    self,
                    "BreachSwitch",
                    project=config.project,
                    budget_name=self.budget.budget_name,
                    config=budget.breach_switch,
                    topic=self.alerts.topic,
                    key=self.alerts.key,
                )
        CostAnomalyAlert(
            self,
            "Anomaly",
            project=config.project,
            existing_monitor_arn=budget.anomaly_monitor_arn,
            threshold_usd=budget.anomaly_threshold_usd,
            topic=self.alerts.topic,
        )
        for endpoint in config.endpoints:
            EndpointAlarms(
                self,
                f"Alarms-{endpoint.name}",
                endpoint_name=config.endpoint_name(endpoint),
                variant_name=VARIANT_NAME,
                max_instances=endpoint.instances.max,
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
