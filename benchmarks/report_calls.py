"""AWS calls, wall time and peak memory of one cost report, against moto, for 10, 100 and 1,000 endpoints.

Not a test: ``python -m benchmarks.report_calls [N ...]``. Every endpoint is already tagged (the steady
state the issue's target is about: at most 3 Cost Explorer requests and 60 AWS calls for 1,000 endpoints),
has two usage types on the bill each day (hosting and storage; DAILY, so 62 groups a month; 1,000 groups per
Cost Explorer page, an assumption: AWS does not document the page size, so 1,000 endpoints take 62 pages) and
one ``Invocations`` series and one ``InstanceCount`` capacity series. Calls are counted with botocore's ``before-call``
event on the reporter's own clients (seeding is not counted); the report is written to S3 and announced on
SNS as the Lambda does. Wall time comes from a first run; peak memory (tracemalloc, Python allocations
only) from a second run on the same data, because tracemalloc slows the run down.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import requests
from moto import mock_aws

import emulator
from emulator.inprocess import not_implemented_as_http
from lambdas.cost_reporter.dal.clients import Clients, make_clients
from lambdas.cost_reporter.dal.pricing import PriceBook
from lambdas.cost_reporter.logic.service import deliver_report, run_report
from lambdas.cost_reporter.models import ReportPeriod
from lambdas.cost_reporter.settings import load_settings

REGION = "us-east-1"
ACCOUNT = "123456789012"
PERIOD = ReportPeriod(date(2025, 10, 1), date(2025, 11, 1), "custom")
GROUPS_PER_PAGE = 1000
SIZES = (10, 100, 1000)


def _seed(n: int) -> str:
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_model(
        ModelName="m", ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", PrimaryContainer={"Image": "i"}
    )
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "m",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.inf2.xlarge",
            }
        ],
    )
    names = [f"ep-{i:04d}" for i in range(n)]
    for name in names:
        tags = {
            "infersave:project": "bench",
            "infersave:endpoint": name,
            "infersave:baseline-instance-type": "ml.g5.2xlarge",
            "infersave:baseline-capacity-ratio": "1.0",
        }
        sm.create_endpoint(
            EndpointName=name, EndpointConfigName="c", Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
        )
    data: list[Any] = [
        {
            "MetricName": "Invocations",
            "Dimensions": [
                {"Name": "EndpointName", "Value": name},
                {"Name": "VariantName", "Value": "AllTraffic"},
            ],
            "Value": 1000 + i,
            "Timestamp": datetime(2025, 10, 5, tzinfo=UTC),
        }
        for i, name in enumerate(names)
    ]
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    for i in range(0, len(data), 1000):
        cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=data[i : i + 1000])
    # The capacity recorder's InstanceCount (contract "Capacity series"): one sample per endpoint, so the
    # report lists and reads the series (Average and SampleCount) of every endpoint.
    capacity: list[Any] = [
        {
            "MetricName": "InstanceCount",
            "Dimensions": [
                {"Name": "EndpointName", "Value": name},
                {"Name": "VariantName", "Value": "AllTraffic"},
            ],
            "Value": 1,
            "Unit": "Count",
            "Timestamp": datetime(2025, 10, 5, tzinfo=UTC),
        }
        for name in names
    ]
    for i in range(0, len(capacity), 1000):
        cloudwatch.put_metric_data(Namespace="infersave/Capacity", MetricData=capacity[i : i + 1000])
    # The DAILY answer: a ResultsByTime entry per day, a group per endpoint and usage type and day (the
    # month's 712.80 / 3.20 and 720 / 30 h spread evenly), GROUPS_PER_PAGE groups a page.
    entries: list[tuple[str, dict[str, Any]]] = []
    for day in range(1, 32):
        start = f"2025-10-{day:02d}"
        for name in names:
            for usage_type, cost, hours in (
                ("Host:ml.inf2.xlarge", "22.99354839", "23.22580645"),
                ("Host:VolumeUsage.gp2", "0.10322581", "0.96774194"),
            ):
                metrics = {
                    "UnblendedCost": {"Amount": cost, "Unit": "USD"},
                    "UsageQuantity": {"Amount": hours, "Unit": "Hrs"},
                }
                entries.append(
                    (
                        start,
                        {"Keys": [f"infersave:endpoint${name}", f"USE1-{usage_type}"], "Metrics": metrics},
                    )
                )
    pages = []
    for i in range(0, len(entries), GROUPS_PER_PAGE):
        results: list[dict[str, Any]] = []
        for start, group in entries[i : i + GROUPS_PER_PAGE]:
            if not results or results[-1]["TimePeriod"]["Start"] != start:
                end = date.fromisoformat(start) + timedelta(days=1)
                results.append({"TimePeriod": {"Start": start, "End": end.isoformat()}, "Groups": []})
            results[-1]["Groups"].append(group)
        page: dict[str, Any] = {"ResultsByTime": results}
        if i + GROUPS_PER_PAGE < len(entries):
            page["NextPageToken"] = f"page-{i // GROUPS_PER_PAGE + 2}"
        pages.append(page)
    requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results",
        json={"results": pages},
        timeout=30,
    )
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="bench-reports")
    return boto3.client("sns", region_name=REGION).create_topic(Name="bench")["TopicArn"]


def _count(clients: Clients) -> Counter[str]:
    calls: Counter[str] = Counter()

    def record(event_name: str, **_kwargs: Any) -> None:
        _, service, _operation = event_name.split(".", 2)
        calls[service] += 1

    for client in (
        clients.tagging, clients.ce, clients.cloudwatch, clients.pricing, clients.s3, clients.sns, clients.sts
    ):  # fmt: skip
        client.meta.events.register("before-call", record)
    return calls


def _run(topic_arn: str) -> tuple[Counter[str], int]:
    settings = load_settings(
        {
            "PROJECT_NAME": "bench",
            "REPORTS_BUCKET": "bench-reports",
            "REPORT_LINK_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/bench-link",
        },
        require_outputs=False,
    )
    clients = make_clients(settings.pricing_region)
    calls = _count(clients)
    report = run_report(clients, settings, PERIOD, PriceBook.from_client(clients.pricing))
    deliver_report(clients, "bench-reports", topic_arn, report, settings.report_link_role_arn)
    return calls, len(report.endpoints)


def measure(n: int) -> dict[str, Any]:
    """Seed ``n`` endpoints in a fresh moto account and measure one report run."""
    with mock_aws(), not_implemented_as_http():
        emulator.install()
        topic_arn = _seed(n)
        started = time.perf_counter()
        calls, reported = _run(topic_arn)
        wall_s = time.perf_counter() - started
        tracemalloc.start()
        _run(topic_arn)
        _, peak_bytes = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert reported == n, f"reported {reported} of {n} endpoints"
    return {"n": n, "calls": calls, "wall_s": wall_s, "peak_mib": peak_bytes / 2**20}


def main(argv: list[str]) -> int:
    """Print the figures for each size."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        os.environ[name] = value
    os.environ.pop("AWS_ENDPOINT_URL", None)
    sizes = [int(arg) for arg in argv] or list(SIZES)
    rows = [measure(n) for n in sizes]
    services = sorted({service for row in rows for service in row["calls"]})
    header = ["endpoints", *services, "total calls", "wall s", "peak MiB"]
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for row in rows:
        cells = [str(row["n"]), *(str(row["calls"].get(s, 0)) for s in services)]
        cells += [str(sum(row["calls"].values())), f"{row['wall_s']:.2f}", f"{row['peak_mib']:.1f}"]
        print(" | ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
