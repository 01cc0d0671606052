"""Lambda entry point: SNS messages from the project's alerts topic in, endpoint capacity lowered on a breach.

Handler: ``lambdas.budget_guard.handler.lambda_handler``. Configuration: see ``settings.Settings``
and the ``POWERTOOLS_SERVICE_NAME`` / ``POWERTOOLS_METRICS_NAMESPACE`` / ``POWERTOOLS_LOG_LEVEL`` variables.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from lambdas.budget_guard import aws
from lambdas.budget_guard.messages import Breach, IgnoreReason, classify
from lambdas.budget_guard.service import Outcome, Report, guard_project
from lambdas.budget_guard.settings import Settings

SERVICE_NAME = os.getenv("POWERTOOLS_SERVICE_NAME", "budget-guard")
logger = Logger(service=SERVICE_NAME)
metrics = Metrics(service=SERVICE_NAME, namespace=os.getenv("POWERTOOLS_METRICS_NAMESPACE", "infersave"))
tracer = Tracer(service=SERVICE_NAME)


class GuardActionError(RuntimeError):
    """The switch could not lower (or report on) one or more endpoints; the invocation must fail."""


@cache
def get_clients() -> aws.Clients:
    """Clients reused across warm invocations."""
    return aws.make_clients()


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Handle one SNS delivery; returns a summary per record. Raises GuardActionError when it cannot act."""
    settings = Settings.from_env(os.environ)
    metrics.add_dimension(name="Project", value=settings.project_name)
    logger.append_keys(
        project=settings.project_name, budget_name=settings.budget_name, dry_run=settings.dry_run
    )
    results = [
        _handle_message(settings, record.sns.message, record.sns.timestamp, record.sns.message_id)
        for record in SNSEvent(event).records
    ]
    return {"results": results}


def _handle_message(settings: Settings, message: str, timestamp: str, message_id: str) -> dict[str, Any]:
    received_at = _parse_timestamp(timestamp, message_id)
    decision = classify(
        message,
        budget_name=settings.budget_name,
        breach_threshold_percent=settings.breach_threshold_percent,
        received_at=received_at,
    )
    if not isinstance(decision, Breach):
        log = logger.warning if decision.reason is IgnoreReason.MALFORMED else logger.info
        log(
            "ignoring message: %s (%s)",
            decision.reason.value,
            decision.detail,
            extra={"sns_message_id": message_id},
        )
        metrics.add_metric(name="BudgetMessagesIgnored", unit=MetricUnit.Count, value=1)
        return {"sns_message_id": message_id, "ignored": decision.reason.value, "detail": decision.detail}

    notification = decision.notification
    tracer.put_annotation(key="budget_period", value=notification.period)
    logger.info(
        "budget breach: %s spent %s USD of %s USD in %s; lowering endpoints to %d instance(s)",
        notification.budget_name,
        notification.actual_amount_usd,
        notification.budgeted_amount_usd,
        notification.period,
        settings.floor_instance_count,
        extra={"sns_message_id": message_id},
    )
    metrics.add_metric(name="BudgetBreachesDetected", unit=MetricUnit.Count, value=1)
    clients = get_clients()
    try:
        report = guard_project(
            clients,
            project=settings.project_name,
            notification=notification,
            floor=settings.floor_instance_count,
            now=datetime.now(UTC),
            dry_run=settings.dry_run,
        )
    except (ClientError, BotoCoreError) as exc:
        _fail(f"could not list the endpoints of project {settings.project_name}: {exc}", count=1)
        raise GuardActionError(str(exc)) from exc

    _log_report(report)
    metrics.add_metric(name="EndpointsGuarded", unit=MetricUnit.Count, value=report.count(Outcome.GUARDED))
    if report.changed:
        try:
            aws.publish(
                clients.sns,
                topic_arn=settings.alerts_topic_arn,
                subject=report.subject(),
                message=report.to_message(),
            )
        except (ClientError, BotoCoreError) as exc:
            _fail(f"could not publish the summary to {settings.alerts_topic_arn}: {exc}", count=1)
            raise GuardActionError(str(exc)) from exc
    if report.failures:
        names = ", ".join(r.endpoint_name for r in report.failures)
        _fail(
            f"budget guard could not act on {len(report.failures)} endpoint(s): {names}",
            count=len(report.failures),
        )
        raise GuardActionError(f"budget guard could not act on: {names}; see the error lines above")
    return {"sns_message_id": message_id, "report": report.to_message()}


def _log_report(report: Report) -> None:
    for result in report.results:
        fields = {
            "endpoint": result.endpoint_name,
            "outcome": result.outcome.value,
            "budget_period": report.budget_period,
        }
        if result.outcome is Outcome.FAILED:
            logger.error(
                "budget guard could not act on endpoint %s: %s",
                result.endpoint_name,
                result.detail,
                extra=fields,
            )
        else:
            logger.info(
                "endpoint %s %s: %s", result.endpoint_name, result.outcome.value, result.detail, extra=fields
            )


def _fail(message: str, *, count: int) -> None:
    logger.error(message)
    metrics.add_metric(name="GuardActionFailed", unit=MetricUnit.Count, value=count)


def _parse_timestamp(timestamp: str, message_id: str) -> datetime:
    """The SNS timestamp (it dates alerts without a date line); now, with a warning, when it is unreadable."""
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        now = datetime.now(UTC)
        logger.warning(
            "unreadable SNS timestamp %r: using the current time %s to date the message",
            timestamp,
            now.isoformat(),
            extra={"sns_message_id": message_id},
        )
        return now
