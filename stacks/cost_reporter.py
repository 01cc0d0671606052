"""``CostReporter``: the scheduled cost-report function and its two EventBridge Scheduler schedules
(month to date every day; the closed previous month once its bill has settled)."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.common import tags
from stacks.config import Config
from stacks.encryption import grant_encrypted_publish
from stacks.nag import acknowledge, arn_in_finding
from stacks.python_function import PythonFunction

METRICS_NAMESPACE = "infersave"
SERVICE_NAME = "cost-reporter"


def _logical_id(bucket: s3.IBucket) -> str:
    child = bucket.node.default_child
    assert isinstance(child, cdk.CfnElement), "the reports bucket is defined in this app"
    return cdk.Stack.of(child).get_logical_id(child)


class CostReporter(Construct):
    """Exposes ``function`` (a ``PythonFunction``) and ``schedules`` (the L1 schedules by report kind)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: Config,
        bucket: s3.IBucket,
        summary_topic: sns.ITopic,
        key: kms.IKey,
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        first = config.endpoints[0].baseline
        self.function = PythonFunction(
            self,
            "Reporter",
            package="cost_reporter",
            description=f"infersave {config.project} cost reporter: actual vs GPU-baseline cost per endpoint",
            environment={
                "REPORTS_BUCKET": bucket.bucket_name,
                "SUMMARY_TOPIC_ARN": summary_topic.topic_arn,
                "PROJECT_NAME": config.project,
                "COST_METRIC": config.reports.cost_metric,
                "METRICS_TOP_ENDPOINTS": str(config.reports.metrics_top_endpoints),
                "DEFAULT_BASELINE_INSTANCE_TYPE": first.instance_type,
                "DEFAULT_BASELINE_CAPACITY_RATIO": str(first.capacity_ratio),
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            },
            key=key,
            alarm_topic=alarm_topic,
            # Lambda's maximum: a month's run reads Cost Explorer (DAILY, paged), hourly CloudWatch series per
            # endpoint and component and, in organization mode, waits up to 240 s for Athena and assumes a role
            # per member account. It runs a few times a month and is billed by the duration it uses, so headroom
            # costs nothing; 5 minutes left too little in organization mode.
            timeout=cdk.Duration.minutes(15),
            memory_size_mb=512,
            wildcard_reason=(
                "tag:GetResources/TagResources, ce:GetCostAndUsage/UpdateCostAllocationTagsStatus, "
                "cloudwatch:ListMetrics/GetMetricData and pricing:GetProducts have no resource-level permissions."
            ),
        )
        role = self.function.role
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "tag:GetResources",
                    "tag:TagResources",
                    "ce:GetCostAndUsage",
                    "ce:UpdateCostAllocationTagsStatus",
                    "cloudwatch:ListMetrics",
                    "cloudwatch:GetMetricData",
                    "pricing:GetProducts",
                ],
                resources=["*"],
            )
        )
        # Tagging writes go through sagemaker:AddTags: only on this project's endpoints, only infersave's keys.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sagemaker:AddTags"],
                resources=[
                    cdk.Stack.of(self).format_arn(service="sagemaker", resource="endpoint", resource_name="*")
                ],
                conditions={
                    "StringEquals": {f"aws:ResourceTag/{tags.PROJECT}": config.project},
                    "ForAllValues:StringEquals": {"aws:TagKeys": list(tags.COST_ALLOCATION_KEYS)},
                },
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=[bucket.arn_for_objects("reports/*")])
        )
        # Calibration results (make calibrate writes calibrations/<endpoint>/<date>.json): list that prefix only,
        # read the files (lambdas.cost_reporter.dal.calibrations).
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": ["calibrations/*"]}},
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[bucket.arn_for_objects("calibrations/*")]
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[key.key_arn])
        )
        grant_encrypted_publish(role, summary_topic, key)
        self.link_role = self._link_role(bucket, key, role)
        self.function.function.add_environment("REPORT_LINK_ROLE_ARN", self.link_role.role_arn)
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{arn_in_finding(self, 'sagemaker', 'endpoint/*')}]",
            "AddTags is conditioned on the endpoint carrying this project's tag and on infersave's tag keys only.",
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{_logical_id(bucket)}.Arn>/reports/*]",
            "The reporter writes report files under reports/ only; their keys are per period.",
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{_logical_id(bucket)}.Arn>/calibrations/*]",
            "The reporter reads calibration results under calibrations/ only; their keys are per endpoint and date.",
        )

        self.schedules = {
            "month_to_date": self._schedule(
                "Daily", config.reports.daily_cron, config.reports.time_zone, "month_to_date"
            ),
            "previous_month": self._schedule(
                "Monthly", config.reports.monthly_cron, config.reports.time_zone, "previous_month"
            ),
        }

    def _link_role(self, bucket: s3.IBucket, key: kms.IKey, reporter_role: iam.IRole) -> iam.Role:
        """The read-only role whose session signs the e-mail's presigned link to report.html
        (``lambdas.cost_reporter.dal.links``): the link can only read pages, whatever the reporter may do, and
        AssumeRole states when the session, and so the link, ends (one hour: role chaining)."""
        link_role = iam.Role(
            self,
            "ReportLinkRole",
            assumed_by=iam.ArnPrincipal(reporter_role.role_arn),
            description="infersave cost reporter: signs presigned links to report.html (read only, 1 h sessions)",
            max_session_duration=cdk.Duration.hours(1),
        )
        link_role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[bucket.arn_for_objects("reports/*/report.html")]
            )
        )
        # A GET of an SSE-KMS object needs kms:Decrypt on its key (S3 user guide, SSE-KMS permissions); only
        # through S3 in this region.
        link_role.add_to_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{cdk.Stack.of(self).region}.amazonaws.com"}
                },
            )
        )
        reporter_role.add_to_principal_policy(
            iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[link_role.role_arn])
        )
        acknowledge(
            link_role,
            f"AwsSolutions-IAM5[Resource::<{_logical_id(bucket)}.Arn>/reports/*/report.html]",
            "The link role reads report pages only; the period folder in the key varies per report.",
        )
        return link_role

    def _schedule(self, construct_id: str, cron: str, time_zone: str, period: str) -> scheduler.CfnSchedule:
        role = self._scheduler_role()
        return scheduler.CfnSchedule(
            self,
            construct_id,
            description=f"infersave cost report: {period}",
            schedule_expression=cron,
            schedule_expression_timezone=time_zone,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=self.function.function.function_arn,
                role_arn=role.role_arn,
                input=json.dumps({"period": period}),
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=3, maximum_event_age_in_seconds=3600
                ),
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                    arn=self.function.failure_queue.queue_arn
                ),
            ),
        )

    def _scheduler_role(self) -> iam.Role:
        existing = self.node.try_find_child("SchedulerRole")
        if isinstance(existing, iam.Role):
            return existing
        role = self.function.scheduler_role(
            self,
            "SchedulerRole",
            description="EventBridge Scheduler: invoke the cost reporter, dead-letter undeliverable events",
        )
        return role
