"""``add_billing_alerts``: the project's monthly budget (when it has a limit) and its Cost Anomaly Detection alert,
both notifying one topic. They sit in the guardrails stack, or in the billing stack where the endpoints' region
has no Budgets or Cost Anomaly Detection types (``stacks.config.regions.billing_region``)."""

from __future__ import annotations

from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.config import Config
from stacks.cost_anomaly import CostAnomalyAlert
from stacks.cost_budget import CostBudget


def add_billing_alerts(scope: Construct, *, config: Config, topic: sns.ITopic) -> CostBudget | None:
    """Add ``Budget`` (without ``budget.monthly_limit_usd``: none) and ``Anomaly`` to ``scope``; returns the budget.

    Children of ``scope`` itself, not of a wrapper construct, so the budget's logical ID in the guardrails stack
    stays what it was (a new one would replace the budget)."""
    budget = config.budget
    cost_budget = None
    if budget.monthly_limit_usd is not None:
        cost_budget = CostBudget(scope, "Budget", project=config.project, config=budget, topic=topic)
    CostAnomalyAlert(
        scope,
        "Anomaly",
        project=config.project,
        existing_monitor_arn=budget.anomaly_monitor_arn,
        threshold_usd=budget.anomaly_threshold_usd,
        topic=topic,
    )
    return cost_budget
