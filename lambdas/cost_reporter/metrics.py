"""CloudWatch metrics of a report, as EMF log lines (Powertools): per endpoint and totals.

Namespace: ``POWERTOOLS_METRICS_NAMESPACE`` (default ``infersave``). Dimensions: ``service``
(``POWERTOOLS_SERVICE_NAME``), ``ReportType`` (month_to_date | previous_month | custom) and, per endpoint,
``EndpointName``. Month-to-date values are cumulative: graph them with the Maximum statistic per day.

Each metric name with each combination of dimension values is a custom metric (USD 0.30 a month for the first
10,000, prorated by the hours in which it is sent: ``benchmarks/overhead.py``), so per-endpoint metrics are
emitted only for the scheduled reports (:data:`PER_ENDPOINT_REPORT_TYPES`) and only for the ``top_endpoints``
endpoints of highest actual cost in the report (``reports.metrics_top_endpoints``, default 20): what they cost
grows with what is worth watching, not with the fleet. The totals cover every endpoint, and
``EndpointsWithMetrics`` says how many have their own. A custom period (a rerun, an ad hoc window) emits the
totals only.
"""

from __future__ import annotations

from decimal import Decimal

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from lambdas.cost_reporter.logic.period import MONTH_TO_DATE, PREVIOUS_MONTH
from lambdas.cost_reporter.models import EndpointLine, Report, Totals

DEFAULT_NAMESPACE = "infersave"
#: Report types (the scheduled ones) whose metrics are also emitted per endpoint.
PER_ENDPOINT_REPORT_TYPES = frozenset({MONTH_TO_DATE, PREVIOUS_MONTH})
DEFAULT_TOP_ENDPOINTS = 20


def top_by_cost(lines: list[EndpointLine], count: int) -> list[EndpointLine]:
    """The ``count`` lines of highest actual cost (ties by name, so reruns pick the same endpoints)."""
    return sorted(lines, key=lambda line: (-line.actual_cost, line.endpoint_name))[:count]


def _add(
    metrics: Metrics | EphemeralMetrics, name: str, unit: MetricUnit, value: Decimal | int | None
) -> None:
    if value is not None:
        metrics.add_metric(name=name, unit=unit, value=float(value))


def _add_costs(metrics: Metrics | EphemeralMetrics, figures: EndpointLine | Totals) -> None:
    _add(metrics, "ActualCost", MetricUnit.NoUnit, figures.actual_cost)
    _add(metrics, "BaselineCost", MetricUnit.NoUnit, figures.baseline_cost)
    _add(metrics, "Savings", MetricUnit.NoUnit, figures.savings)
    _add(metrics, "SavingsPercent", MetricUnit.Percent, figures.savings_pct)
    _add(metrics, "InstanceHours", MetricUnit.NoUnit, figures.instance_hours)
    _add(metrics, "Invocations", MetricUnit.Count, figures.invocations)


def emit_report_metrics(
    metrics: Metrics,
    report: Report,
    namespace: str,
    service: str,
    top_endpoints: int = DEFAULT_TOP_ENDPOINTS,
) -> None:
    """Add the totals to ``metrics`` (flushed by ``log_metrics``); for a scheduled report type also flush one
    EMF line now for each of the ``top_endpoints`` endpoints of highest actual cost."""
    per_endpoint_lines = []
    if report.period.kind in PER_ENDPOINT_REPORT_TYPES:
        per_endpoint_lines = top_by_cost(report.endpoints, top_endpoints)
    for line in per_endpoint_lines:
        per_endpoint = EphemeralMetrics(namespace=namespace, service=service)
        per_endpoint.add_dimension(name="ReportType", value=report.period.kind)
        per_endpoint.add_dimension(name="EndpointName", value=line.endpoint_name)
        _add_costs(per_endpoint, line)
        per_endpoint.flush_metrics()
    metrics.add_dimension(name="ReportType", value=report.period.kind)
    _add_costs(metrics, report.totals)
    _add(metrics, "UntaggedCost", MetricUnit.NoUnit, report.untagged_cost)
    _add(metrics, "EndpointsReported", MetricUnit.Count, len(report.endpoints))
    _add(metrics, "EndpointsWithMetrics", MetricUnit.Count, len(per_endpoint_lines))
    _add(metrics, "ReportWarnings", MetricUnit.Count, len(report.warnings))
    _add(metrics, "ReportErrors", MetricUnit.Count, len(report.errors))
