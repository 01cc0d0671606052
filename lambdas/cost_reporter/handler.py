"""Lambda entry point of the cost reporter: a thin wrapper over :mod:`lambdas.cost_reporter.logic.service`.

Events: ``{"period": "month_to_date"}``, ``{"period": "previous_month"}`` or
``{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}`` (end exclusive). Any failure to produce, write or announce
the report raises, so the invocation fails visibly (on-failure destination, alarm on Errors).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.cost_reporter.dal.clients import make_clients
from lambdas.cost_reporter.dal.pricing import PriceBook
from lambdas.cost_reporter.logic import render
from lambdas.cost_reporter.logic.period import period_from_event
from lambdas.cost_reporter.logic.service import deliver_report, run_report
from lambdas.cost_reporter.metrics import DEFAULT_NAMESPACE, emit_report_metrics
from lambdas.cost_reporter.settings import Settings, load_settings

SERVICE_NAME = os.environ.get("POWERTOOLS_SERVICE_NAME", "cost-reporter")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE)

logger = Logger(service=SERVICE_NAME)
tracer = Tracer(service=SERVICE_NAME)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE_NAME)


class PartialReportError(RuntimeError):
    """The report was written but misses data that should be there (CloudWatch or Cost Explorer failed)."""


@cache
def settings() -> Settings:
    """The validated environment, read once per execution environment."""
    return load_settings(os.environ, require_outputs=True)


def utc_today() -> date:
    """Today's UTC date (Cost Explorer days are UTC)."""
    return datetime.now(UTC).date()


@logger.inject_lambda_context(log_event=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Produce, store and announce the report the event asks for; returns where it went and its totals."""
    config = settings()
    assert config.reports_bucket is not None and config.summary_topic_arn is not None  # require_outputs
    period = period_from_event(event, utc_today())
    clients = make_clients(config.pricing_region)
    report = run_report(clients, config, period, PriceBook.from_client(clients.pricing))
    keys = deliver_report(clients, config.reports_bucket, config.summary_topic_arn, report)
    emit_report_metrics(metrics, report, NAMESPACE, SERVICE_NAME, config.metrics_top_endpoints)
    for issue in report.errors:
        logger.error("report error", extra={"endpoint_name": issue.endpoint_name, "detail": issue.message})
    for issue in report.warnings:
        logger.warning(
            "report warning", extra={"endpoint_name": issue.endpoint_name, "detail": issue.message}
        )
    if report.partial:
        # Written and announced as PARTIAL; failing the invocation makes Lambda retry it (and, after the
        # retries, park it on the on-failure queue with an alarm). The next complete run replaces the files.
        raise PartialReportError(
            f"report {report.period.key} is partial: "
            + "; ".join(issue.message for issue in report.errors)[:500]
        )
    document = render.report_document(report)
    return {
        "period": document["period"],
        "report_keys": keys,
        "endpoints": len(report.endpoints),
        "totals": document["totals"],
        "warnings": len(report.warnings),
        "errors": len(report.errors),
    }
