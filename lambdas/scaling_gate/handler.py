"""Lambda entry point of the scaling gate: a CloudFormation custom resource request in, an answer out.

Handler: ``lambdas.scaling_gate.handler.lambda_handler``. It ALWAYS answers CloudFormation (SUCCESS or FAILED
with the reason) unless the request has no ResponseURL; it raises only when the answer could not be delivered,
so Lambda's asynchronous retries run the (idempotent) request again (CloudFormation invokes custom resource
functions asynchronously: https://docs.aws.amazon.com/lambda/latest/dg/services-cloudformation.html). Configuration: the
``POWERTOOLS_SERVICE_NAME`` / ``POWERTOOLS_METRICS_NAMESPACE`` / ``POWERTOOLS_LOG_LEVEL`` variables.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.common.retry import describe_error
from lambdas.scaling_gate import aws, response
from lambdas.scaling_gate.request import Action, Decision, GateRequest, RequestError, decide

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient

SERVICE_NAME = os.getenv("POWERTOOLS_SERVICE_NAME", "scaling-gate")
logger = Logger(service=SERVICE_NAME)
metrics = Metrics(service=SERVICE_NAME, namespace=os.getenv("POWERTOOLS_METRICS_NAMESPACE", "infersave"))
tracer = Tracer(service=SERVICE_NAME)


@cache
def get_client() -> ApplicationAutoScalingClient:
    """The client reused across warm invocations."""
    return aws.make_client()


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Handle one request and answer CloudFormation; returns what was answered."""
    request = GateRequest.parse(event)  # RequestError here: nothing to answer to, the invocation fails
    logger.append_keys(
        request_type=request.request_type,
        logical_resource_id=request.logical_resource_id,
        stack_id=request.stack_id,
    )
    fallback_id = request.physical_resource_id or (
        request.properties.resource_id if request.properties else context.log_stream_name
    )
    try:
        decision = decide(request)
        physical_id = decision.physical_resource_id
        reason = apply(decision, get_client())
        status: response.Status = "SUCCESS"
    except Exception as exc:  # every failure must reach CloudFormation as FAILED
        physical_id = fallback_id
        reason = (
            f"scaling gate {request.logical_resource_id} ({request.request_type}): {describe_error(exc, 600)}"
        )
        status = "FAILED"
        logger.exception(reason)
        metrics.add_metric(name="ScalingGateFailed", unit=MetricUnit.Count, value=1)
    response.send(request.response_url, response.body(request, status, reason, physical_id))
    logger.info("answered %s: %s", status, reason, extra={"physical_resource_id": physical_id})
    return {"Status": status, "Reason": reason, "PhysicalResourceId": physical_id}


def apply(decision: Decision, client: ApplicationAutoScalingClient) -> str:
    """Carry out ``decision``; returns the reason given to CloudFormation. AWS errors propagate."""
    if decision.action is Action.NOTHING:
        logger.info("nothing to do for %s: %s", decision.resource_id, decision.reason)
        return decision.reason
    if decision.action is not Action.DEREGISTER:
        raise RequestError(f"unknown action {decision.action}")
    state = aws.describe_target(client, decision.resource_id)
    if state is None:
        logger.info(
            "%s is not a scalable target: nothing to deregister (%s)", decision.resource_id, decision.reason
        )
        return f"{decision.resource_id} was not registered; {decision.reason}"
    # What autoscaling had (the stack registers config min/max again; a breach switch state is not restored).
    logger.info(
        "deregistering scalable target %s (min %d, max %d, suspended in/out/scheduled %s/%s/%s): %s",
        decision.resource_id,
        state.min_capacity,
        state.max_capacity,
        state.dynamic_scaling_in_suspended,
        state.dynamic_scaling_out_suspended,
        state.scheduled_scaling_suspended,
        decision.reason,
        extra={"previous_target": state.__dict__},
    )
    deregistered = aws.deregister_target(client, decision.resource_id)
    if deregistered:
        metrics.add_metric(name="ScalableTargetsDeregistered", unit=MetricUnit.Count, value=1)
    return (
        f"deregistered {decision.resource_id} (was min {state.min_capacity}, max {state.max_capacity}); "
        f"{decision.reason}"
    )
