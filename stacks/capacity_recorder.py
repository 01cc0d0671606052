"""``CapacityRecorder``: the function that samples every 5 minutes the instances of each project endpoint and the
copies and Inferentia2 chips of each inference component into ``infersave/Capacity`` (``lambdas.capacity_recorder``,
series in ``lambdas.common.capacity``), and its EventBridge Scheduler schedule.

IAM, each statement checked against the Service Authorization Reference (SageMaker, Resource Groups Tagging API,
CloudWatch) and the SageMaker and CloudWatch guides cited beside it; no ``*`` action.
"""

from __future__ import annotations

import json
from typing import Final

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.capacity_recorder.settings import DEFAULT_MAX_ENDPOINTS, EVENT_SOURCE
from lambdas.common import capacity, tags
from stacks.config import Config
from stacks.nag import acknowledge, arn_in_finding
from stacks.python_function import PythonFunction

SERVICE_NAME: Final = "capacity-recorder"
#: The schedule's input: EventBridge Scheduler replaces ``<aws.scheduler.scheduled-time>`` with the invocation's
#: scheduled time, e.g. 2022-03-22T18:59:43Z (Scheduler user guide, "Adding context attributes").
SCHEDULED_EVENT: Final = {"source": EVENT_SOURCE, "scheduled_time": "<aws.scheduler.scheduled-time>"}


class CapacityRecorder(Construct):
    """Exposes ``function`` (a ``PythonFunction``), ``schedule`` (the L1) and ``scheduler_role``."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: Config, key: kms.IKey, alarm_topic: sns.ITopic
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = PythonFunction(
            self,
            "Recorder",
            package="capacity_recorder",
            description=f"infersave {config.project} capacity recorder: instances and component copies every 5 minutes",
            environment={
                "PROJECT_NAME": config.project,
                "MAX_ENDPOINTS": str(DEFAULT_MAX_ENDPOINTS),
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": "infersave",
            },
            key=key,
            alarm_topic=alarm_topic,
            # Below the 5-minute interval, so runs do not pile up; 1,000 endpoints take about 2 minutes at 100 ms
            # a describe call.
            timeout=cdk.Duration.minutes(4),
            memory_size_mb=256,
            wildcard_reason=(
                "tag:GetResources and sagemaker:ListInferenceComponents have no resource-level permissions; "
                "cloudwatch:PutMetricData has none either and is conditioned on the infersave/Capacity namespace."
            ),
            # A retry would write the samples already written again at the same timestamp, doubling their
            # SampleCount (the hour's coverage); the next run, 5 minutes later, is the retry.
            retry_attempts=0,
        )
        self._grant(config.project)
        self.scheduler_role, self.schedule = self._schedule()

    def _grant(self, project: str) -> None:
        role = self.function.role
        stack = cdk.Stack.of(self)
        # Service Authorization Reference: tag:GetResources has no resource types; SageMaker developer guide, "API
        # permissions reference": "resource-level restrictions are not available on List- calls" (except ListTags).
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["tag:GetResources", "sagemaker:ListInferenceComponents"], resources=["*"]
            )
        )
        # PutMetricData has no resource types; the cloudwatch:namespace condition key limits it to one namespace
        # (CloudWatch user guide, "Using condition keys to limit access to CloudWatch namespaces").
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": capacity.NAMESPACE}},
            )
        )
        # DescribeEndpoint: resource type endpoint; DescribeInferenceComponent: inference-component; both types take
        # aws:ResourceTag/${TagKey} (Service Authorization Reference, SageMaker). Names start with the project
        # (lower-cased in ARNs); the tag condition keeps out a project named "<project>-x".
        for action, resource in (
            ("sagemaker:DescribeEndpoint", "endpoint"),
            ("sagemaker:DescribeInferenceComponent", "inference-component"),
        ):
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=[action],
                    resources=[
                        stack.format_arn(
                            service="sagemaker", resource=resource, resource_name=f"{project.lower()}-*"
                        )
                    ],
                    conditions={"StringEquals": {f"aws:ResourceTag/{tags.PROJECT}": project}},
                )
            )
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::{arn_in_finding(self, 'sagemaker', f'{resource}/{project.lower()}-*')}]",
                f"Read-only, this project's {resource}s only: named after the project and conditioned on its "
                "infersave:project tag; the set changes with the config.",
            )

    def _schedule(self) -> tuple[iam.Role, scheduler.CfnSchedule]:
        function = self.function
        role = function.scheduler_role(
            self,
            "SchedulerRole",
            description="EventBridge Scheduler: invoke the capacity recorder, dead-letter undeliverable events",
        )
        schedule = scheduler.CfnSchedule(
            self,
            "Schedule",
            description="infersave capacity recorder: one sample of every endpoint and inference component",
            schedule_expression=capacity.SCHEDULE_EXPRESSION,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=function.function.function_arn,
                role_arn=role.role_arn,
                input=json.dumps(SCHEDULED_EVENT),
                # Delivered late, a sample still carries its scheduled minute; past the next run it is not worth it.
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=2,
                    maximum_event_age_in_seconds=capacity.SAMPLE_INTERVAL_MINUTES * 60 - 60,
                ),
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                    arn=function.failure_queue.queue_arn
                ),
            ),
        )
        return role, schedule
