"""Seeding and measuring helpers of the cost reporter tests (moto data, call counters)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import requests

from lambdas.cost_reporter.dal.clients import Clients

REGION = "us-east-1"
ACCOUNT = "123456789012"
CE_QUEUE_URL = "http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results"
BUCKET = "infersave-reports-test"
TOPIC = "infersave-cost-summary"
OCT_5 = datetime(2025, 10, 5, 12, tzinfo=UTC)


def price_list_item(instance_type: str, usd_per_hour: str) -> str:
    """A Price List ``PriceList`` entry (a JSON string) as GetProducts returns it."""
    return json.dumps(
        {
            "product": {"attributes": {"instanceName": instance_type, "component": "Hosting"}},
            "terms": {
                "OnDemand": {
                    "T1": {"priceDimensions": {"D1": {"unit": "Hrs", "pricePerUnit": {"USD": usd_per_hour}}}}
                }
            },
        }
    )


def create_endpoint(name: str, tags: dict[str, str], instance_type: str = "ml.inf2.xlarge") -> str:
    """Create a SageMaker endpoint (model, config, endpoint) with ``tags``; returns its ARN."""
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/sagemaker",
        PrimaryContainer={"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/serve:1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{name}-model",
                "InitialInstanceCount": 1,
                "InstanceType": instance_type,
            }
        ],
    )
    arn = sm.create_endpoint(
        EndpointName=name,
        EndpointConfigName=f"{name}-config",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )["EndpointArn"]
    return arn


def create_endpoints(tags_by_name: dict[str, dict[str, str]]) -> None:
    """Create many endpoints sharing one model and config (fast seeding for scale tests)."""
    sm = boto3.client("sagemaker", region_name=REGION)
    names = list(tags_by_name)
    create_endpoint(names[0], tags_by_name[names[0]])
    for name in names[1:]:
        sm.create_endpoint(
            EndpointName=name,
            EndpointConfigName=f"{names[0]}-config",
            Tags=[{"Key": k, "Value": v} for k, v in tags_by_name[name].items()],
        )


def full_tags(name: str, baseline: str = "ml.g5.2xlarge", ratio: str = "1.0") -> dict[str, str]:
    """Every infersave tag, as the endpoint stack writes them."""
    return {
        "infersave:project": "demo",
        "infersave:endpoint": name,
        "infersave:baseline-instance-type": baseline,
        "infersave:baseline-capacity-ratio": ratio,
    }


def ce_group(
    endpoint: str, usage_type: str, cost: str, quantity: str, metric: str = "UnblendedCost"
) -> dict[str, Any]:
    """One Cost Explorer group of the report's query (keys: tag, usage type)."""
    return {
        "Keys": [f"infersave:endpoint${endpoint}", usage_type],
        "Metrics": {
            metric: {"Amount": cost, "Unit": "USD"},
            "UsageQuantity": {"Amount": quantity, "Unit": "Hrs"},
        },
    }


def ce_page(
    groups: list[dict[str, Any]],
    next_token: str | None = None,
    start: str = "2025-10-01",
    end: str = "2025-11-01",
    estimated: bool = False,
) -> dict[str, Any]:
    """A get_cost_and_usage answer (one page)."""
    page: dict[str, Any] = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": start, "End": end},
                "Total": {},
                "Groups": groups,
                "Estimated": estimated,
            }
        ],
        "DimensionValueAttributes": [],
    }
    if next_token:
        page["NextPageToken"] = next_token
    return page


def queue_cost_results(*pages: dict[str, Any]) -> None:
    """Queue get_cost_and_usage answers in moto, in request order (a NextPageToken makes a new request)."""
    answer = requests.post(CE_QUEUE_URL, json={"results": list(pages)}, timeout=5)
    assert answer.status_code == 201


def put_invocations(endpoint: str, count: float, when: datetime, variant: str = "AllTraffic") -> None:
    """Publish an ``AWS/SageMaker`` ``Invocations`` data point (moto accepts the AWS namespace)."""
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [
                    {"Name": "EndpointName", "Value": endpoint},
                    {"Name": "VariantName", "Value": variant},
                ],
                "Value": count,
                "Timestamp": when,
                "Unit": "None",
            }
        ],
    )


def put_invocations_bulk(counts: dict[str, float], when: datetime) -> None:
    """Publish one ``Invocations`` data point per endpoint (variant AllTraffic), 1,000 per call."""
    data: list[Any] = [
        {
            "MetricName": "Invocations",
            "Dimensions": [
                {"Name": "EndpointName", "Value": name},
                {"Name": "VariantName", "Value": "AllTraffic"},
            ],
            "Value": count,
            "Timestamp": when,
        }
        for name, count in counts.items()
    ]
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    for i in range(0, len(data), 1000):
        cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=data[i : i + 1000])


@dataclass
class CallCounter:
    """API calls made through boto3, counted with botocore's ``before-call`` event."""

    calls: dict[str, int]

    def __call__(self, event_name: str, **_kwargs: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        key = f"{service}.{operation}"
        self.calls[key] = self.calls.get(key, 0) + 1

    def service_total(self, service: str) -> int:
        """Calls to one service (botocore service id, e.g. ``cost-explorer``)."""
        return sum(n for key, n in self.calls.items() if key.startswith(f"{service}."))


def count_calls(clients: Clients) -> CallCounter:
    """Count every call the reporter's clients make from now on."""
    counter = CallCounter(calls={})
    for client in (clients.tagging, clients.ce, clients.cloudwatch, clients.pricing, clients.s3, clients.sns):
        client.meta.events.register("before-call", counter)
    return counter


def capture_requests(client: Any, operation: str) -> list[dict[str, Any]]:
    """The parameters of every ``operation`` call ``client`` makes from now on."""
    seen: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_kwargs: Any) -> None:
        seen.append(params)

    client.meta.events.register(f"provide-client-params.*.{operation}", record)
    return seen
