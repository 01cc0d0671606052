"""Lambda entry point: a budget breach confirmed by AWS Budgets in, endpoint capacity lowered.

Two events start it:

* an SNS delivery from the alerts topic. A message is read as a claim at most
  (:func:`lambdas.budget_guard.messages.classify`): anyone allowed to publish to the topic can write one;
* the re-check schedule's ``{"source": "infersave.budget-guard", "action": "recheck"}`` (hourly), which
  lowers endpoints that could not be lowered earlier in the period (mid-update, throttled) and covers a lost
  or unparsable alert.

Either way nothing is lowered until DescribeBudget, read with this function's own account id, confirms the
project's budget is at or above the threshold for the current period
(:func:`lambdas.budget_guard.confirm.confirm_breach`); the period comes from that answer. A run that
could not act on every endpoint fails, with a per-endpoint summary in the logs and on the alerts topic, so
Lambda's retries, the on-failure queue and the error alarm see it.

Handler: ``lambdas.budget_guard.handler.lambda_handler``. Configuration: see ``settings.Settings``
and the ``POWERTOOLS_SERVICE_NAME`` / ``POWERTOOLS_METRICS_NAMESPACE`` / ``POWERTOOLS_LOG_LEVEL`` variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from lambdas.budget_guard import aws, service
from lambdas.budget_guard.confirm import NotConfirmed
from lambdas.budget_guard.messages import RECHECK_EVENT, SUSPICIOUS, Claim, classify
from lambdas.budget_guard.service import Outcome, Report
from lambdas.budget_guard.settings import Settings
from lambdas.common.paging import PagingError

SERVICE_NAME = os.getenv("POWERTOOLS_SERVICE_NAME", "budget-guard")
logger = Logger(service=SERVICE_NAME)
metrics = Metrics(service=SERVICE_NAME, namespace=os.getenv("POWERTOOLS_METRICS_NAMESPACE", "infersave"))
tracer = Tracer(service=SERVICE_NAME)


#: What started a run (appears in logs).
ALERT = "alert message"
RECHECK = "scheduled re-check"


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
    """Handle one SNS delivery or one re-check; returns a summary per record. Raises GuardActionError when
    it cannot act, or on an event of neither kind."""
    settings = Settings.from_env(os.environ)
    metrics.add_dimension(name="Project", value=settings.project_name)
    logger.append_keys(
        project=settings.project_name, budget_name=settings.budget_name, dry_run=settings.dry_run
    )
    account_id = _account_of(context)
    if isinstance(event, Mapping) and all(event.get(k) == v for k, v in RECHECK_EVENT.items()):
        return {"results": [_confirm_and_guard(settings, account_id, trigger=RECHECK)]}
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list) or not records or not all(_is_sns_record(r) for r in records):
        logger.error("unrecognised event: neither an SNS delivery nor the re-check schedule's event")
        raise GuardActionError("unrecognised event: expected SNS Records or the re-check event")
    results = [
        _handle_message(settings, account_id, record.sns.message, record.sns.timestamp, record.sns.message_id)
        for record in SNSEvent(event).records
    ]
    return {"results": results}


def _handle_message(
    settings: Settings, account_id: str, message: str, timestamp: str, message_id: str
) -> dict[str, Any]:
    received_at = _parse_timestamp(timestamp, message_id)
    decision = classify(
        message,
        budget_name=settings.budget_name,
        account_id=account_id,
        breach_threshold_percent=settings.breach_threshold_percent,
        received_at=received_at,
        now=service.utc_now(),
    )
    if not isinstance(decision, Claim):
        log = logger.warning if decision.reason in SUSPICIOUS else logger.info
        log(
            "ignoring message: %s (%s)",
            decision.reason.value,
            decision.detail,
            extra={"sns_message_id": message_id},
        )
        metrics.add_metric(name="BudgetMessagesIgnored", unit=MetricUnit.Count, value=1)
        return {"sns_message_id": message_id, "ignored": decision.reason.value, "detail": decision.detail}
    notification = decision.notification
    logger.info(
        "message claims a breach of %s (%s USD of %s USD in %s); checking with AWS Budgets",
        notification.budget_name,
        notification.actual_amount_usd,
        notification.budgeted_amount_usd,
        notification.period,
        extra={"sns_message_id": message_id},
    )
    return {"sns_message_id": message_id, **_confirm_and_guard(settings, account_id, trigger=ALERT)}


def _confirm_and_guard(settings: Settings, account_id: str, *, trigger: str) -> dict[str, Any]:
    """Ask AWS Budgets; lower the project's endpoints only if it confirms a breach for the current period."""
    clients = get_clients()
    now = service.utc_now()
    try:
        decision = service.check_budget(clients, settings, account_id=account_id, now=now)
    except (ClientError, BotoCoreError) as exc:
        _fail(
            f"could not read budget {settings.budget_name} of account {account_id} from AWS Budgets "
            f"({trigger}); nothing lowered: {exc}",
            count=1,
        )
        raise GuardActionError(str(exc)) from exc
    if isinstance(decision, NotConfirmed):
        # A message claimed a breach AWS does not report: forged, stale, or ahead of AWS's data. Say so.
        log = logger.warning if trigger == ALERT else logger.info
        log("not lowering anything (%s): %s", trigger, decision.reason)
        metrics.add_metric(name="BreachNotConfirmed", unit=MetricUnit.Count, value=1)
        return {"not_confirmed": decision.reason}

    tracer.put_annotation(key="budget_period", value=decision.period)
    logger.info(
        "budget breach confirmed (%s): %s; lowering endpoints to %d instance(s)",
        trigger,
        decision.describe(),
        settings.floor_instance_count,
    )
    metrics.add_metric(name="BudgetBreachesDetected", unit=MetricUnit.Count, value=1)
    try:
        report = service.guard_confirmed(clients, settings, decision, now=now)
    except (ClientError, BotoCoreError, PagingError) as exc:
        _fail(f"could not list the endpoints of project {settings.project_name}: {exc}", count=1)
        raise GuardActionError(str(exc)) from exc

    _log_report(report)
    metrics.add_metric(name="EndpointsGuarded", unit=MetricUnit.Count, value=report.count(Outcome.GUARDED))
    # An alert's run always reports; the hourly re-check only when it lowered something, so an endpoint that
    # keeps failing (or a dry run) does not mail the topic every hour: its failures still fail the run.
    worth_telling = report.changed if trigger == ALERT else report.count(Outcome.GUARDED) > 0
    if worth_telling:
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
        summary = "; ".join(f"{r.endpoint_name}: {r.detail}" for r in report.failures)
        _fail(
            f"budget guard could not act on {len(report.failures)} endpoint(s): {summary}",
            count=len(report.failures),
        )
        names = ", ".join(r.endpoint_name for r in report.failures)
        raise GuardActionError(f"budget guard could not act on: {names} ({summary})"[:4000])
    return {"report": report.to_message()}


def _is_sns_record(record: object) -> bool:
    """An SNS delivery record with the fields read here (Message, MessageId, Timestamp as strings)."""
    sns = record.get("Sns") if isinstance(record, Mapping) else None
    return isinstance(sns, Mapping) and all(
        isinstance(sns.get(key), str) for key in ("Message", "MessageId", "Timestamp")
    )


def _account_of(context: LambdaContext) -> str:
    """This function's account, from its own ARN (arn:<partition>:lambda:<region>:<account>:function:...)."""
    parts = str(getattr(context, "invoked_function_arn", "")).split(":")
    account = parts[4] if len(parts) > 4 else ""
    if len(account) != 12 or not account.isascii() or not account.isdigit():
        raise GuardActionError(f"cannot read this function's account from its ARN {':'.join(parts)[:200]!r}")
    return account


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
        parsed = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except (ValueError, TypeError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        now = service.utc_now()
        logger.warning(
            "unreadable SNS timestamp %r: using the current time %s to date the message",
            str(timestamp)[:64],
            now.isoformat(),
            extra={"sns_message_id": message_id},
        )
        return now
    return parsed
