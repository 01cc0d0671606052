"""``CostBudget``: the project's monthly AWS Budget, filtered on its cost allocation tag and SageMaker."""

from __future__ import annotations

from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.common import tags
from stacks.config import Budget

SAGEMAKER_SERVICE = "Amazon SageMaker"


def budget_name(project: str) -> str:
    """The budget's name; the breach switch matches notifications on it."""
    return f"infersave-{project}"


class CostBudget(Construct):
    """Notifications on ACTUAL spend at each threshold and on FORECASTED spend, to the alerts topic only.

    The topic's e-mail subscriptions deliver each alert once, and its Lambda subscription (the breach switch)
    gets the same message; EMAIL subscribers here as well would deliver every alert twice to each address.

    Exposes ``budget`` (the L1) and ``budget_name``.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, project: str, config: Budget, topic: sns.ITopic
    ) -> None:
        super().__init__(scope, construct_id)
        if config.monthly_limit_usd is None:
            raise ValueError("budget.monthly_limit_usd is required for the budget")
        self.budget_name = budget_name(project)
        # One SNS subscriber per notification at most (Budgets API, NotificationWithSubscribers).
        subscribers = [budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=topic.topic_arn)]

        def notification(kind: str, percent: float) -> budgets.CfnBudget.NotificationWithSubscribersProperty:
            return budgets.CfnBudget.NotificationWithSubscribersProperty(
                notification=budgets.CfnBudget.NotificationProperty(
                    notification_type=kind,
                    comparison_operator="GREATER_THAN",
                    threshold=percent,
                    threshold_type="PERCENTAGE",
                ),
                subscribers=subscribers,
            )

        notifications = [notification("ACTUAL", float(p)) for p in config.actual_thresholds_percent]
        notifications.append(notification("FORECASTED", float(config.forecast_threshold_percent)))
        self.budget = budgets.CfnBudget(
            self,
            "Budget",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_name=self.budget_name,
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(
                    amount=float(config.monthly_limit_usd), unit="USD"
                ),
                # Tag filters are written user:<key>$<value>; the tag must be an active cost allocation tag.
                cost_filters={
                    "TagKeyValue": [f"user:{tags.PROJECT}${project}"],
                    "Service": [SAGEMAKER_SERVICE],
                },
            ),
            notifications_with_subscribers=notifications,
        )
        self.budget.node.add_dependency(topic)
