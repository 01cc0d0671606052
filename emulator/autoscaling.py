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
"""

from __future__ import annotations

from typing import Any

from moto.applicationautoscaling.models import (
    ApplicationAutoscalingBackend,
    FakeApplicationAutoscalingPolicy,
    applicationautoscaling_backends,
)
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

from emulator.cloudformation import to_epoch_seconds

_ID_SEPARATOR = "|"


def _backend(account_id: str, region_name: str) -> ApplicationAutoscalingBackend:
    return applicationautoscaling_backends[account_id][region_name]


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _target_key(properties: dict[str, Any]) -> tuple[str, str, str]:
    """(service namespace, resource id, scalable dimension) of a ScalableTarget or ScalingPolicy."""
    target_id = properties.get("ScalingTargetId")
    if target_id:
        resource_id, dimension, namespace = str(target_id).split(_ID_SEPARATOR)
        return namespace, resource_id, dimension
    return properties["ServiceNamespace"], properties["ResourceId"], properties["ScalableDimension"]


class ScalableTarget(CloudFormationModel):
    """``AWS::ApplicationAutoScaling::ScalableTarget`` with its ``ScheduledActions``."""

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
        return self.service_namespace, self.resource_id, self.scalable_dimension

    @property
    def physical_resource_id(self) -> str:
        return _ID_SEPARATOR.join((self.resource_id, self.scalable_dimension, self.service_namespace))

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApplicationAutoScaling::ScalableTarget"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Id"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Id":
            return self.physical_resource_id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ScalableTarget:
        properties = cloudformation_json["Properties"]
        namespace, resource_id, dimension = key = _target_key(properties)
        backend = _backend(account_id, region_name)
        backend.register_scalable_target(
            namespace=namespace,
            r_id=resource_id,
            dimension=dimension,
            min_capacity=_optional_int(properties.get("MinCapacity")),
            max_capacity=_optional_int(properties.get("MaxCapacity")),
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
    def update_from_cloudformation_json(
        cls,
        original_resource: ScalableTarget,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> ScalableTarget:
        # Registering again updates capacities in place; scheduled actions are replaced as a set.
        same_target = _target_key(cloudformation_json["Properties"]) == original_resource.key
        original_resource.delete(account_id, region_name, keep_target=same_target)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        resource_id, dimension, namespace = resource_name.split(_ID_SEPARATOR)
        names = [
            a["ScheduledActionName"] for a in cloudformation_json["Properties"].get("ScheduledActions", [])
        ]
        cls(account_id, region_name, (namespace, resource_id, dimension), names).delete(
            account_id, region_name
        )

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

    def is_created(self) -> bool:
        return True


class ScalingPolicy(CloudFormationModel):
    """``AWS::ApplicationAutoScaling::ScalingPolicy`` (target tracking or step scaling)."""

    def __init__(
        self, account_id: str, region_name: str, key: tuple[str, str, str], policy_name: str
    ) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.service_namespace, self.resource_id, self.scalable_dimension = key
        self.policy_name = policy_name
        self.arn = _backend(account_id, region_name).policies[self._backend_key].policy_arn

    @property
    def _backend_key(self) -> str:
        return FakeApplicationAutoscalingPolicy.formulate_key(
            self.service_namespace, self.resource_id, self.scalable_dimension, self.policy_name
        )

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return "PolicyName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApplicationAutoScaling::ScalingPolicy"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Arn":
            return self.arn
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ScalingPolicy:
        properties = cloudformation_json["Properties"]
        namespace, resource_id, dimension = key = _target_key(properties)
        policy_type = properties["PolicyType"]
        body_property = {
            "TargetTrackingScaling": "TargetTrackingScalingPolicyConfiguration",
            "StepScaling": "StepScalingPolicyConfiguration",
        }.get(policy_type, "")
        _backend(account_id, region_name).put_scaling_policy(
            policy_name=resource_name,
            service_namespace=namespace,
            resource_id=resource_id,
            scalable_dimension=dimension,
            policy_body=properties.get(body_property, {}),
            policy_type=policy_type,
        )
        return cls(account_id, region_name, key, resource_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: ScalingPolicy,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> ScalingPolicy:
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        backend = _backend(account_id, region_name)
        for policy in list(backend.policies.values()):
            if policy.policy_arn == resource_name:
                backend.delete_scaling_policy(
                    policy.policy_name,
                    policy.service_namespace,
                    policy.resource_id,
                    policy.scalable_dimension,
                )

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete the policy (and the alarms moto made for it), if it still exists."""
        backend = _backend(account_id, region_name)
        if self._backend_key in backend.policies:
            backend.delete_scaling_policy(
                self.policy_name, self.service_namespace, self.resource_id, self.scalable_dimension
            )

    def is_created(self) -> bool:
        return True
