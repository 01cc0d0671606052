"""Invocations per endpoint from CloudWatch ``AWS/SageMaker`` ``Invocations``, in bulk.

ListMetrics (500 per page) learns the ``VariantName`` of every endpoint without describing endpoints;
GetMetricData then sums them per UTC hour (Period 3,600 s: the multiple of 3600 s CloudWatch requires for
data older than 63 days, and kept 455 days; StartTime at midnight UTC, so 24 data points make one UTC day,
the days of Cost Explorer's DAILY buckets). The hours serve the idle figures (hours without an invocation,
:mod:`lambdas.cost_reporter.logic.idle`); a day's invocations are the sum of its hours (a Sum statistic adds
up exactly), so one read gives both and costs no more metrics than a daily read. GetMetricData takes at most
500 queries and returns at most 100,800 data points per call ("GetMetricData: 500 metrics, 100,800 data
points per call", AWS Knowledge Center "cloudwatch-getmetricdata-api"); a batch holds
``min(500, 100,800 // (24 x days))`` queries (135 for a 31-day month), and NextToken pages the rest. The
period's invocations are the sum of its days. The emulator refuses more than 500 queries per call.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from lambdas.common.paging import paginate
from lambdas.cost_reporter.models import Issue, ReportPeriod

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import (
        GetMetricDataInputTypeDef,
        ListMetricsInputTypeDef,
        MetricDataQueryTypeDef,
        MetricDataResultTypeDef,
    )

T = TypeVar("T")

NAMESPACE = "AWS/SageMaker"
METRIC_NAME = "Invocations"
MAX_QUERIES_PER_CALL = 500
MAX_DATA_POINTS_PER_CALL = 100_800
DAY_S = 86_400
HOUR_S = 3_600
HOURS_PER_DAY = DAY_S // HOUR_S
_DIMENSIONS = frozenset({"EndpointName", "VariantName"})
#: Per-component invocation metrics (SageMaker developer guide, "SageMaker AI endpoint invocation metrics":
#: ``InferenceComponentName``, "Filters inference component invocation metrics").
COMPONENT_DIMENSION = "InferenceComponentName"


@dataclass(frozen=True)
class InvocationSeries:
    """One ``Invocations`` time series: an endpoint variant."""

    endpoint_name: str
    variant_name: str


def list_invocation_metrics(client: CloudWatchClient) -> tuple[list[InvocationSeries], list[str]]:
    """Every endpoint variant and every inference component (dimension ``InferenceComponentName`` alone) with
    an ``Invocations`` metric, from one ListMetrics (CloudWatch lists metrics seen in ~2 weeks)."""
    series: list[InvocationSeries] = []
    components: list[str] = []
    request: ListMetricsInputTypeDef = {"Namespace": NAMESPACE, "MetricName": METRIC_NAME}
    for page in paginate(client.list_metrics, request, page_param="NextToken", what="CloudWatch ListMetrics"):
        for metric in page.get("Metrics", []):
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            if set(dims) == _DIMENSIONS:
                series.append(InvocationSeries(dims["EndpointName"], dims["VariantName"]))
            elif set(dims) == {COMPONENT_DIMENSION}:
                components.append(dims[COMPONENT_DIMENSION])
    # unique: a series listed twice would be counted twice
    return list(dict.fromkeys(series)), sorted(set(components))


def list_invocation_series(client: CloudWatchClient) -> list[InvocationSeries]:
    """Every endpoint variant with an ``Invocations`` metric (CloudWatch lists metrics seen in ~2 weeks)."""
    return list_invocation_metrics(client)[0]


def stat_query(
    query_id: str, namespace: str, metric: str, dimensions: Mapping[str, str], *, period_s: int, stat: str
) -> MetricDataQueryTypeDef:
    """One GetMetricData query: ``stat`` of the metric with exactly ``dimensions`` per ``period_s``."""
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
            },
            "Period": period_s,
            "Stat": stat,
        },
        "ReturnData": True,
    }


def _query(query_id: str, item: InvocationSeries, period_s: int) -> MetricDataQueryTypeDef:
    dimensions = {"EndpointName": item.endpoint_name, "VariantName": item.variant_name}
    return stat_query(query_id, NAMESPACE, METRIC_NAME, dimensions, period_s=period_s, stat="Sum")


def batches(items: Sequence[T], size: int = MAX_QUERIES_PER_CALL) -> list[list[T]]:
    """Split ``items`` into GetMetricData batches of at most ``size`` queries."""
    if not 1 <= size <= MAX_QUERIES_PER_CALL:
        raise ValueError(f"batch size must be 1..{MAX_QUERIES_PER_CALL}, got {size}")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def metric_data_results(
    client: CloudWatchClient,
    queries: Sequence[MetricDataQueryTypeDef],
    start: datetime,
    end: datetime,
    per_call: int = MAX_QUERIES_PER_CALL,
) -> Iterator[MetricDataResultTypeDef]:
    """Every result of ``queries`` (Ids unique among them) from GetMetricData calls of at most ``per_call``
    queries over ``start`` .. ``end``, each call's NextToken pages followed (bounded, see ``paginate``)."""
    for batch in batches(queries, per_call):
        request: GetMetricDataInputTypeDef = {"MetricDataQueries": batch, "StartTime": start, "EndTime": end}
        pages = paginate(
            client.get_metric_data, request, page_param="NextToken", what="CloudWatch GetMetricData"
        )
        for page in pages:
            yield from page.get("MetricDataResults", [])


def queries_per_call(days: int, points_per_day: int = HOURS_PER_DAY) -> int:
    """GetMetricData queries per call so that ``points_per_day`` data points per query and day (24: hourly)
    stay within 100,800 data points."""
    points = max(days, 1) * max(points_per_day, 1)
    return max(1, min(MAX_QUERIES_PER_CALL, MAX_DATA_POINTS_PER_CALL // points))


def hourly_invocations(
    client: CloudWatchClient, series: Sequence[InvocationSeries], period: ReportPeriod
) -> tuple[dict[str, dict[datetime, int]], list[Issue]]:
    """Invocations per endpoint name (lower-case key: SageMaker names are case-insensitive) and UTC hour of
    ``period`` (the hour's start, UTC; hours without a data point are absent).

    A series CloudWatch cannot return (StatusCode Forbidden/InternalError) becomes an error of its endpoint,
    which is then left out of the result (its invocations are unknown, not zero).
    """
    start = datetime.combine(period.start, time(), tzinfo=UTC)
    end = datetime.combine(period.end_exclusive, time(), tzinfo=UTC)
    totals: dict[str, dict[datetime, Decimal]] = {}
    failed: dict[str, str] = {}
    queries = [_query(f"q{i}", item, HOUR_S) for i, item in enumerate(series)]
    by_id = {query["Id"]: item for query, item in zip(queries, series, strict=True)}
    for result in metric_data_results(client, queries, start, end, queries_per_call(period.days)):
        item = by_id[result["Id"]]
        key = item.endpoint_name.lower()
        if result.get("StatusCode") in ("Forbidden", "InternalError"):
            failed[key] = f"CloudWatch {result['StatusCode']} for variant {item.variant_name}"
            continue
        hours = totals.setdefault(key, {})
        for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
            hour = stamp.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            hours[hour] = hours.get(hour, Decimal(0)) + Decimal(str(value))
    errors = [Issue(f"invocations unknown: {reason}", name) for name, reason in sorted(failed.items())]
    hourly = {
        name: {hour: int(v.to_integral_value()) for hour, v in sorted(hours.items())}
        for name, hours in totals.items()
        if name not in failed
    }
    return hourly, errors


def by_day(hourly: Mapping[str, Mapping[datetime, int]]) -> dict[str, dict[date, int]]:
    """Hourly invocations summed per UTC day (days without invocations are absent, as in the hours)."""
    daily: dict[str, dict[date, int]] = {}
    for name, hours in hourly.items():
        days = daily.setdefault(name, {})
        for hour, count in sorted(hours.items()):
            day = hour.astimezone(UTC).date()
            days[day] = days.get(day, 0) + count
    return daily


def daily_invocations(
    client: CloudWatchClient, series: Sequence[InvocationSeries], period: ReportPeriod
) -> tuple[dict[str, dict[date, int]], list[Issue]]:
    """Invocations per endpoint name and UTC day of ``period``: :func:`hourly_invocations` summed per day."""
    hourly, errors = hourly_invocations(client, series, period)
    return by_day(hourly), errors


def sum_invocations(
    client: CloudWatchClient, series: Sequence[InvocationSeries], period: ReportPeriod
) -> tuple[dict[str, int], list[Issue]]:
    """Invocations per endpoint name over ``period``: the sum of :func:`daily_invocations`."""
    daily, errors = daily_invocations(client, series, period)
    return {name: sum(days.values()) for name, days in daily.items()}, errors


def known_endpoints(series: Sequence[InvocationSeries]) -> Mapping[str, list[InvocationSeries]]:
    """Series grouped by lower-case endpoint name."""
    grouped: dict[str, list[InvocationSeries]] = {}
    for item in series:
        grouped.setdefault(item.endpoint_name.lower(), []).append(item)
    return grouped
