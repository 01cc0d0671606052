"""``EndpointAutoscaling``: target tracking on a SageMaker production variant, plus off-hours schedules, and
the scaling gate that lets the variant change instance type in one deploy.

SageMaker refuses an endpoint update that changes the instance type of a variant registered as a scalable
target; deregistering the target first is the documented way, and it also deletes the target's policies and
scheduled actions (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-update.html,
https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeregisterScalableTarget.html). On an
instance type change CloudFormation then runs, in dependency order:

1. the gate (``Custom::ScalingGate``, the endpoint depends on it) sees its ``InstanceType`` change and
   deregisters the variant's scalable target;
2. the endpoint updates to the new endpoint config (allowed now; ``RetainAllVariantProperties`` keeps the
   current instance count, see ``Inf2Endpoint``);
3. the scalable target and its policy, whose logical ids carry the instance type, are new resources: created
   after the endpoint (RegisterScalableTarget, PutScalingPolicy) with the config's min/max and schedules;
4. cleanup drops the old target and policy from the stack. Both are ``Retain``: CloudFormation makes no
   Deregister/DeletePolicy call, which would remove the target just registered under the same resource id
   (the old policy is gone already with step 1; names differ as they carry the logical id).

Upgrading a stack deployed before the gate: its target has the logical id ``Target`` and no ``Retain``, so the
first deploy that renames it would delete it in the cleanup and deregister the variant. ``legacy_logical_ids``
keeps ``Target`` (now retained; its policy not, so the next deploy deletes it instead of keeping two policies)
for one deploy; the next, normal deploy moves to the new ids without a Deregister call.

Because the stack retains its targets, the gate's Delete (endpoint removed, stack deleted) deregisters the
variant; SageMaker also deregisters the targets of an endpoint it deletes
(https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-delete-with-scaling.html).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_iam as iam
from constructs import Construct

from stacks.config import Endpoint
from stacks.inf2_endpoint import Inf2Endpoint
from stacks.scaling_gate import RESOURCE_TYPE, SERVICE_TIMEOUT, ScalingGateFunction

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
    actions lower the minimum and raise it back. Exposes ``scalable_target``, ``scaling_policy``,
    ``resource_id`` and ``gate`` (the custom resource the endpoint depends on).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint: Endpoint,
        target: Inf2Endpoint,
        gate_function: ScalingGateFunction,
        legacy_logical_ids: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        counts = endpoint.instances
        self.resource_id = f"endpoint/{target.endpoint_name}/variant/{target.variant_name}"
        # Logical id stable for the endpoint's life; CloudFormation passes every property as a string.
        self.gate = cdk.CustomResource(
            self,
            "Gate",
            service_token=gate_function.service_token,
            resource_type=RESOURCE_TYPE,
            service_timeout=SERVICE_TIMEOUT,
            properties={"ResourceId": self.resource_id, "InstanceType": endpoint.instance_type},
        )
        target.endpoint.node.add_dependency(self.gate)
        self.scalable_target = appscaling.ScalableTarget(
            self,
            # The instance type in the logical id: a new type makes a new target, registered after the endpoint
            # update (see the module docstring).
            "Target" if legacy_logical_ids else f"Target-{endpoint.instance_type}",
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
        self.scaling_policy = self.scalable_target.scale_to_track_metric(
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
        retained = (
            [self.scalable_target] if legacy_logical_ids else [self.scalable_target, self.scaling_policy]
        )
        for resource in retained:
            cfn = resource.node.default_child
            assert isinstance(cfn, cdk.CfnResource)
            # DeletionPolicy and UpdateReplacePolicy Retain: leaving the stack must not deregister (step 4).
            cfn.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
