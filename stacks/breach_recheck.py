"""``BreachRecheck``: the hourly schedule that re-runs the breach switch on AWS Budgets' state alone.

An endpoint the switch could not lower when the alert came (``Updating``, throttled, a bad tag) must still be
lowered in the same budget period, and an alert can be lost or unparsable. The schedule invokes the function
with ``RECHECK_EVENT``; the function asks DescribeBudget and, only if the budget is breached for the current
period, lowers the endpoints whose tags do not already mark the period guarded or released. Cost per run: one
DescribeBudget call and a short Lambda invocation; during a breached period one tagging listing more.
AWS Budgets refreshes its data up to three times a day, so hourly catches a breach within its refresh and
retries a failed endpoint within the hour.
https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-managing-costs.html
"""

from __future__ import annotations

import json
from typing import Final

from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from lambdas.budget_guard.messages import RECHECK_EVENT
from stacks.python_function import PythonFunction

RECHECK_SCHEDULE: Final = "rate(1 hour)"


class BreachRecheck(Construct):
    """Exposes ``schedule`` (the L1) and ``role`` (EventBridge Scheduler's, invoke and dead-letter only)."""

    def __init__(self, scope: Construct, construct_id: str, *, function: PythonFunction) -> None:
        super().__init__(scope, construct_id)
        self.role = function.scheduler_role(
            self,
            "Role",
            description="EventBridge Scheduler: invoke the breach switch's re-check, dead-letter undeliverable events",
        )
        self.schedule = scheduler.CfnSchedule(
            self,
            "Schedule",
            description="infersave breach switch: re-check the budget with AWS, lower endpoints still pending",
            schedule_expression=RECHECK_SCHEDULE,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=function.function.function_arn,
                role_arn=self.role.role_arn,
                input=json.dumps(RECHECK_EVENT),
                # The next run comes within the hour: do not pile up retries of an old one.
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=2, maximum_event_age_in_seconds=1800
                ),
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                    arn=function.failure_queue.queue_arn
                ),
            ),
        )
