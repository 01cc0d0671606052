"""``CostStack``: the scheduled cost reporter, its reports bucket, summary topic and savings dashboard, and the
capacity recorder.
It only wires constructs."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from constructs import Construct

from lambdas.common.aws import VARIANT_NAME
from stacks.capacity_recorder import CapacityRecorder
from stacks.config import Config
from stacks.config.components import component_name, model_views
from stacks.cost_reporter import METRICS_NAMESPACE, SERVICE_NAME, CostReporter
from stacks.cur_reporting import CurReporting
from stacks.encryption import project_key
from stacks.reports_bucket import ReportsBucket
from stacks.savings_dashboard import SavingsDashboard


class CostStack(cdk.Stack):
    """Outputs ``ReportsBucketName``, ``SummaryTopicArn``, ``ReporterFunctionName``, ``DashboardName``,
    ``CapacityRecorderFunctionName``."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: Config, alarm_topic: sns.ITopic, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        key = project_key(
            self, "Key", description=f"Encrypts infersave {config.project} cost reports, summary topic, logs"
        )
        self.reports = ReportsBucket(
            self,
            "Reports",
            key=key,
            noncurrent_retention_days=config.reports.noncurrent_version_retention_days,
        )
        self.summary_topic = sns.Topic(
            self,
            "Summary",
            display_name=f"infersave {config.project} cost report",
            master_key=key,
            enforce_ssl=True,
        )
        for email in config.reports.summary_emails or config.budget.alert_emails:
            self.summary_topic.add_subscription(subs.EmailSubscription(email))
        self.reporter = CostReporter(
            self,
            "CostReporter",
            config=config,
            bucket=self.reports.bucket,
            summary_topic=self.summary_topic,
            key=key,
            alarm_topic=alarm_topic,
        )
        self.capacity = CapacityRecorder(
            self, "CapacityRecorder", config=config, key=key, alarm_topic=alarm_topic
        )
        self.cur: CurReporting | None = None
        if config.organization.mode == "organization":
            self.cur = CurReporting(
                self, "Organization", config=config, key=key, function=self.reporter.function.function
            )
            # The member-read role's trust names this ARN (org/member-read-role.yaml, parameter ReporterRoleArn).
            cdk.CfnOutput(self, "ReporterRoleArn", value=self.reporter.function.role.role_arn)
        self.dashboard = SavingsDashboard(
            self,
            "Dashboard",
            project=config.project,
            endpoint_names=[config.endpoint_name(e) for e in config.endpoints],
            namespace=METRICS_NAMESPACE,
            service=SERVICE_NAME,
            variant_name=VARIANT_NAME,
            top_endpoints=config.reports.metrics_top_endpoints,
            components={
                config.endpoint_name(e): [
                    component_name(config.endpoint_name(e), e, model) for _, model in model_views("", e)
                ]
                for e in config.endpoints
                if e.serving == "inference_component"
            },
        )
        cdk.CfnOutput(self, "ReportsBucketName", value=self.reports.bucket.bucket_name)
        cdk.CfnOutput(self, "SummaryTopicArn", value=self.summary_topic.topic_arn)
        cdk.CfnOutput(self, "ReporterFunctionName", value=self.reporter.function.function.function_name)
        cdk.CfnOutput(self, "DashboardName", value=self.dashboard.dashboard_name)
        cdk.CfnOutput(
            self, "CapacityRecorderFunctionName", value=self.capacity.function.function.function_name
        )
