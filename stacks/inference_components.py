"""Inference components on Inferentia2: ``ComponentEndpoint`` (endpoint config with managed instance scaling, one
``AWS::SageMaker::InferenceComponent`` per model) and ``ComponentAutoscaling`` (copy-count target tracking, the
scale-out-from-zero path, off-hours schedules).

Sources, each checked:

- Endpoint config: a variant without ``ModelName``, with ``ManagedInstanceScaling {Status, MinInstanceCount (>= 0),
  MaxInstanceCount (>= 1), ScaleInPolicy {Strategy: IDLE_RELEASE | CONSOLIDATION}}`` and ``RoutingConfig
  {RoutingStrategy}``, and ``ExecutionRoleArn`` on the config (cfn-lint 1.58.0 schema of
  AWS::SageMaker::EndpointConfig; SageMaker developer guide "Scale an endpoint to zero instances": MinInstanceCount
  0 is what allows zero instances).
- ``AWS::SageMaker::InferenceComponent``: ``EndpointName`` (required), ``VariantName``, ``Specification {ModelName,
  ComputeResourceRequirements {NumberOfAcceleratorDevicesRequired, NumberOfCpuCoresRequired,
  MinMemoryRequiredInMb}, StartupParameters}``, ``RuntimeConfig {CopyCount}`` (cfn-lint 1.58.0 schema).
  Accelerators are whole Inferentia2 chips: see ``stacks.config.components``.
- Scaling: scalable target ``inference-component/<name>``, dimension
  ``sagemaker:inference-component:DesiredCopyCount``, min 0; target tracking on
  ``SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution``; and, because target tracking cannot
  scale out from zero copies (no copy, no per-copy metric), a step scaling policy (ChangeInCapacity +1) run by a
  CloudWatch alarm on ``NoCapacityInvocationFailures`` (namespace AWS/SageMaker, dimension
  InferenceComponentName): the documented recipe ("Scale an endpoint to zero instances"). Without it the endpoint
  scales to zero once and never answers again.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from lambdas.common import tags
from lambdas.common.aws import VARIANT_NAME
from lambdas.common.catalog import InstanceSpec, load_catalog
from stacks.compile_artifacts import CompileArtifacts
from stacks.config import Endpoint
from stacks.config.components import chips_per_copy, component_name, model_views
from stacks.endpoint_autoscaling import SERVICE_LINKED_ROLE
from stacks.inf2_endpoint import Inf2Endpoint
from stacks.nag import acknowledge, arn_in_finding

#: Share of a copy's slice of host memory it reserves (the rest is for SageMaker's agents on the instance; no
#: published figure, so a fifth is kept free).
HOST_MEMORY_FRACTION = 0.8
#: The scale-out-from-zero alarm: any failed invocation in one minute (the documented recipe: Sum of
#: NoCapacityInvocationFailures >= 1 over one 60-second period, one datapoint to alarm).
NO_CAPACITY_PERIOD = cdk.Duration.minutes(1)
#: Minimum time between two scale-out-from-zero steps: one copy is enough to answer; target tracking adds more.
STEP_COOLDOWN = cdk.Duration.minutes(5)


def compute_requirements(
    spec: InstanceSpec, neuron_cores: int
) -> sagemaker.CfnInferenceComponent.InferenceComponentComputeResourceRequirementsProperty:
    """Accelerators in whole chips; CPU cores and host memory in proportion to the chips a copy takes."""
    chips = chips_per_copy(neuron_cores)
    share = chips / spec.chips
    return sagemaker.CfnInferenceComponent.InferenceComponentComputeResourceRequirementsProperty(
        number_of_accelerator_devices_required=chips,
        # vCPUs are hyperthreads (2 per physical core on inf2, EC2 instance type specs).
        number_of_cpu_cores_required=max(1, int(spec.vcpus * share) // 2),
        min_memory_required_in_mb=int(spec.host_memory_gib * 1024 * share * HOST_MEMORY_FRACTION),
    )


class ComponentEndpoint(Inf2Endpoint):
    """``Inf2Endpoint`` with inference components: the variant names no model and scales its instances itself
    (managed instance scaling, minimum 0 with scale to zero); each configured model is an inference component.

    Exposes ``components``: model name -> (component name, ``CfnInferenceComponent``, the model as an Endpoint).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint: Endpoint,
        endpoint_name: str,
        volume_key: kms.IKey,
        artifacts_store: CompileArtifacts | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            endpoint=endpoint,
            endpoint_name=endpoint_name,
            volume_key=volume_key,
            artifacts_store=artifacts_store,
        )
        spec = load_catalog().instances[endpoint.instance_type]
        settings = endpoint.component_settings
        copies = {endpoint.name: settings.copies.min} | {m.name: m.copies.min for m in settings.models}
        self.components: dict[str, tuple[str, sagemaker.CfnInferenceComponent, Endpoint]] = {}
        for index, (_, model) in enumerate(model_views("", endpoint)):
            cfn_model = self.model if index == 0 else self._model(f"Model-{model.name}", model)
            name = component_name(endpoint_name, endpoint, model)
            component = sagemaker.CfnInferenceComponent(
                self,
                f"Component-{model.name}",
                inference_component_name=name,
                endpoint_name=self.endpoint.attr_endpoint_name,
                variant_name=VARIANT_NAME,
                specification=sagemaker.CfnInferenceComponent.InferenceComponentSpecificationProperty(
                    model_name=cfn_model.attr_model_name,
                    compute_resource_requirements=compute_requirements(spec, model.tensor_parallel_degree),
                    startup_parameters=sagemaker.CfnInferenceComponent.InferenceComponentStartupParametersProperty(
                        container_startup_health_check_timeout_in_seconds=model.startup_health_check_seconds,
                        model_data_download_timeout_in_seconds=model.model_download_seconds,
                    ),
                ),
                # Created with at least one copy, so a deploy proves the model starts; autoscaling then takes it to
                # its minimum (0 with scale to zero). A later change to this resource's properties sends CopyCount
                # again (UpdateInferenceComponent), resetting the copies to this value until autoscaling moves them.
                runtime_config=sagemaker.CfnInferenceComponent.InferenceComponentRuntimeConfigProperty(
                    copy_count=max(1, copies[model.name])
                ),
            )
            # The cost report's model per component (tags.MODEL_ID); Hugging Face ids fit tag values
            # (letters, digits, "-", "_", ".", "/"; at most 256 characters).
            cdk.Tags.of(component).add(tags.MODEL_ID, model.model_id)
            self.components[model.name] = (name, component, model)
        self._grant_component_logs(cdk.Stack.of(self), [name for name, _, _ in self.components.values()])

    def _variant(
        self, endpoint: Endpoint, spec: InstanceSpec
    ) -> sagemaker.CfnEndpointConfig.ProductionVariantProperty:
        counts = endpoint.instances
        return sagemaker.CfnEndpointConfig.ProductionVariantProperty(
            variant_name=VARIANT_NAME,
            initial_instance_count=counts.initial,
            instance_type=endpoint.instance_type,
            managed_instance_scaling=sagemaker.CfnEndpointConfig.ManagedInstanceScalingProperty(
                status="ENABLED",
                min_instance_count=counts.min,
                max_instance_count=counts.max,
                # IDLE_RELEASE: an instance goes when no copy is left on it (cfn-lint schema ScaleInPolicy).
                scale_in_policy=sagemaker.CfnEndpointConfig.ScaleInPolicyProperty(strategy="IDLE_RELEASE"),
            ),
            # Sends each request to the copy with the fewest outstanding requests: LLM requests vary in length.
            routing_config=sagemaker.CfnEndpointConfig.RoutingConfigProperty(
                routing_strategy="LEAST_OUTSTANDING_REQUESTS"
            ),
            volume_size_in_gb=None if spec.local_nvme else endpoint.default_volume_size_gb,
        )

    def _endpoint_config_role(self) -> str | None:
        # The variant names no model, so the endpoint config carries the role SageMaker uses for the components.
        return self.role.role_arn

    def _grant_component_logs(self, stack: cdk.Stack, names: list[str]) -> None:
        """Component containers log to /aws/sagemaker/InferenceComponents/<component> (SageMaker developer guide,
        "Log Amazon SageMaker AI events with Amazon CloudWatch")."""
        groups = [
            stack.format_arn(
                service="logs",
                resource="log-group",
                resource_name=f"/aws/sagemaker/InferenceComponents/{name}:*",
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
            )
            for name in names
        ]
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ],
                resources=groups,
            )
        )
        for name in names:
            acknowledge(
                self.role,
                f"AwsSolutions-IAM5[Resource::{arn_in_finding(self, 'logs', f'log-group:/aws/sagemaker/InferenceComponents/{name}:*')}]",
                "Log streams of the component's own log group are created at run time with generated names.",
            )


class ComponentAutoscaling(Construct):
    """Per inference component: a scalable target on its copy count, target tracking on concurrent requests per
    copy, off-hours schedules and, with scale to zero, the step policy and alarm that scale out from zero.

    Exposes ``targets`` and ``no_capacity_alarms`` (model name -> construct)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, endpoint: Endpoint, target: ComponentEndpoint
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        role = iam.Role.from_role_arn(
            self,
            "ServiceLinkedRole",
            stack.format_arn(service="iam", region="", resource="role", resource_name=SERVICE_LINKED_ROLE),
            mutable=False,
        )
        settings = endpoint.component_settings
        copies = {endpoint.name: settings.copies} | {m.name: m.copies for m in settings.models}
        scaling = endpoint.autoscaling
        scale_in = (
            settings.scale_to_zero.idle_minutes * 60
            if settings.scale_to_zero.enabled
            else scaling.scale_in_cooldown_seconds
        )
        self.targets: dict[str, appscaling.ScalableTarget] = {}
        self.no_capacity_alarms: dict[str, cloudwatch.Alarm] = {}
        for model_name, (name, component, model) in target.components.items():
            scalable = appscaling.ScalableTarget(
                self,
                f"Target-{model_name}",
                service_namespace=appscaling.ServiceNamespace.SAGEMAKER,
                scalable_dimension="sagemaker:inference-component:DesiredCopyCount",
                resource_id=f"inference-component/{name}",
                min_capacity=copies[model_name].min,
                max_capacity=copies[model_name].max,
                role=role,
            )
            scalable.node.add_dependency(component)
            scalable.scale_to_track_metric(
                "TargetTracking",
                target_value=model.tracking_target,
                predefined_metric=appscaling.PredefinedMetric.SAGEMAKER_INFERENCE_COMPONENT_CONCURRENT_REQUESTS_PER_COPY_HIGH_RESOLUTION,
                scale_out_cooldown=cdk.Duration.seconds(scaling.scale_out_cooldown_seconds),
                # With scale to zero: the idle period before the last copy goes.
                scale_in_cooldown=cdk.Duration.seconds(scale_in),
            )
            if endpoint.off_hours:
                off = endpoint.off_hours
                time_zone = cdk.TimeZone.of(off.time_zone)
                scalable.scale_on_schedule(
                    "OffHoursDown",
                    schedule=appscaling.Schedule.expression(off.scale_down_cron),
                    time_zone=time_zone,
                    min_capacity=min(off.min_capacity, copies[model_name].min),
                    max_capacity=copies[model_name].max,
                )
                scalable.scale_on_schedule(
                    "OffHoursUp",
                    schedule=appscaling.Schedule.expression(off.scale_up_cron),
                    time_zone=time_zone,
                    min_capacity=copies[model_name].min,
                    max_capacity=copies[model_name].max,
                )
            self.targets[model_name] = scalable
            if settings.scale_to_zero.enabled:
                self.no_capacity_alarms[model_name] = self._scale_out_from_zero(model_name, name, scalable)

    def _scale_out_from_zero(
        self, model_name: str, component: str, scalable: appscaling.ScalableTarget
    ) -> cloudwatch.Alarm:
        step = appscaling.StepScalingAction(
            self,
            f"FromZero-{model_name}",
            scaling_target=scalable,
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            metric_aggregation_type=appscaling.MetricAggregationType.MAXIMUM,
            cooldown=STEP_COOLDOWN,
        )
        step.add_adjustment(adjustment=1, lower_bound=0)
        alarm = cloudwatch.Alarm(
            self,
            f"NoCapacity-{model_name}",
            alarm_description=(
                f"{component}: requests failed for want of a copy (scaled to zero); scales out by one copy. "
                "Its count is the cold start's failed requests."
            ),
            metric=cloudwatch.Metric(
                namespace="AWS/SageMaker",
                metric_name="NoCapacityInvocationFailures",
                dimensions_map={"InferenceComponentName": component},
                statistic="Sum",
                period=NO_CAPACITY_PERIOD,
            ),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            # No invocation, no datapoint: stay as it was rather than flap to OK/ALARM on silence.
            treat_missing_data=cloudwatch.TreatMissingData.MISSING,
        )
        alarm.add_alarm_action(cloudwatch_actions.ApplicationScalingAction(step))
        return alarm
