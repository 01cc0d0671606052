"""Lambda entry point of the capacity recorder: a thin wrapper over :func:`lambdas.capacity_recorder.service.record`.

Event (EventBridge Scheduler, every 5 minutes): ``{"source": "infersave.capacity-recorder", "scheduled_time":
"<aws.scheduler.scheduled-time>"}``; the samples carry the scheduled minute. Any other event (a test invocation)
samples the current minute. A run that could not read or write something still writes every other sample, then
fails, naming what it missed, so the error alarm and the on-failure queue see it; the next run is 5 minutes later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.capacity_recorder.series import sample_time
from lambdas.capacity_recorder.service import Clients, Run, make_clients, record
from lambdas.capacity_recorder.settings import Settings

SERVICE_NAME = os.getenv("POWERTOOLS_SERVICE_NAME", "capacity-recorder")
logger = Logger(service=SERVICE_NAME)
tracer = Tracer(service=SERVICE_NAME)
metrics = Metrics(service=SERVICE_NAME, namespace=os.getenv("POWERTOOLS_METRICS_NAMESPACE", "infersave"))


class RecordingError(RuntimeError):
    """The run could not read or write some capacity; what it could was written."""


@cache
def settings() -> Settings:
    """The validated environment, read once per execution environment."""
    return Settings.from_env(os.environ)


@cache
def clients() -> Clients:
    """Clients reused across warm invocations."""
    return make_clients()


def utc_now() -> datetime:
    """The current time (UTC); samples of an event without a scheduled time carry its minute."""
    return datetime.now(UTC)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: Mapping[str, Any], context: LambdaContext) -> dict[str, object]:
    """Record one sample of every series; returns the run's counts. Raises RecordingError when something was
    missed (after writing the rest)."""
    config = settings()
    metrics.add_dimension(name="Project", value=config.project_name)
    scheduled = event.get("scheduled_time") if isinstance(event, Mapping) else None
    at = sample_time(scheduled if isinstance(scheduled, str) else None, utc_now())
    logger.append_keys(project=config.project_name, sample_time=at.isoformat())
    run = record(clients(), config, at)
    _log(run, config)
    if run.problems:
        summary = "; ".join(str(p) for p in run.problems)
        raise RecordingError(f"capacity not recorded for {len(run.problems)} item(s): {summary}"[:4000])
    return run.summary()


def _log(run: Run, config: Settings) -> None:
    """One line per problem and the run's counts; metrics only where they say something (each metric is billed
    per hour in which it is sent)."""
    for problem in run.problems:
        logger.error("capacity not recorded: %s", problem, extra={"what": problem.what})
    for entry in run.skipped:
        logger.warning("tagging listing entry skipped: %s", entry)
    for what in run.gone:
        logger.info("%s was listed but no longer exists; not recorded", what)
    if run.over_cap:
        logger.error(
            "%d endpoint(s) over MAX_ENDPOINTS=%d not recorded (raise MAX_ENDPOINTS): %s",
            len(run.over_cap),
            config.max_endpoints,
            ", ".join(run.over_cap[:20]) + (" ..." if len(run.over_cap) > 20 else ""),
        )
        metrics.add_metric(name="EndpointsOverCap", unit=MetricUnit.Count, value=len(run.over_cap))
    if run.problems:
        metrics.add_metric(name="CapacityNotRecorded", unit=MetricUnit.Count, value=len(run.problems))
    metrics.add_metric(name="CapacitySamplesWritten", unit=MetricUnit.Count, value=run.samples_written)
    logger.info("capacity recorded", extra=run.summary())
