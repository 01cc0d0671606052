"""CloudFormation support for EventBridge Scheduler, backed by moto's scheduler backend.

moto 5.2.5 gap closed: its CloudFormation skips ``AWS::Scheduler::Schedule`` and
``AWS::Scheduler::ScheduleGroup``, so deployed schedules are not visible through ``get_schedule`` /
``list_schedules``. ``Ref`` gives the schedule (group) name, ``Fn::GetAtt Arn`` the ARN, as in
CloudFormation; names are generated when absent. ``StartDate`` / ``EndDate`` (ISO 8601 in templates) are
stored as epoch seconds, like the API stores them.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-scheduler-schedule.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-scheduler-schedulegroup.html
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.scheduler.models import EventBridgeSchedulerBackend, scheduler_backends

from emulator.cloudformation import to_epoch_seconds


def _backend(account_id: str, region_name: str) -> EventBridgeSchedulerBackend:
    return scheduler_backends[account_id][region_name]


class Schedule(CloudFormationModel):
    """``AWS::Scheduler::Schedule``."""

    def __init__(self, group_name: str, name: str, arn: str) -> None:
        self.group_name = group_name
        self.name = name
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Scheduler::Schedule"

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
    ) -> Schedule:
        properties = cloudformation_json["Properties"]
        schedule = _backend(account_id, region_name).create_schedule(
            description=properties.get("Description"),
            end_date=to_epoch_seconds(properties.get("EndDate")),
            flexible_time_window=properties["FlexibleTimeWindow"],
            group_name=properties.get("GroupName"),
            kms_key_arn=properties.get("KmsKeyArn"),
            name=resource_name,
            schedule_expression=properties["ScheduleExpression"],
            schedule_expression_timezone=properties.get("ScheduleExpressionTimezone"),
            start_date=to_epoch_seconds(properties.get("StartDate")),
            state=properties.get("State"),
            target=properties["Target"],
            action_after_completion=properties.get("ActionAfterCompletion"),
        )
        return cls(schedule.group_name, schedule.name, schedule.arn)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Schedule,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Schedule:
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
        group_name = cloudformation_json["Properties"].get("GroupName") or "default"
        cls(group_name, resource_name, "").delete(account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete the schedule if it (and its group) still exist: a deleted group takes its schedules."""
        group = _backend(account_id, region_name).schedule_groups.get(self.group_name)
        if group is not None and self.name in group.schedules:
            group.delete_schedule(self.name)

    def is_created(self) -> bool:
        return True


class ScheduleGroup(CloudFormationModel):
    """``AWS::Scheduler::ScheduleGroup``."""

    def __init__(self, name: str, arn: str, created_on: Any, last_modified: Any) -> None:
        self.name = name
        self.arn = arn
        self.created_on = created_on
        self.last_modified = last_modified

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Scheduler::ScheduleGroup"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "CreationDate", "LastModificationDate", "State")

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        values = {
            "Arn": self.arn,
            "CreationDate": self.created_on,
            "LastModificationDate": self.last_modified,
            "State": "ACTIVE",
        }
        if attribute_name in values:
            return values[attribute_name]
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ScheduleGroup:
        properties = cloudformation_json["Properties"]
        group = _backend(account_id, region_name).create_schedule_group(
            name=resource_name, tags=properties.get("Tags", [])
        )
        return cls(group.name, group.arn, group.created_on, group.last_modified)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: ScheduleGroup,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> ScheduleGroup:
        backend = _backend(account_id, region_name)
        if new_resource_name != original_resource.name:
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        # Only the tags can change in place; the group keeps its schedules.
        old_keys = [t["Key"] for t in backend.list_tags_for_resource(original_resource.arn)["Tags"]]
        backend.untag_resource(original_resource.arn, old_keys)
        backend.tag_resource(original_resource.arn, cloudformation_json["Properties"].get("Tags", []))
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        cls(resource_name, "", None, None).delete(account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete the group and the schedules still in it, if it still exists."""
        backend = _backend(account_id, region_name)
        if self.name in backend.schedule_groups:
            backend.delete_schedule_group(self.name)
            backend.tagger.delete_all_tags_for_resource(self.arn)

    def is_created(self) -> bool:
        return True
