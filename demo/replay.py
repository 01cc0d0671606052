"""Replay the scenario into the emulator through the AWS APIs only: CloudWatch metrics and the bill.

- CloudWatch: per endpoint and UTC hour, ``AWS/SageMaker`` ``Invocations`` (Sum = requests of the hour,
  SampleCount = 60 one-minute points), ``InvocationsPerInstance`` and ``ModelLatency`` (microseconds, one
  sample per request), dimensions ``EndpointName`` and ``VariantName``, as ``StatisticValues`` at the hour's
  start. AWS accepts PutMetricData timestamps up to two weeks old and SageMaker publishes these metrics
  itself; moto accepts any timestamp, which is what lets a past month be replayed. moto also lists every data
  point of a metric with two dimensions as its own entry in ListMetrics (its dimension comparison), so
  hourly statistics, not minute points, keep the emulator's ListMetrics fast.
- Scale to zero: ``NoCapacityInvocationFailures`` (dimension ``InferenceComponentName``), one data point per
  minute with refused requests, which the reporter reads back as cold starts.
- Cost Explorer: the pages of :func:`demo.billing.cost_and_usage_pages` for the reporter's request, queued with
  moto's ``POST /moto-api/static/ce/cost-and-usage-results``; moto hands them out one per call, in order, and
  repeats an answer for a repeated identical request.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any

from demo.billing import cost_and_usage_pages
from demo.scenario import EndpointScenario, Scenario

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


def metric_data(endpoint: EndpointScenario) -> Iterator[MetricDatumTypeDef]:
    """The hourly CloudWatch statistics of one endpoint."""
    dimensions: list[DimensionTypeDef] = [
        {"Name": "EndpointName", "Value": endpoint.endpoint_name},
        {"Name": "VariantName", "Value": endpoint.variant_name},
    ]
    for hour in endpoint.hours:
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


def refused_data(endpoint: EndpointScenario) -> Iterator[MetricDatumTypeDef]:
    """Scale to zero: ``NoCapacityInvocationFailures`` of the endpoint's own inference component (named after the
    endpoint, ``stacks.config.components.component_name``) in each minute a request was refused."""
    for minute, refused in endpoint.refused_by_minute:
        yield {
            "MetricName": "NoCapacityInvocationFailures",
            "Dimensions": [{"Name": "InferenceComponentName", "Value": endpoint.endpoint_name}],
            "Timestamp": minute,
            "Value": refused,
            "Unit": "Count",
        }


def put_metrics(cloudwatch: CloudWatchClient, scenario: Scenario) -> tuple[int, int]:
    """Put every endpoint's hourly statistics (and refused requests by minute); returns (data points, requests)."""
    points = requests = 0
    for endpoint in scenario.endpoints:
        batch: list[MetricDatumTypeDef] = []
        for datum in chain(metric_data(endpoint), refused_data(endpoint)):
            batch.append(datum)
            if len(batch) == DATA_POINTS_PER_REQUEST:
                cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=batch)
                points, requests, batch = points + len(batch), requests + 1, []
        if batch:
            cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=batch)
            points, requests = points + len(batch), requests + 1
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
