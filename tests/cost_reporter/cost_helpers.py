"""Seeding and measuring helpers of the cost reporter tests (moto data, call counters)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import requests

from lambdas.cost_reporter.dal.clients import Clients
from lambdas.cost_reporter.logic import savings
from lambdas.cost_reporter.models import EndpointDay, EndpointLine, Issue, Report, ReportPeriod

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


def sample_days(
    hours: Decimal, actual: Decimal, baseline: Decimal | None, invocations: int | None
) -> tuple[EndpointDay, ...]:
    """October 2026 day by day: weekdays carry twice a weekend day's share; the last day takes the remainder,
    so the days sum exactly to the month."""
    first = date(2026, 10, 1)
    weights = [2 if (first + timedelta(days=i)).weekday() < 5 else 1 for i in range(31)]
    days: list[EndpointDay] = []
    spent = [Decimal(0), Decimal(0), Decimal(0), 0]
    for i, weight in enumerate(weights):
        share = Decimal(weight) / sum(weights)
        last = i == len(weights) - 1
        h = hours - spent[0] if last else (hours * share).quantize(Decimal("0.01"))
        a = actual - spent[1] if last else (actual * share).quantize(Decimal("0.01"))
        b = (
            None
            if baseline is None
            else baseline - spent[2]
            if last
            else (baseline * share).quantize(Decimal("0.01"))
        )
        n = None if invocations is None else invocations - spent[3] if last else int(invocations * share)
        spent = [spent[0] + h, spent[1] + a, spent[2] + (b or 0), spent[3] + (n or 0)]
        days.append(EndpointDay(first + timedelta(days=i), h, a, b, n))
    return tuple(days)


def sample_line(
    name: str, hours: str, actual: str, baseline: str | None, invocations: int | None
) -> EndpointLine:
    """A hand-made endpoint line (figures as strings, baseline None: price unknown), with its days."""
    base = None if baseline is None else Decimal(baseline)
    saved = None if base is None else base - Decimal(actual)
    return EndpointLine(
        endpoint_name=name,
        instance_type="ml.inf2.xlarge",
        instance_hours=Decimal(hours),
        actual_cost=Decimal(actual),
        other_cost=Decimal(0),
        baseline_instance_type="ml.g5.2xlarge",
        capacity_ratio=Decimal(1),
        baseline_hourly_price=None if base is None else Decimal("1.515"),
        price_source=None if base is None else "catalog:2026-10",
        baseline_cost=base,
        savings=saved,
        savings_pct=None if saved is None or not base else savings.percent_of(saved, base),
        invocations=invocations,
        cost_per_1k_invocations=savings.per_thousand(Decimal(actual), invocations),
        baseline_cost_per_1k_invocations=savings.per_thousand(base, invocations),
        daily=sample_days(Decimal(hours), Decimal(actual), base, invocations),
    )


def sample_report(lines: list[EndpointLine] | None = None, partial: bool = False) -> Report:
    """A small report without AWS: a cheap endpoint, a busy one, an idle one, one whose baseline is unknown."""
    if lines is None:
        lines = [
            sample_line("chat", "744", "563.21", "1127.16", 1_250_000),
            sample_line("summarise", "1488", "1126.42", "2254.32", 3_900_000),
            sample_line("idle-embeddings", "744", "563.21", "1127.16", 1_200),
            sample_line("legacy", "100", "300.00", "250.00", 90_000),
            sample_line("no-price", "10", "7.57", None, None),
        ]
    return Report(
        period=ReportPeriod(date(2026, 10, 1), date(2026, 11, 1), "previous_month"),
        currency="USD",
        cost_metric="UnblendedCost",
        cost_filter="SERVICE = Amazon SageMaker and tag infersave:project = infersave",
        endpoints=lines,
        untagged_cost=Decimal("12.5"),
        totals=savings.totals(lines),
        warnings=[Issue("no Invocations metric in CloudWatch: cost per 1,000 requests unknown", "no-price")],
        errors=[Issue("no on-demand price for baseline ml.g5.2xlarge in us-east-1", "no-price")],
        non_usage_cost={"Credit": Decimal("-50")},
        partial=partial,
    )


def calibration_document(
    endpoint: str, day: str, *, ttft: float = 2.0, itl: float = 0.1, ratio: float | None = 1.42
) -> dict[str, Any]:
    """A calibration result of the contract (schema 1), two levels per side."""

    def level(rps: float, tokens: float, p90_ttft: float, p90_itl: float, meets: bool) -> dict[str, Any]:
        quantiles = {"p50": p90_ttft / 2, "p90": p90_ttft, "p99": p90_ttft * 2}
        return {
            "offered_rps": rps,
            "concurrency": None,
            "repeat": 1,
            "requests": 100,
            "errors": 0,
            "achieved_rps": rps * 0.98,
            "output_tokens_per_s": tokens,
            "ttft_s": quantiles,
            "itl_s": {"p50": p90_itl / 2, "p90": p90_itl, "p99": p90_itl * 2},
            "e2e_s": quantiles,
            "meets_objective": meets,
        }

    return {
        "schema_version": 1,
        "endpoint_name": endpoint,
        "date": day,
        "model_id": "Qwen/Qwen2.5-7B-Instruct",
        "images": {"inf2": "inf2-image", "baseline": "gpu-image"},
        "instance_types": {"inf2": "ml.inf2.xlarge", "baseline": "ml.g5.2xlarge"},
        "objective": {"ttft_p90_s": ttft, "itl_p90_s": itl},
        "request_mix": {
            "source": "azure",
            "sha256": "0" * 64,
            "requests": 200,
            "mean_input_tokens": 1000.0,
            "mean_output_tokens": 250.0,
        },
        "sides": {
            "inf2": {
                "instance_type": "ml.inf2.xlarge",
                "levels": [level(1, 250, 0.5, 0.03, True), level(4, 900, 3.0, 0.2, False)],
                "best": {
                    "requests_per_s": 1.0,
                    "output_tokens_per_s": 250,
                    "spread": {"min": 0.9, "max": 1.1},
                },
            },
            "baseline": {
                "instance_type": "ml.g5.2xlarge",
                "levels": [level(0.5, 120, 0.4, 0.02, True), level(2, 480, 2.5, 0.15, False)],
                "best": {
                    "requests_per_s": 0.7,
                    "output_tokens_per_s": 170,
                    "spread": {"min": 0.6, "max": 0.8},
                },
            },
        },
        "capacity_ratio": ratio,
        "capacity_ratio_low": None if ratio is None else ratio - 0.1,
        "capacity_ratio_high": None if ratio is None else ratio + 0.1,
        "method": "open loop",
        "notes": [],
    }
