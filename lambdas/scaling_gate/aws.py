"""Application Auto Scaling reads and writes of the scaling gate. Functions take their client as an argument.

Deregistering a scalable target also deletes its scaling policies and scheduled actions
(https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeregisterScalableTarget.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError

from lambdas.common.aws import client_config
from lambdas.common.retry import call_with_backoff, error_code
from lambdas.scaling_gate.request import SCALABLE_DIMENSION, SERVICE_NAMESPACE

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient

CLIENT_CONFIG = client_config("infersave-scaling-gate", read_timeout=20)


def make_client(region_name: str | None = None) -> ApplicationAutoScalingClient:
    """An Application Auto Scaling client with standard-mode retries."""
    return boto3.session.Session(region_name=region_name).client(
        "application-autoscaling", config=CLIENT_CONFIG
    )


@dataclass(frozen=True)
class TargetState:
    """A registered target's capacities (instances) and suspended flags, logged before it is deregistered."""

    min_capacity: int
    max_capacity: int
    dynamic_scaling_in_suspended: bool
    dynamic_scaling_out_suspended: bool
    scheduled_scaling_suspended: bool


def describe_target(client: ApplicationAutoScalingClient, resource_id: str) -> TargetState | None:
    """The variant's scalable target, or None when it is not registered."""
    page = call_with_backoff(
        partial(
            client.describe_scalable_targets,
            ServiceNamespace=SERVICE_NAMESPACE,
            ResourceIds=[resource_id],
            ScalableDimension=SCALABLE_DIMENSION,
        )
    )
    for target in page.get("ScalableTargets", []):
        if target["ResourceId"] == resource_id:
            suspended = target.get("SuspendedState", {})
            return TargetState(
                min_capacity=target["MinCapacity"],
                max_capacity=target["MaxCapacity"],
                dynamic_scaling_in_suspended=suspended.get("DynamicScalingInSuspended", False),
                dynamic_scaling_out_suspended=suspended.get("DynamicScalingOutSuspended", False),
                scheduled_scaling_suspended=suspended.get("ScheduledScalingSuspended", False),
            )
    return None


def deregister_target(client: ApplicationAutoScalingClient, resource_id: str) -> bool:
    """Deregister the variant's scalable target; False when it was not registered (not an error)."""
    try:
        call_with_backoff(
            partial(
                client.deregister_scalable_target,
                ServiceNamespace=SERVICE_NAMESPACE,
                ResourceId=resource_id,
                ScalableDimension=SCALABLE_DIMENSION,
            )
        )
    except ClientError as exc:
        # A target that does not exist: ObjectNotFoundException (API reference, Errors).
        if error_code(exc) == "ObjectNotFoundException":
            return False
        raise
    return True
