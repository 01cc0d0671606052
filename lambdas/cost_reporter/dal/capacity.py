"""The capacity recorder's series (namespace ``infersave/Capacity``) and per-component invocations, hourly.

Contract "Capacity series" (names in :mod:`lambdas.common.capacity`; the capacity recorder writes them every 5 minutes, ``StorageResolution`` 60, one
sample per series per run, a 0 sample when at zero): ``InstanceCount`` with dimensions ``[EndpointName,
VariantName]``, ``AcceleratorDevicesAllocated`` (copies x Inferentia2 chips per copy) with ``[EndpointName,
InferenceComponentName]``. ``CopyCount`` is not read: the split needs the chips a copy holds, which
``AcceleratorDevicesAllocated`` already counts.

Two ListMetrics (one per metric name, pages of 500) find the series of the report's endpoints, the components
included (the reporter needs no SageMaker call to find them); GetMetricData then reads them per UTC hour
(Period 3,600 s, as the invocations, :mod:`.cloudwatch`): ``InstanceCount`` as ``Average`` (instances in the
hour) and ``SampleCount`` (its coverage), ``AcceleratorDevicesAllocated`` as ``Average`` (chips held in the
hour), through the same batched, paged helper and the same per-call bound (``queries_per_call``: 135 queries a
call for a 31-day month). Per-component ``Invocations`` (``AWS/SageMaker``, dimension ``InferenceComponentName``
alone: SageMaker developer guide, "SageMaker AI endpoint invocation metrics", "Filters inference component
invocation metrics") are read as ``Sum`` for the components found here whose series ListMetrics listed.

Reads are bounded by the report's endpoints (one or two queries per variant, two per component), not by
``reports.metrics_top_endpoints``, which bounds the metrics the reporter *writes*.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from lambdas.common import capacity
from lambdas.common.paging import paginate
from lambdas.cost_reporter.dal.cloudwatch import HOUR_S, metric_data_results, queries_per_call, stat_query
from lambdas.cost_reporter.models import CapacityRecording, CapacitySample, Issue, ReportPeriod

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef

NAMESPACE = capacity.NAMESPACE
INSTANCE_COUNT = capacity.INSTANCE_COUNT
ACCELERATORS = capacity.ACCELERATOR_DEVICES_ALLOCATED
COMPONENT = capacity.COMPONENT_DIMENSION
ENDPOINT = capacity.ENDPOINT_DIMENSION
VARIANT = capacity.VARIANT_DIMENSION
_FAILED = ("Forbidden", "InternalError")


@dataclass(frozen=True)
class CapacitySeries:
    """One recorded series of a report endpoint: ``member`` is the variant (``InstanceCount``) or the
    inference component (``AcceleratorDevicesAllocated``)."""

    metric: str
    endpoint_name: str
    member: str


@dataclass
class CapacityReads:
    """The recordings per lower-case endpoint name, and what could not be read (errors name the endpoint)."""

    recordings: dict[str, CapacityRecording] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)


def list_capacity_series(client: CloudWatchClient, endpoint_names: Iterable[str]) -> list[CapacitySeries]:
    """The ``InstanceCount`` and ``AcceleratorDevicesAllocated`` series of ``endpoint_names`` (case-insensitive)
    with exactly the contract's dimensions (CloudWatch lists metrics with data in the last two weeks)."""
    wanted = {name.lower() for name in endpoint_names}
    member_dimension = {INSTANCE_COUNT: VARIANT, ACCELERATORS: COMPONENT}
    series: list[CapacitySeries] = []
    for metric, member in member_dimension.items():
        pages = paginate(
            client.list_metrics,
            {"Namespace": NAMESPACE, "MetricName": metric},
            page_param="NextToken",
            what=f"CloudWatch ListMetrics {NAMESPACE} {metric}",
        )
        for page in pages:
            for listed in page.get("Metrics", []):
                dims = {d["Name"]: d["Value"] for d in listed.get("Dimensions", [])}
                if set(dims) == {ENDPOINT, member} and dims[ENDPOINT].lower() in wanted:
                    series.append(CapacitySeries(metric, dims[ENDPOINT], dims[member]))
    return list(dict.fromkeys(series))


def _hour(stamp: datetime) -> datetime:
    return stamp.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def read_capacity(
    client: CloudWatchClient,
    series: Sequence[CapacitySeries],
    period: ReportPeriod,
    invocation_components: Iterable[str] = (),
) -> CapacityReads:
    """Hourly recordings of ``series`` over ``period``, with the ``Invocations`` of the recorded components
    that are among ``invocation_components`` (the components ListMetrics lists with that metric).

    A series CloudWatch cannot return (StatusCode Forbidden/InternalError) drops its endpoint's recording (its
    idle is then spread and it gets no split) with an error naming it. Raises on a failed call (the caller
    reports the capacity as unknown)."""
    start = datetime.combine(period.start, time(), tzinfo=UTC)
    end = datetime.combine(period.end_exclusive, time(), tzinfo=UTC)
    listed_invocations = {name.lower() for name in invocation_components}
    queries: list[MetricDataQueryTypeDef] = []
    meaning: dict[str, tuple[str, CapacitySeries]] = {}
    for i, item in enumerate(series):
        if item.metric == INSTANCE_COUNT:
            dims = {ENDPOINT: item.endpoint_name, VARIANT: item.member}
            stats = {"a": "Average", "n": "SampleCount"}
        else:
            dims = {ENDPOINT: item.endpoint_name, COMPONENT: item.member}
            stats = {"a": "Average"}
        for tag, stat in stats.items():
            queries.append(stat_query(f"{tag}{i}", NAMESPACE, item.metric, dims, period_s=HOUR_S, stat=stat))
            meaning[f"{tag}{i}"] = (stat, item)
        if item.metric == ACCELERATORS and item.member.lower() in listed_invocations:
            queries.append(
                stat_query(
                    f"i{i}",
                    "AWS/SageMaker",
                    "Invocations",
                    {COMPONENT: item.member},
                    period_s=HOUR_S,
                    stat="Sum",
                )
            )
            meaning[f"i{i}"] = ("Invocations", item)

    averages: dict[str, dict[datetime, Decimal]] = {}
    samples: dict[str, dict[datetime, int]] = {}
    chips: dict[str, dict[str, dict[datetime, Decimal]]] = {}
    invocations: dict[str, dict[str, dict[datetime, int]]] = {}
    failed: dict[str, str] = {}
    for result in metric_data_results(client, queries, start, end, queries_per_call(period.days)):
        stat, item = meaning[result["Id"]]
        key = item.endpoint_name.lower()
        if result.get("StatusCode") in _FAILED:
            failed[key] = f"CloudWatch {result['StatusCode']} for {item.metric} {stat} of {item.member}"
            continue
        points = zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
        for stamp, value in points:
            hour, number = _hour(stamp), Decimal(str(value))
            if stat == "SampleCount":
                hours_n = samples.setdefault(key, {})
                hours_n[hour] = hours_n.get(hour, 0) + int(number.to_integral_value())
            elif stat == "Invocations":
                counts = invocations.setdefault(key, {}).setdefault(item.member, {})
                counts[hour] = counts.get(hour, 0) + int(number.to_integral_value())
            elif item.metric == INSTANCE_COUNT:  # variants of one endpoint add up
                hours_a = averages.setdefault(key, {})
                hours_a[hour] = hours_a.get(hour, Decimal(0)) + number
            else:
                held = chips.setdefault(key, {}).setdefault(item.member, {})
                held[hour] = held.get(hour, Decimal(0)) + number
        if (
            stat == "Invocations"
        ):  # listed, so known: an hour without a data point is 0, the period at least {}
            invocations.setdefault(key, {}).setdefault(item.member, {})

    reads = CapacityReads()
    for key in sorted({item.endpoint_name.lower() for item in series}):
        if key in failed:
            reads.errors.append(
                Issue(f"capacity recording unreadable ({failed[key]}): idle spread, no split", key)
            )
            continue
        hour_samples = samples.get(key, {})
        reads.recordings[key] = CapacityRecording(
            instances={
                hour: CapacitySample(average, hour_samples.get(hour, 0))
                for hour, average in sorted(averages.get(key, {}).items())
            },
            # Components with a sample in the period (a 0 sample included: the component existed).
            component_chips={
                name: dict(sorted(hours.items())) for name, hours in sorted(chips.get(key, {}).items())
            },
            component_invocations=invocations.get(key, {}),
        )
    return reads
