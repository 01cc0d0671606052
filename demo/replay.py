"""Replay the scenario into the emulator through the AWS APIs only: CloudWatch metrics and the bill.

- CloudWatch: per endpoint and UTC hour, ``AWS/SageMaker`` ``Invocations`` (Sum = requests of the hour,
  SampleCount = 60 one-minute points), ``InvocationsPerInstance`` and ``ModelLatency`` (microseconds, one
  sample per request), dimensions ``EndpointName`` and ``VariantName``, as ``StatisticValues`` at the hour's
  start. AWS accepts PutMetricData timestamps up to two weeks old and SageMaker publishes these metrics
  itself; moto accepts any timestamp, which is what lets a past month be replayed. moto also lists every data
  point of a metric with two dimensions as its own entry in ListMetrics (its dimension comparison), so
  hourly statistics, not minute points, keep the emulator's ListMetrics fast.
- Inference components: per component (dimension ``InferenceComponentName`` only, as SageMaker publishes them:
  developer guide "Amazon SageMaker AI metrics in Amazon CloudWatch", the InferenceComponentName dimension set
  of the endpoint invocation metrics) ``Invocations`` and ``ModelLatency`` as hourly statistics like the variant's,
  and ``NoCapacityInvocationFailures``, one data point per minute with refused requests, which the reporter
  reads back as cold starts. The replay has no errors, so no ``Invocation5XXErrors``. The variant-level series
  stay as they were, summed over the components (the reporter of this release reads invocations there).
- Capacity (namespace ``infersave/Capacity``, the series the capacity recorder writes every 5 minutes, names
  from :mod:`lambdas.common.capacity`):
  ``InstanceCount`` ``[EndpointName, VariantName]`` for every endpoint, ``CopyCount`` and
  ``AcceleratorDevicesAllocated`` (copies x chips per copy) ``[EndpointName, InferenceComponentName]`` per
  component, sampled from the replay's minutes at minute 0, 5, 10, ... of each hour, zeros included. Each
  hour's 12 samples go in as one statistic set (SampleCount 12, Sum, Minimum, Maximum) at the hour's start:
  every statistic at a period of an hour or more is what the 12 single values would give (Average = their
  mean = the hour's instance-hours as the recorder measures them, SampleCount / 12 = its coverage), at a
  twelfth of the data points, for the same reason the variant metrics are hourly (moto scans every stored
  point for each period of each query). Reads at periods under an hour see one point per hour.
- Cost Explorer: the pages of :func:`demo.billing.cost_and_usage_pages` for the reporter's request, queued with
  moto's ``POST /moto-api/static/ce/cost-and-usage-results``; moto hands them out one per call, in order, and
  repeats an answer for a repeated identical request.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any

from demo.billing import cost_and_usage_pages
from demo.scenario import ComponentHour, ComponentScenario, EndpointScenario, HourSample, Scenario
from lambdas.common import capacity

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import DimensionTypeDef, MetricDatumTypeDef

NAMESPACE = "AWS/SageMaker"
#: PutMetricData takes at most 1,000 data points per request; fewer keeps each request well under 1 MB.
DATA_POINTS_PER_REQUEST = 500
CE_QUEUE_PATH = "/moto-api/static/ce/cost-and-usage-results"
MICROSECONDS = 1_000_000


@dataclass(frozen=True)
class ReplayStats:
    """What the replay put into the emulator."""

    data_points: int
    put_requests: int
    cost_pages: int


def _served(
    dimensions: list[DimensionTypeDef], hour: HourSample | ComponentHour
) -> Iterator[MetricDatumTypeDef]:
    """An hour's ``Invocations`` (Sum = requests, SampleCount 60 one-minute points) and, when it served any,
    ``ModelLatency`` (microseconds, one sample per request)."""
    yield {
        "MetricName": "Invocations",
        "Dimensions": dimensions,
        "Timestamp": hour.start,
        "StatisticValues": {
            "SampleCount": 60,
            "Sum": hour.invocations,
            "Minimum": hour.min_invocations_per_minute,
            "Maximum": hour.max_invocations_per_minute,
        },
        "Unit": "None",
    }
    if hour.invocations:
        latency_us = hour.latency_s * MICROSECONDS
        yield {
            "MetricName": "ModelLatency",
            "Dimensions": dimensions,
            "Timestamp": hour.start,
            "StatisticValues": {
                "SampleCount": hour.invocations,
                "Sum": round(latency_us * hour.invocations),
                "Minimum": round(latency_us * 0.5),
                "Maximum": round(latency_us * 2.5),
            },
            "Unit": "Microseconds",
        }


def metric_data(endpoint: EndpointScenario) -> Iterator[MetricDatumTypeDef]:
    """The hourly CloudWatch statistics of one endpoint."""
    dimensions: list[DimensionTypeDef] = [
        {"Name": "EndpointName", "Value": endpoint.endpoint_name},
        {"Name": "VariantName", "Value": endpoint.variant_name},
    ]
    for hour in endpoint.hours:
        yield from _served(dimensions, hour)
        yield {
            "MetricName": "InvocationsPerInstance",
            "Dimensions": dimensions,
            "Timestamp": hour.start,
            "StatisticValues": {
                "SampleCount": 60,
                "Sum": round(hour.invocations_per_instance, 3),
                "Minimum": 0,
                "Maximum": round(hour.invocations_per_instance, 3),
            },
            "Unit": "None",
        }


def component_data(component: ComponentScenario) -> Iterator[MetricDatumTypeDef]:
    """One inference component's hourly ``Invocations`` and ``ModelLatency`` and its refused requests by minute
    (``NoCapacityInvocationFailures``), dimension ``InferenceComponentName`` only."""
    dimensions: list[DimensionTypeDef] = [
        {"Name": "InferenceComponentName", "Value": component.component_name}
    ]
    for hour in component.hours:
        yield from _served(dimensions, hour)
    for minute, refused in component.refused_by_minute:
        yield {
            "MetricName": "NoCapacityInvocationFailures",
            "Dimensions": dimensions,
            "Timestamp": minute,
            "Value": refused,
            "Unit": "Count",
        }


def capacity_samples(values: Sequence[int], start: datetime) -> Iterator[tuple[datetime, int]]:
    """The recorder's samples of a per-minute series starting at ``start``: one every
    ``capacity.SAMPLE_INTERVAL_MINUTES``."""
    for minute in range(0, len(values), capacity.SAMPLE_INTERVAL_MINUTES):
        yield start + timedelta(minutes=minute), values[minute]


def hourly_statistics(
    samples: Iterable[tuple[datetime, int]],
) -> Iterator[tuple[datetime, int, int, int, int]]:
    """(hour start, SampleCount, Sum, Minimum, Maximum) of the samples in each UTC hour, in time order."""
    by_hour: dict[datetime, list[int]] = {}
    for stamp, value in samples:
        by_hour.setdefault(stamp.replace(minute=0, second=0, microsecond=0), []).append(value)
    for hour, values in sorted(by_hour.items()):
        yield hour, len(values), sum(values), min(values), max(values)


def _capacity_series(
    name: str, dimensions: list[DimensionTypeDef], values: Sequence[int], start: datetime
) -> Iterator[MetricDatumTypeDef]:
    for hour, count, total, low, high in hourly_statistics(capacity_samples(values, start)):
        yield {
            "MetricName": name,
            "Dimensions": dimensions,
            "Timestamp": hour,
            "StatisticValues": {"SampleCount": count, "Sum": total, "Minimum": low, "Maximum": high},
            "Unit": capacity.UNIT,
            "StorageResolution": capacity.STORAGE_RESOLUTION_S,
        }


def capacity_data(endpoint: EndpointScenario) -> Iterator[MetricDatumTypeDef]:
    """The capacity series of one endpoint: ``InstanceCount`` of its variant and, per inference component,
    ``CopyCount`` and ``AcceleratorDevicesAllocated`` (Inferentia2 chips), from the replay's minutes."""
    start = endpoint.hours[0].start
    variant = [endpoint.endpoint_name, endpoint.variant_name]
    yield from _capacity_series(
        capacity.INSTANCE_COUNT,
        _dimensions(capacity.ENDPOINT_DIMENSIONS, variant),
        endpoint.instances_by_minute,
        start,
    )
    for component in endpoint.components:
        dimensions = _dimensions(
            capacity.COMPONENT_DIMENSIONS, [endpoint.endpoint_name, component.component_name]
        )
        copies = component.copies_by_minute
        yield from _capacity_series(capacity.COPY_COUNT, dimensions, copies, start)
        chips = [count * component.chips_per_copy for count in copies]
        yield from _capacity_series(capacity.ACCELERATOR_DEVICES_ALLOCATED, dimensions, chips, start)


def _dimensions(names: Sequence[str], values: Sequence[str]) -> list[DimensionTypeDef]:
    return [{"Name": name, "Value": value} for name, value in zip(names, values, strict=True)]


def _put(cloudwatch: CloudWatchClient, namespace: str, data: Iterable[MetricDatumTypeDef]) -> tuple[int, int]:
    """PutMetricData in batches of ``DATA_POINTS_PER_REQUEST``; returns (data points, requests)."""
    points = requests = 0
    batch: list[MetricDatumTypeDef] = []
    for datum in chain(data, [None]):
        if datum is not None:
            batch.append(datum)
        if batch and (datum is None or len(batch) == DATA_POINTS_PER_REQUEST):
            cloudwatch.put_metric_data(Namespace=namespace, MetricData=batch)
            points, requests, batch = points + len(batch), requests + 1, []
    return points, requests


def put_metrics(cloudwatch: CloudWatchClient, scenario: Scenario) -> tuple[int, int]:
    """Put every endpoint's hourly statistics, its components' metrics and its capacity series; returns (data
    points, requests)."""
    points = requests = 0
    for endpoint in scenario.endpoints:
        # An inference-component endpoint's invocation metrics are per component: SageMaker documents no
        # variant-level series there (README "Scale to zero"), so the replay writes none and a reader relying on
        # them fails here as it would on AWS.
        variant = () if endpoint.components else metric_data(endpoint)
        sagemaker = chain(variant, *(component_data(c) for c in endpoint.components))
        for namespace, data in ((NAMESPACE, sagemaker), (capacity.NAMESPACE, capacity_data(endpoint))):
            put, calls = _put(cloudwatch, namespace, data)
            points, requests = points + put, requests + calls
    return points, requests


def queue_cost_results(endpoint_url: str, pages: Sequence[Mapping[str, Any]], timeout_s: float = 30) -> None:
    """Queue Cost Explorer answers in moto (loopback only: the URL is the emulator's)."""
    if not endpoint_url.startswith(("http://localhost:", "http://127.0.0.1:")):
        raise ValueError(f"refusing to queue results at {endpoint_url}: not a loopback emulator")
    body = json.dumps({"results": list(pages)}).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - a checked http://localhost URL
        endpoint_url + CE_QUEUE_PATH, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
        if response.status not in (200, 201):
            raise RuntimeError(f"moto refused the Cost Explorer results: HTTP {response.status}")


def replay(
    cloudwatch: CloudWatchClient,
    endpoint_url: str,
    scenario: Scenario,
    cost_request: Mapping[str, Any],
    *,
    groups_per_page: int | None = None,
) -> ReplayStats:
    """Put the metrics, then queue the answer(s) to ``cost_request`` (the reporter's one query)."""
    points, requests = put_metrics(cloudwatch, scenario)
    pages = cost_and_usage_pages(cost_request, scenario, groups_per_page=groups_per_page)
    queue_cost_results(endpoint_url, pages)
    return ReplayStats(data_points=points, put_requests=requests, cost_pages=len(pages))
