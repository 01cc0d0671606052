"""CloudFormation support for Application Auto Scaling, backed by moto's application-autoscaling backend.

moto 5.2.5 gap closed: its CloudFormation skips ``AWS::ApplicationAutoScaling::ScalableTarget`` and
``AWS::ApplicationAutoScaling::ScalingPolicy`` (a warning, no resource), so after a deploy
``describe_scalable_targets``, ``describe_scaling_policies`` and ``describe_scheduled_actions`` answer empty.
These two ``CloudFormationModel`` types call the same backend methods as the RegisterScalableTarget,
PutScheduledAction and PutScalingPolicy APIs.

Return values, as in CloudFormation:
- ScalableTarget: ``Ref`` and ``Fn::GetAtt Id`` give ``<ResourceId>|<ScalableDimension>|<ServiceNamespace>``.
- ScalingPolicy: ``Ref`` and ``Fn::GetAtt Arn`` give the policy ARN. It accepts either ``ScalingTargetId``
  (what the CDK writes) or ``ResourceId`` + ``ScalableDimension`` + ``ServiceNamespace``.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-applicationautoscaling-scalabletarget.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-applicationautoscaling-scalingpolicy.html

DeregisterScalableTarget (API), as AWS: it also deletes the target's scaling policies and scheduled actions
(moto 5.2.5 left them behind), and a target that does not exist answers ``ObjectNotFoundException`` (moto:
``ValidationException``).
https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeregisterScalableTarget.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from moto.applicationautoscaling.models import (
    ApplicationAutoscalingBackend,
    FakeApplicationAutoscalingPolicy,
    applicationautoscaling_backends,
)
from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import JsonRESTError

from emulator.cfn_model import CfnResource, Properties, optional_int
from emulator.cloudformation import to_epoch_seconds

_ID_SEPARATOR = "|"


def _backend(account_id: str, region_name: str) -> ApplicationAutoscalingBackend:
    return applicationautoscaling_backends[account_id][region_name]


def _target_key(properties: Properties) -> tuple[str, str, str]:
    """(service namespace, resource id, scalable dimension) of a ScalableTarget or ScalingPolicy."""
    target_id = properties.get("ScalingTargetId")
    if target_id:
        resource_id, dimension, namespace = str(target_id).split(_ID_SEPARATOR)
        return namespace, resource_id, dimension
    return properties["ServiceNamespace"], properties["ResourceId"], properties["ScalableDimension"]


class ObjectNotFoundError(JsonRESTError):
    """Application Auto Scaling's ``ObjectNotFoundException``."""

    def __init__(self, message: str) -> None:
        super().__init__("ObjectNotFoundException", message)


def _deregister_scalable_target(
    self: ApplicationAutoscalingBackend, namespace: str, r_id: str, dimension: str
) -> None:
    """Deregister the target with its scaling policies and scheduled actions, as AWS does."""
    if not self._scalable_target_exists(r_id, dimension):
        raise ObjectNotFoundError(
            f"No scalable target found for service namespace: {namespace}, resource ID: {r_id}, "
            f"scalable dimension: {dimension}"
        )
    for key, policy in list(self.policies.items()):
        if (policy.service_namespace, policy.resource_id, policy.scalable_dimension) == (
            namespace,
            r_id,
            dimension,
        ):
            policy.delete_alarms(self.account_id, self.region_name)
            del self.policies[key]
    self.scheduled_actions = [
        a
        for a in self.scheduled_actions
        if (a.service_namespace, a.resource_id, a.scalable_dimension) != (namespace, r_id, dimension)
    ]
    del self.targets[dimension][r_id]


def install() -> None:
    """DeregisterScalableTarget as in AWS (see the module docstring)."""
    ApplicationAutoscalingBackend.deregister_scalable_target = _deregister_scalable_target  # type: ignore[method-assign]


class ScalableTarget(CfnResource, CloudFormationModel):
    """``AWS::ApplicationAutoScaling::ScalableTarget`` with its ``ScheduledActions``."""

    CFN_TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"
    CFN_ATTRIBUTES: ClassVar[Mapping[str, str]] = {"Id": "physical_resource_id"}

    def __init__(
        self,
        account_id: str,
        region_name: str,
        key: tuple[str, str, str],
        scheduled_action_names: list[str],
    ) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.service_namespace, self.resource_id, self.scalable_dimension = key
        self.scheduled_action_names = scheduled_action_names

    @property
    def key(self) -> tuple[str, str, str]:
        """(service namespace, resource id, scalable dimension): what identifies a target in the API."""
        return self.service_namespace, self.resource_id, self.scalable_dimension

    @property
    def physical_resource_id(self) -> str:
        """``<ResourceId>|<ScalableDimension>|<ServiceNamespace>``, CloudFormation's ``Ref`` of a target."""
        return _ID_SEPARATOR.join((self.resource_id, self.scalable_dimension, self.service_namespace))

    @classmethod
    def create(cls, name: str, properties: Properties, account_id: str, region_name: str) -> ScalableTarget:
        """RegisterScalableTarget, then PutScheduledAction for each of the template's ``ScheduledActions``."""
        namespace, resource_id, dimension = key = _target_key(properties)
        backend = _backend(account_id, region_name)
        backend.register_scalable_target(
            namespace=namespace,
            r_id=resource_id,
            dimension=dimension,
            min_capacity=optional_int(properties.get("MinCapacity")),
            max_capacity=optional_int(properties.get("MaxCapacity")),
            role_arn=properties.get("RoleARN", ""),
            suspended_state=properties.get("SuspendedState"),
        )
        names = []
        for action in properties.get("ScheduledActions", []):
            target_action = {
                k: int(v) for k, v in action.get("ScalableTargetAction", {}).items() if v is not None
            }
            backend.put_scheduled_action(
                service_namespace=namespace,
                schedule=action["Schedule"],
                timezone=action.get("Timezone"),
                scheduled_action_name=action["ScheduledActionName"],
                resource_id=resource_id,
                scalable_dimension=dimension,
                start_time=to_epoch_seconds(action.get("StartTime")),
                end_time=to_epoch_seconds(action.get("EndTime")),
                scalable_target_action=target_action,  # type: ignore[arg-type]
            )
            names.append(action["ScheduledActionName"])
        return cls(account_id, region_name, key, names)

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> ScalableTarget:
        """The target ``physical_id`` names, with the scheduled actions the template gave it."""
        resource_id, dimension, namespace = physical_id.split(_ID_SEPARATOR)
        names = [a["ScheduledActionName"] for a in properties.get("ScheduledActions", [])]
        return cls(account_id, region_name, (namespace, resource_id, dimension), names)

    def update(self, name: str, properties: Properties, account_id: str, region_name: str) -> ScalableTarget:
        """Registering again updates capacities in place; scheduled actions are replaced as a set."""
        self.delete(account_id, region_name, keep_target=_target_key(properties) == self.key)
        return self.create(name, properties, account_id, region_name)

    def delete(self, account_id: str, region_name: str, *, keep_target: bool = False) -> None:
        """Delete the scheduled actions this resource created, then deregister the target."""
        backend = _backend(account_id, region_name)
        for name in self.scheduled_action_names:
            backend.delete_scheduled_action(
                service_namespace=self.service_namespace,
                scheduled_action_name=name,
                resource_id=self.resource_id,
                scalable_dimension=self.scalable_dimension,
            )
        if not keep_target and backend._scalable_target_exists(self.resource_id, self.scalable_dimension):
            backend.deregister_scalable_target(
                self.service_namespace, self.resource_id, self.scalable_dimension
            )


class ScalingPolicy(CfnResource, CloudFormationModel):
    """``AWS::ApplicationAutoScaling::ScalingPolicy`` (target tracking or step scaling)."""

    CFN_TYPE = "AWS::ApplicationAutoScaling::ScalingPolicy"
    CFN_NAME_PROPERTY = "PolicyName"
    CFN_PHYSICAL_ID = "arn"
    CFN_ATTRIBUTES: ClassVar[Mapping[str, str]] = {"Arn": "arn"}

    def __init__(
        self, account_id: str, region_name: str, key: tuple[str, str, str], policy_name: str, arn: str
    ) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.service_namespace, self.resource_id, self.scalable_dimension = key
        self.policy_name = policy_name
        self.arn = arn

    @property
    def _backend_key(self) -> str:
        return FakeApplicationAutoscalingPolicy.formulate_key(
            self.service_namespace, self.resource_id, self.scalable_dimension, self.policy_name
        )

    @classmethod
    def create(cls, name: str, properties: Properties, account_id: str, region_name: str) -> ScalingPolicy:
        """PutScalingPolicy with the configuration that matches ``PolicyType``."""
        namespace, resource_id, dimension = key = _target_key(properties)
        policy_type = properties["PolicyType"]
        body_property = {
            "TargetTrackingScaling": "TargetTrackingScalingPolicyConfiguration",
            "StepScaling": "StepScalingPolicyConfiguration",
        }.get(policy_type, "")
        policy = _backend(account_id, region_name).put_scaling_policy(
            policy_name=name,
            service_namespace=namespace,
            resource_id=resource_id,
            scalable_dimension=dimension,
            policy_body=properties.get(body_property, {}),
            policy_type=policy_type,
        )
        return cls(account_id, region_name, key, name, policy.policy_arn)

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> ScalingPolicy:
        """The policy whose ARN is ``physical_id`` (one that is gone already: nothing to delete)."""
        for policy in _backend(account_id, region_name).policies.values():
            if policy.policy_arn == physical_id:
                key = (policy.service_namespace, policy.resource_id, policy.scalable_dimension)
                return cls(account_id, region_name, key, policy.policy_name, physical_id)
        return cls(account_id, region_name, ("", "", ""), "", physical_id)

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete the policy (and the alarms moto made for it), if it still exists."""
        backend = _backend(account_id, region_name)
        if self._backend_key in backend.policies:
            backend.delete_scaling_policy(
                self.policy_name, self.service_namespace, self.resource_id, self.scalable_dimension
            )
