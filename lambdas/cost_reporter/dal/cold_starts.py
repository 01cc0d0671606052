"""Cold starts of the project's inference components from CloudWatch ``AWS/SageMaker``
``NoCapacityInvocationFailures`` (dimension ``InferenceComponentName``): the requests refused while a component had
no copy, i.e. while it scaled out from zero (SageMaker developer guide, "Scale an endpoint to zero instances").

ListMetrics finds the components that had such failures; GetMetricData reads each at a 5-minute period, the finest
CloudWatch keeps for more than 15 days ("data points with a period of 60 seconds are available for 15 days, 300
seconds for 63 days", GetMetricStatistics API reference), so a monthly report sees the whole month. A cold start is a
run of consecutive 5-minute periods with failures (:func:`lambdas.cost_reporter.logic.idle.cold_starts`): two within
5 minutes count as one, and one whose refusals pause for a whole period (no request came) counts as two. Components map to endpoints by infersave's names (``<endpoint>`` or ``<endpoint>-<model>``,
``stacks.config.components.component_name``): the longest endpoint name that matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from lambdas.common.paging import paginate
from lambdas.cost_reporter.dal.cloudwatch import metric_data_results, stat_query
from lambdas.cost_reporter.logic.idle import ColdStarts, cold_starts
from lambdas.cost_reporter.models import ReportPeriod

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef

NAMESPACE = "AWS/SageMaker"
METRIC_NAME = "NoCapacityInvocationFailures"
DIMENSION = "InferenceComponentName"
PERIOD_S = 300


def list_components(client: CloudWatchClient) -> list[str]:
    """Inference components with a ``NoCapacityInvocationFailures`` metric (seen in the last two weeks)."""
    names: list[str] = []
    pages = paginate(
        client.list_metrics,
        {"Namespace": NAMESPACE, "MetricName": METRIC_NAME},
        page_param="NextToken",
        what="CloudWatch ListMetrics NoCapacityInvocationFailures",
    )
    for page in pages:
        for metric in page.get("Metrics", []):
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            if set(dims) == {DIMENSION}:
                names.append(dims[DIMENSION])
    return sorted(set(names))


def _query(query_id: str, component: str) -> MetricDataQueryTypeDef:
    return stat_query(query_id, NAMESPACE, METRIC_NAME, {DIMENSION: component}, period_s=PERIOD_S, stat="Sum")


def read_cold_starts(
    client: CloudWatchClient, components: Sequence[str], period: ReportPeriod
) -> dict[str, ColdStarts]:
    """Cold starts per component over ``period``; a series CloudWatch cannot return raises (the run is partial)."""
    start = datetime.combine(period.start, time(), tzinfo=UTC)
    end = datetime.combine(period.end_exclusive, time(), tzinfo=UTC)
    slots = int((end - start).total_seconds()) // PERIOD_S
    series: dict[str, list[int]] = {c: [0] * slots for c in components}
    queries = [_query(f"c{i}", name) for i, name in enumerate(components)]
    by_id = {q["Id"]: name for q, name in zip(queries, components, strict=True)}
    for result in metric_data_results(client, queries, start, end):
        name = by_id[result["Id"]]
        if result.get("StatusCode") in ("Forbidden", "InternalError"):
            raise RuntimeError(f"CloudWatch {result['StatusCode']} for {METRIC_NAME} of {name}")
        for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=True):
            slot = int((stamp.astimezone(UTC) - start) / timedelta(seconds=PERIOD_S))
            if 0 <= slot < slots:
                series[name][slot] += round(value)
    return {name: cold_starts(values) for name, values in series.items()}


def by_endpoint(
    per_component: Mapping[str, ColdStarts], endpoint_names: Iterable[str]
) -> dict[str, ColdStarts]:
    """Component figures summed per endpoint (lower-case names), by infersave's component names."""
    names = sorted({n.lower() for n in endpoint_names}, key=len, reverse=True)
    totals: dict[str, ColdStarts] = {}
    for component, figures in per_component.items():
        key = component.lower()
        owner = next((n for n in names if key == n or key.startswith(n + "-")), None)
        if owner is None:
            continue  # another project's component
        seen = totals.get(owner, ColdStarts(0, 0, 0))
        totals[owner] = ColdStarts(
            seen.count + figures.count,
            seen.refused_requests + figures.refused_requests,
            seen.periods_refusing + figures.periods_refusing,
        )
    return totals
