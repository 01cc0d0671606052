"""The CloudFormation custom resource request of the scaling gate, and what the gate does about it (pure).

Request fields: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html
CloudFormation passes every resource property as a string.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

#: The only scalable dimension the gate manages: instance counts of SageMaker production variants.
SCALABLE_DIMENSION: Final = "sagemaker:variant:DesiredInstanceCount"
SERVICE_NAMESPACE: Final = "sagemaker"
_REQUEST_TYPES = frozenset({"Create", "Update", "Delete"})


class RequestError(ValueError):
    """The request is not one the gate can read; the message names the field."""


@dataclass(frozen=True)
class GateProperties:
    """``ResourceProperties`` of a gate: the scalable target's resource id and the variant's instance type."""

    resource_id: str
    instance_type: str

    @classmethod
    def parse(cls, properties: Mapping[str, Any] | None, field: str) -> GateProperties:
        """Read ``ResourceId`` (``endpoint/<name>/variant/<variant>``) and ``InstanceType`` (``ml.*``)."""
        if not isinstance(properties, Mapping):
            raise RequestError(f"{field}: missing; the gate needs ResourceId and InstanceType")
        resource_id = str(properties.get("ResourceId") or "")
        parts = resource_id.split("/")
        if len(parts) != 4 or parts[0] != "endpoint" or parts[2] != "variant" or not all(parts):
            raise RequestError(
                f"{field}.ResourceId: {resource_id!r} is not endpoint/<endpoint>/variant/<variant>"
            )
        instance_type = str(properties.get("InstanceType") or "")
        if not instance_type.startswith("ml."):
            raise RequestError(f"{field}.InstanceType: {instance_type!r} is not a SageMaker instance type")
        return cls(resource_id=resource_id, instance_type=instance_type)


@dataclass(frozen=True)
class GateRequest:
    """One custom resource request, with the fields every answer must echo."""

    request_type: str
    response_url: str
    stack_id: str
    request_id: str
    logical_resource_id: str
    physical_resource_id: str | None
    properties: GateProperties | None
    old_properties: GateProperties | None
    problem: str | None = None

    @classmethod
    def parse(cls, event: Mapping[str, Any]) -> GateRequest:
        """Read the event. Raises RequestError only when it cannot be answered at all (no ResponseURL etc.);
        malformed properties are kept as ``problem``, so the gate can still answer FAILED."""
        missing = [
            name
            for name in ("RequestType", "ResponseURL", "StackId", "RequestId", "LogicalResourceId")
            if not isinstance(event.get(name), str) or not event.get(name)
        ]
        if missing:
            raise RequestError(f"not a CloudFormation custom resource request: no {', '.join(missing)}")
        request_type = event["RequestType"]
        problem: str | None = None
        properties = old_properties = None
        try:
            if request_type not in _REQUEST_TYPES:
                raise RequestError(f"RequestType: {request_type!r} is not Create, Update or Delete")
            properties = GateProperties.parse(event.get("ResourceProperties"), "ResourceProperties")
            if request_type == "Update":
                old_properties = GateProperties.parse(
                    event.get("OldResourceProperties"), "OldResourceProperties"
                )
        except RequestError as exc:
            problem = str(exc)
        physical = event.get("PhysicalResourceId")
        return cls(
            request_type=request_type,
            response_url=event["ResponseURL"],
            stack_id=event["StackId"],
            request_id=event["RequestId"],
            logical_resource_id=event["LogicalResourceId"],
            physical_resource_id=physical if isinstance(physical, str) and physical else None,
            properties=properties,
            old_properties=old_properties,
            problem=problem,
        )


class Action(enum.Enum):
    """What the gate does for a request."""

    NOTHING = "nothing"
    DEREGISTER = "deregister"  # the target, if it is registered (a missing one is fine)


@dataclass(frozen=True)
class Decision:
    """The action, the resource id it applies to, the physical id to answer and why (for the log)."""

    action: Action
    resource_id: str
    physical_resource_id: str
    reason: str


def decide(request: GateRequest) -> Decision:
    """What to do. The physical id is the scalable target's resource id and never changes for a resource id,
    so CloudFormation never sends a Delete for a gate it has merely updated.

    - Create: nothing (the stack registers the target after the endpoint exists).
    - Update: deregister when the instance type changes on the same resource id: SageMaker refuses to change
      the instance type of a registered variant, and the stack registers a new target afterwards. A changed
      resource id means another endpoint (its name changed, so CloudFormation replaces it): nothing here; the
      old id is deregistered by the Delete CloudFormation sends for the old physical id.
    - Delete: deregister (endpoint removed or stack deleted; the stack retains its targets, so this is what
      cleans them up), but only for a gate this function created: a failed Create answered another id.
    """
    if request.problem is not None or request.properties is None:
        raise RequestError(request.problem or "ResourceProperties: missing")
    new = request.properties
    if request.request_type == "Create":
        return Decision(Action.NOTHING, new.resource_id, new.resource_id, "create: nothing to gate yet")
    if request.request_type == "Update":
        old = request.old_properties
        if old is None:
            raise RequestError("OldResourceProperties: missing on an Update")
        if old.resource_id == new.resource_id and old.instance_type != new.instance_type:
            return Decision(
                Action.DEREGISTER,
                new.resource_id,
                new.resource_id,
                f"instance type {old.instance_type} -> {new.instance_type}: SageMaker refuses the endpoint "
                "update while the variant is a scalable target",
            )
        return Decision(
            Action.NOTHING, new.resource_id, new.resource_id, "update: the instance type is unchanged"
        )
    physical = request.physical_resource_id or ""
    if physical != new.resource_id:
        return Decision(
            Action.NOTHING, new.resource_id, physical, "delete of a gate this function never created"
        )
    return Decision(Action.DEREGISTER, new.resource_id, physical, "delete: the stack retains its targets")
