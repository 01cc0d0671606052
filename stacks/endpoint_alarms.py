"""``EndpointAlarms``: 5XX errors, model latency, and "at max capacity too long" for one endpoint.

An instance-served endpoint is watched on its variant (``EndpointName, VariantName``). An inference-component
endpoint is watched per component (``InferenceComponentName``): SageMaker documents that dimension for the
invocation metrics of components (developer guide, "Amazon SageMaker AI metrics in Amazon CloudWatch", dimensions
for endpoint invocation metrics: "InferenceComponentName: Filters inference component invocation metrics"), AWS's
own samples read ``Invocations``, ``Invocation5XXErrors`` and ``ModelLatency`` of a component that way
(aws-samples/sagemaker-genai-hosting-examples ``03-features/observability/endpoint_metrics_helper.py``), and no
source says the variant series exist on an endpoint that hosts components. Its
"at max" alarms are on copies, the capacity its autoscaling moves, plus one on its instances: managed instance
scaling stops at ``instances.max``, and copies that no instance can place wait while each component's own "at max"
stays quiet. SageMaker publishes no instance-count metric, so that alarm reads the capacity recorder's
``InstanceCount`` (``lambdas.common.capacity``; the cost stack writes it every 5 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.common import capacity
from lambdas.common.aws import VARIANT_NAME
from stacks.config import Alarms, Endpoint
from stacks.config.components import component_name, model_views

NAMESPACE = "AWS/SageMaker"
FIVE_MINUTES = cdk.Duration.minutes(5)


@dataclass(frozen=True)
class Watched:
    """What one set of three alarms watches: its metric dimensions, the name its descriptions give it, and its
    capacity (instances of a variant, or copies of a component) with the metric that divides invocations by it."""

    id_suffix: str
    label: str
    dimensions: dict[str, str]
    max_capacity: int
    unit: str
    per_capacity_metric: str
    per_capacity_id: str
    at_max_consequence: str


def watched(endpoint: Endpoint, endpoint_name: str) -> list[Watched]:
    """The variant of an instance-served endpoint; each inference component of a component endpoint (the
    endpoint's own model keeps the variant's construct ids, so its alarms update in place)."""
    if endpoint.serving != "inference_component":
        return [
            Watched(
                "",
                endpoint_name,
                {"EndpointName": endpoint_name, "VariantName": VARIANT_NAME},
                endpoint.instances.max,
                "instances",
                "InvocationsPerInstance",
                "perInstance",
                "requests may queue; spend is at its ceiling",
            )
        ]
    settings = endpoint.component_settings
    max_copies = {endpoint.name: settings.copies.max} | {m.name: m.copies.max for m in settings.models}
    return [
        Watched(
            "" if model.name == endpoint.name else f"-{model.name}",
            name,
            {"InferenceComponentName": name},
            max_copies[model.name],
            "copies",
            # "The number of invocations normalized by each copy of an inference component" (developer guide,
            # invocation metrics): the per-copy counterpart of InvocationsPerInstance.
            "InvocationsPerCopy",
            "perCopy",
            "requests may queue",
        )
        for _, model in model_views("", endpoint)
        for name in [component_name(endpoint_name, endpoint, model)]
    ]


class EndpointAlarms(Construct):
    """Alarms on the AWS/SageMaker metrics of one endpoint (see the module doc); all notify ``topic``.
    Exposes ``alarms``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint: Endpoint,
        endpoint_name: str,
        config: Alarms,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarms: list[cloudwatch.Alarm] = []
        for target in watched(endpoint, endpoint_name):
            self.alarms += self._alarms(target, config)
        if endpoint.serving == "inference_component":
            self.alarms.append(self._at_max_instances(endpoint, endpoint_name, config))
        for alarm in self.alarms:
            alarm.add_alarm_action(cw_actions.SnsAction(topic))

    def _alarms(self, target: Watched, config: Alarms) -> list[cloudwatch.Alarm]:
        def metric(name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=NAMESPACE,
                metric_name=name,
                dimensions_map=target.dimensions,
                statistic=statistic,
                period=FIVE_MINUTES,
            )

        suffix, label = target.id_suffix, target.label
        errors = cloudwatch.Alarm(
            self,
            f"Errors5xx{suffix}",
            alarm_description=f"{label}: {config.errors_5xx_per_5min}+ 5XX errors in 5 minutes",
            metric=metric("Invocation5XXErrors", "Sum"),
            threshold=config.errors_5xx_per_5min,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        # ModelLatency is reported in microseconds.
        latency = cloudwatch.Alarm(
            self,
            f"ModelLatency{suffix}",
            alarm_description=f"{label}: p90 model latency above {config.model_latency_p90_ms} ms for 15 minutes",
            metric=metric("ModelLatency", "p90"),
            threshold=config.model_latency_p90_ms * 1000,
            evaluation_periods=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        # SageMaker publishes no instance- or copy-count metric; Invocations / InvocationsPerInstance (per copy)
        # over the same period is the number of instances (copies) that served (defined only while there is
        # traffic).
        per = target.per_capacity_id
        serving = cloudwatch.MathExpression(
            expression=f"IF({per} > 0, invocations / {per}, 0)",
            using_metrics={
                "invocations": metric("Invocations", "Sum"),
                per: metric(target.per_capacity_metric, "Sum"),
            },
            label=f"{target.unit} serving",
            period=FIVE_MINUTES,
        )
        periods = config.at_max_capacity_minutes // 5
        at_max = cloudwatch.Alarm(
            self,
            f"AtMaxCapacity{suffix}",
            alarm_description=(
                f"{label}: at its max of {target.max_capacity} {target.unit} for {config.at_max_capacity_minutes} "
                f"minutes ({target.at_max_consequence})"
            ),
            metric=serving,
            threshold=target.max_capacity - 0.5,  # counts from the ratio can be a hair under an integer
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        return [errors, latency, at_max]

    def _at_max_instances(self, endpoint: Endpoint, endpoint_name: str, config: Alarms) -> cloudwatch.Alarm:
        """An inference-component endpoint at ``instances.max`` instances for ``at_max_capacity_minutes``
        (recorded ``InstanceCount``, 5-minute Minimum: every sample of the period at the max)."""
        return cloudwatch.Alarm(
            self,
            "AtMaxInstances",
            alarm_description=(
                f"{endpoint_name}: at its max of {endpoint.instances.max} instances for "
                f"{config.at_max_capacity_minutes} minutes (copies that need another instance cannot be placed; "
                "spend is at its ceiling)"
            ),
            metric=cloudwatch.Metric(
                namespace=capacity.NAMESPACE,
                metric_name=capacity.INSTANCE_COUNT,
                dimensions_map={
                    capacity.ENDPOINT_DIMENSION: endpoint_name,
                    capacity.VARIANT_DIMENSION: VARIANT_NAME,
                },
                statistic="Minimum",
                period=FIVE_MINUTES,
            ),
            threshold=endpoint.instances.max,
            evaluation_periods=config.at_max_capacity_minutes // 5,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            # No sample: the recorder did not run (its own error alarm says so), not evidence of the max.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
