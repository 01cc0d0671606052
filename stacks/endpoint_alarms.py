"""``EndpointAlarms``: 5XX errors, model latency, and "at max capacity too long" for one endpoint."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.config import Alarms

NAMESPACE = "AWS/SageMaker"
FIVE_MINUTES = cdk.Duration.minutes(5)


class EndpointAlarms(Construct):
    """Alarms on the AWS/SageMaker metrics of one variant; all notify ``topic``. Exposes ``alarms``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        variant_name: str,
        max_instances: int,
        config: Alarms,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        dims = {"EndpointName": endpoint_name, "VariantName": variant_name}

        def metric(name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=NAMESPACE,
                metric_name=name,
                dimensions_map=dims,
                statistic=statistic,
                period=FIVE_MINUTES,
            )

        errors = cloudwatch.Alarm(
            self,
            "Errors5xx",
            alarm_description=f"{endpoint_name}: {config.errors_5xx_per_5min}+ 5XX errors in 5 minutes",
            metric=metric("Invocation5XXErrors", "Sum"),
            threshold=config.errors_5xx_per_5min,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        # ModelLatency is reported in microseconds.
        latency = cloudwatch.Alarm(
            self,
            "ModelLatency",
            alarm_description=f"{endpoint_name}: p90 model latency above {config.model_latency_p90_ms} ms for 15 minutes",
            metric=metric("ModelLatency", "p90"),
            threshold=config.model_latency_p90_ms * 1000,
            evaluation_periods=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        # SageMaker publishes no instance-count metric; Invocations / InvocationsPerInstance over the same period
        # is the number of instances that served (defined only while there is traffic).
        instances = cloudwatch.MathExpression(
            expression="IF(perInstance > 0, invocations / perInstance, 0)",
            using_metrics={
                "invocations": metric("Invocations", "Sum"),
                "perInstance": metric("InvocationsPerInstance", "Sum"),
            },
            label="instances serving",
            period=FIVE_MINUTES,
        )
        periods = config.at_max_capacity_minutes // 5
        at_max = cloudwatch.Alarm(
            self,
            "AtMaxCapacity",
            alarm_description=(
                f"{endpoint_name}: at its max of {max_instances} instances for {config.at_max_capacity_minutes} "
                "minutes (requests may queue; spend is at its ceiling)"
            ),
            metric=instances,
            threshold=max_instances - 0.5,  # instance counts from the ratio can be a hair under an integer
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.alarms = [errors, latency, at_max]
        for alarm in self.alarms:
            alarm.add_alarm_action(cw_actions.SnsAction(topic))
