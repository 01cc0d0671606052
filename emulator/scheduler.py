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

from collections.abc import Mapping
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.scheduler.models import EventBridgeSchedulerBackend, scheduler_backends

from emulator.cfn_model import CfnResource, Properties
from emulator.cloudformation import to_epoch_seconds


def _backend(account_id: str, region_name: str) -> EventBridgeSchedulerBackend:
    return scheduler_backends[account_id][region_name]


class Schedule(CfnResource, CloudFormationModel):
    """``AWS::Scheduler::Schedule``."""

    CFN_TYPE = "AWS::Scheduler::Schedule"
    CFN_NAME_PROPERTY = "Name"
    CFN_ATTRIBUTES: ClassVar[Mapping[str, str]] = {"Arn": "arn"}

    def __init__(self, group_name: str, name: str, arn: str) -> None:
        self.group_name = group_name
        self.name = name
        self.arn = arn

    @classmethod
    def create(cls, name: str, properties: Properties, account_id: str, region_name: str) -> Schedule:
        """CreateSchedule with the template's properties (dates as the epoch seconds the API stores)."""
        schedule = _backend(account_id, region_name).create_schedule(
            description=properties.get("Description"),
            end_date=to_epoch_seconds(properties.get("EndDate")),
            flexible_time_window=properties["FlexibleTimeWindow"],
            group_name=properties.get("GroupName"),
            kms_key_arn=properties.get("KmsKeyArn"),
            name=name,
            schedule_expression=properties["ScheduleExpression"],
            schedule_expression_timezone=properties.get("ScheduleExpressionTimezone"),
            start_date=to_epoch_seconds(properties.get("StartDate")),
            state=properties.get("State"),
            target=properties["Target"],
            action_after_completion=properties.get("ActionAfterCompletion"),
        )
        return cls(schedule.group_name, schedule.name, schedule.arn)

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> Schedule:
        """The schedule named ``physical_id`` in the template's group (``default`` when none is given)."""
        return cls(properties.get("GroupName") or "default", physical_id, "")

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete the schedule if it (and its group) still exist: a deleted group takes its schedules."""
        group = _backend(account_id, region_name).schedule_groups.get(self.group_name)
        if group is not None and self.name in group.schedules:
            group.delete_schedule(self.name)


class ScheduleGroup(CfnResource, CloudFormationModel):
    """``AWS::Scheduler::ScheduleGroup``."""

    CFN_TYPE = "AWS::Scheduler::ScheduleGroup"
    CFN_NAME_PROPERTY = "Name"
    CFN_ATTRIBUTES: ClassVar[Mapping[str, str]] = {
        "Arn": "arn",
        "CreationDate": "created_on",
        "LastModificationDate": "last_modified",
        "State": "state",
    }
    state = "ACTIVE"

    def __init__(self, name: str, arn: str, created_on: Any, last_modified: Any) -> None:
        self.name = name
        self.arn = arn
        self.created_on = created_on
        self.last_modified = last_modified

    @classmethod
    def create(cls, name: str, properties: Properties, account_id: str, region_name: str) -> ScheduleGroup:
        """CreateScheduleGroup with the template's tags."""
        group = _backend(account_id, region_name).create_schedule_group(
            name=name, tags=properties.get("Tags", [])
        )
        return cls(group.name, group.arn, group.created_on, group.last_modified)

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> ScheduleGroup:
        """The group named ``physical_id``."""
        return cls(physical_id, "", None, None)

    def update(self, name: str, properties: Properties, account_id: str, region_name: str) -> ScheduleGroup:
        """A new name replaces the group; otherwise only the tags change, in place, and it keeps its schedules."""
        if name != self.name:
            return super().update(name, properties, account_id, region_name)
        backend = _backend(account_id, region_name)
        old_keys = [t["Key"] for t in backend.list_tags_for_resource(self.arn)["Tags"]]
        backend.untag_resource(self.arn, old_keys)
        backend.tag_resource(self.arn, properties.get("Tags", []))
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete the group and the schedules still in it, if it still exists."""
        backend = _backend(account_id, region_name)
        if self.name in backend.schedule_groups:
            backend.delete_schedule_group(self.name)
            backend.tagger.delete_all_tags_for_resource(self.arn)
