"""``EndpointAutoscaling``: target tracking on a SageMaker production variant, plus off-hours schedules."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_iam as iam
from constructs import Construct

from stacks.config import Endpoint
from stacks.inf2_endpoint import Inf2Endpoint

SERVICE_LINKED_ROLE = (
    "aws-service-role/sagemaker.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)
_METRICS = {
    "concurrent_requests": appscaling.PredefinedMetric.SAGEMAKER_VARIANT_CONCURRENT_REQUESTS_PER_MODEL_HIGH_RESOLUTION,
    "invocations_per_instance": appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
}


class EndpointAutoscaling(Construct):
    """Scalable target on ``sagemaker:variant:DesiredInstanceCount`` of one endpoint's variant.

    Scales out fast (short cooldown, high-resolution concurrency metric) and in slowly; off-hours scheduled
    actions lower the minimum and raise it back. Exposes ``scalable_target`` and ``resource_id``.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, endpoint: Endpoint, target: Inf2Endpoint
    ) -> None:
        super().__init__(scope, construct_id)
        counts = endpoint.instances
        self.resource_id = f"endpoint/{target.endpoint_name}/variant/{target.variant_name}"
        self.scalable_target = appscaling.ScalableTarget(
            self,
            "Target",
            service_namespace=appscaling.ServiceNamespace.SAGEMAKER,
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            resource_id=self.resource_id,
            min_capacity=counts.min,
            max_capacity=counts.max,
            # SageMaker variants scale through the service-linked role (created on first use); the L2 would
            # otherwise create a permission-less role of its own.
            role=iam.Role.from_role_arn(
                self,
                "ServiceLinkedRole",
                cdk.Stack.of(self).format_arn(
                    service="iam",
                    region="",
                    resource="role",
                    resource_name=SERVICE_LINKED_ROLE,
                ),
                mutable=False,
            ),
        )
        # The variant exists only once the endpoint is InService.
        self.scalable_target.node.add_dependency(target.endpoint)

        scaling = endpoint.autoscaling
        self.scalable_target.scale_to_track_metric(
            "TargetTracking",
            target_value=endpoint.tracking_target,
            predefined_metric=_METRICS[scaling.metric],
            scale_out_cooldown=cdk.Duration.seconds(scaling.scale_out_cooldown_seconds),
            scale_in_cooldown=cdk.Duration.seconds(scaling.scale_in_cooldown_seconds),
        )

        if endpoint.off_hours:
            off = endpoint.off_hours
            time_zone = cdk.TimeZone.of(off.time_zone)
            self.scalable_target.scale_on_schedule(
                "OffHoursDown",
                schedule=appscaling.Schedule.expression(off.scale_down_cron),
                time_zone=time_zone,
                min_capacity=off.min_capacity,
                max_capacity=counts.max,
            )
            self.scalable_target.scale_on_schedule(
                "OffHoursUp",
                schedule=appscaling.Schedule.expression(off.scale_up_cron),
                time_zone=time_zone,
                min_capacity=counts.min,
                max_capacity=counts.max,
            )
