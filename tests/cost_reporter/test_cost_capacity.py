"""Idle from the capacity recording and the split of a shared endpoint per inference component (report schema 4).

The recorder's series are put into moto's CloudWatch by hand here (it accepts past timestamps), as the
contract "Capacity series" describes them: a sample every 5 minutes, 0 samples at zero.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from cost_helpers import (
    ACCOUNT,
    REGION,
    ce_group,
    ce_page,
    create_endpoint,
    full_tags,
    put_invocations,
    queue_cost_results,
    sample_report,
)

from lambdas.cost_reporter.dal.clients import Clients
from lambdas.cost_reporter.dal.pricing import PriceBook
from lambdas.cost_reporter.logic import capacity, components, render, service
from lambdas.cost_reporter.logic.savings import endpoint_line, with_idle
from lambdas.cost_reporter.models import (
    Baseline,
    CapacitySample,
    DayUsage,
    EndpointLine,
    EndpointUsage,
    PriceQuote,
    ReportPeriod,
)
from lambdas.cost_reporter.settings import Settings

DAY = date(2025, 10, 1)
MIDNIGHT = datetime(2025, 10, 1, tzinfo=UTC)
ONE_DAY = ReportPeriod(DAY, DAY + timedelta(days=1), "custom")


def hour(h: int) -> datetime:
    return MIDNIGHT + timedelta(hours=h)


def shared_line(baseline_known: bool = True) -> EndpointLine:
    """README's example endpoint: one ml.inf2.24xlarge for 24 h at USD 7.79/h = 186.96, baseline
    ml.g5.12xlarge at USD 7.09/h x 1.0 = 170.16."""
    usage = EndpointUsage(
        instance_hours=Decimal(24),
        instance_cost=Decimal("186.96"),
        days={DAY: DayUsage(instance_hours=Decimal(24), instance_cost=Decimal("186.96"))},
        hours_by_instance_type={"ml.inf2.24xlarge": Decimal(24)},
    )
    price = PriceQuote(Decimal("7.09"), "catalog:test") if baseline_known else None
    return endpoint_line("shared", usage, Baseline("ml.g5.12xlarge", Decimal(1), price), {DAY: 13_500})


def chips(value: int, hours: Iterable[int]) -> dict[datetime, Decimal]:
    return {hour(h): Decimal(value) for h in hours}


def test_readme_example_two_components_and_unallocated_over_one_day_to_the_cent() -> None:
    # chat holds 4 of the 6 chips all day (96 chip-hours), small 2 chips for 10 hours (20): 116 of 144
    line = shared_line()
    entries = components.split(
        line,
        6,
        {"chat": chips(4, range(24)), "small": chips(2, range(8, 18)) | chips(0, range(18, 24))},
        {"chat": {hour(h): 500 for h in range(24)}, "small": {hour(h): 150 for h in range(8, 18)}},
    )
    assert [(e.name, e.chip_hours) for e in entries] == [
        ("chat", Decimal(96)),
        ("small", Decimal(20)),
        (components.UNALLOCATED, Decimal(28)),
    ]
    assert sum((e.cost for e in entries), Decimal(0)) == line.actual_cost == Decimal("186.96")
    assert sum((e.baseline_cost or Decimal(0) for e in entries), Decimal(0)) == line.baseline_cost

    documents = render.component_documents(dataclasses.replace(line, components=entries))
    assert [
        (d["name"], d["share"], d["cost"], d["baseline_cost"], d["invocations"], d["cost_per_1k_invocations"])
        for d in documents
    ] == [
        ("chat", 0.6667, 124.64, 113.44, 12_000, 10.3867),
        ("small", 0.1389, 25.96, 23.63, 1_500, 17.3111),
        ("(unallocated)", 0.1944, 36.36, 33.09, None, None),
    ]
    assert sum(Decimal(str(d["cost"])) for d in documents) == Decimal("186.96")
    assert sum(Decimal(str(d["baseline_cost"])) for d in documents) == Decimal("170.16")


def test_components_above_the_capacity_are_scaled_down_and_nothing_is_unallocated() -> None:
    # sampling: 5 + 3 chips recorded on a 6-chip instance all day -> scaled by 6/8
    line = shared_line(baseline_known=False)
    entries = components.split(line, 6, {"a": chips(5, range(24)), "b": chips(3, range(24))}, {})
    assert [(e.name, e.chip_hours, e.cost, e.baseline_cost, e.invocations) for e in entries] == [
        ("a", Decimal(90), Decimal("116.85"), None, None),
        ("b", Decimal(54), Decimal("70.11"), None, None),
        (components.UNALLOCATED, Decimal(0), Decimal(0), None, None),
    ]
    assert components.split(line, 6, {}, {}) == ()


def test_hours_the_recorder_missed_hold_no_chips_so_their_cost_is_unallocated() -> None:
    line = shared_line()
    entries = components.split(line, 6, {"chat": chips(6, range(12))}, {})  # nothing recorded after noon
    assert [(e.name, e.cost) for e in entries] == [
        ("chat", Decimal("93.48")),
        ("(unallocated)", Decimal("93.48")),
    ]


def test_coverage_counts_samples_over_the_hours_of_billed_days() -> None:
    samples = {hour(h): CapacitySample(Decimal(1), 12) for h in range(21)} | {
        hour(21): CapacitySample(Decimal(1), 13)  # two runs in one 5-minute slot: counts 12
    }
    billed = {DAY: Decimal(24), DAY + timedelta(days=1): Decimal(0)}  # the second day billed nothing
    assert capacity.coverage(billed, samples) == Decimal(22 * 12) / Decimal(24 * 12)
    assert capacity.is_recorded(capacity.coverage(billed, samples))  # 91.7 %
    assert not capacity.is_recorded(Decimal("0.8999"))
    assert capacity.coverage({DAY: Decimal(0)}, samples) == 0


def test_a_day_is_reconciled_with_its_bill() -> None:
    recorded = {hour(h): CapacitySample(Decimal(2), 12) for h in range(22)}  # 44 recorded, 2 hours missing
    # the bill says 46: the two unrecorded hours share the remaining 2
    day = capacity.reconciled_day(Decimal(46), DAY, recorded)
    assert (day[hour(0)], day[hour(22)], day[hour(23)]) == (Decimal(2), Decimal(1), Decimal(1))
    # the bill says 33: the recording is scaled by 33/44, unrecorded hours hold nothing
    day = capacity.reconciled_day(Decimal(33), DAY, recorded)
    assert (day[hour(0)], day[hour(23)], sum(day.values())) == (Decimal("1.5"), Decimal(0), Decimal(33))
    # billed, but every hour recorded at zero: the spread
    zeros = {hour(h): CapacitySample(Decimal(0), 12) for h in range(24)}
    assert set(capacity.reconciled_day(Decimal(12), DAY, zeros).values()) == {Decimal("0.5")}
    # a negative sample (no recorder writes one) counts as 0, never below
    negative = zeros | {hour(3): CapacitySample(Decimal(-5), 12), hour(4): CapacitySample(Decimal(2), 12)}
    day = capacity.reconciled_day(Decimal(1), DAY, negative)
    assert (day[hour(3)], day[hour(4)], sum(day.values())) == (Decimal(0), Decimal(1), Decimal(1))


def test_recorded_idle_counts_only_the_hours_instances_ran_without_requests() -> None:
    usage = EndpointUsage(
        instance_hours=Decimal(4),
        instance_cost=Decimal("3.96"),
        days={DAY: DayUsage(instance_hours=Decimal(4), instance_cost=Decimal("3.96"))},
    )
    line = endpoint_line("dev", usage, Baseline("ml.g5.2xlarge", Decimal(1), None), {DAY: 20})
    recording = {hour(h): CapacitySample(Decimal(1 if 9 <= h <= 12 else 0), 12) for h in range(24)}
    invocations = {hour(9): 10, hour(10): 10}
    recorded = with_idle(line, invocations, [DAY], scaled_to_zero=True, recording=recording)
    assert (recorded.idle_source, recorded.capacity_coverage) == ("recorded", Decimal(1))
    assert (recorded.idle_instance_hours, recorded.idle_cost, recorded.hours_at_zero) == (
        Decimal(2),
        Decimal("1.98"),
        20,
    )
    spread = with_idle(line, invocations, [DAY], scaled_to_zero=True)
    assert (spread.idle_source, spread.capacity_coverage) == ("spread", Decimal(0))
    assert round(spread.idle_instance_hours, 6) == Decimal("3.666667")  # 4 / 24 x 22 hours: the upper bound
    assert render.idle_words(recorded) == "50.00% recorded, 20 h at 0"


def put_capacity(points: list[tuple[str, dict[str, str], datetime, float]]) -> None:
    """PutMetricData of ``(metric, dimensions, time, value)`` in ``infersave/Capacity``, 1,000 a call."""
    data: list[Any] = [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Timestamp": when,
            "Value": value,
            "Unit": "Count",
            "StorageResolution": 60,
        }
        for metric, dims, when, value in points
    ]
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    for i in range(0, len(data), 1000):
        cloudwatch.put_metric_data(Namespace="infersave/Capacity", MetricData=data[i : i + 1000])


def put_component_invocations(component: str, per_hour: dict[int, int]) -> None:
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "InferenceComponentName", "Value": component}],
                "Timestamp": hour(h) + timedelta(minutes=30),
                "Value": count,
            }
            for h, count in per_hour.items()
        ],
    )


def samples(hours: Iterable[int] = range(24)) -> list[datetime]:
    """The recorder's run times (every 5 minutes) in ``hours`` of the day."""
    return [hour(h) + timedelta(minutes=m) for h in hours for m in range(0, 60, 5)]


def create_component_endpoint(name: str, components: dict[str, tuple[str, int]]) -> None:
    """An inference-component endpoint (ml.inf2.24xlarge, the variant names no model) with one component per
    ``components`` entry (name -> (model id, chips)), tagged as the stack tags them."""
    sm = boto3.client("sagemaker", region_name=REGION)
    role = f"arn:aws:iam::{ACCOUNT}:role/sagemaker"
    sm.create_model(ModelName=f"{name}-model", ExecutionRoleArn=role, PrimaryContainer={"Image": "x"})
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ExecutionRoleArn=role,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "InstanceType": "ml.inf2.24xlarge",
                "InitialInstanceCount": 1,
                "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 1},
            }
        ],
    )
    tags = full_tags(name, baseline="ml.g5.12xlarge")
    sm.create_endpoint(
        EndpointName=name,
        EndpointConfigName=f"{name}-config",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )
    for component, (model_id, devices) in components.items():
        sm.create_inference_component(
            InferenceComponentName=component,
            EndpointName=name,
            VariantName="AllTraffic",
            Specification={
                "ModelName": f"{name}-model",
                "ComputeResourceRequirements": {
                    "NumberOfAcceleratorDevicesRequired": devices,
                    "MinMemoryRequiredInMb": 1024,
                },
            },
            RuntimeConfig={"CopyCount": 1},
            Tags=[
                {"Key": "infersave:project", "Value": "demo"},
                {"Key": "infersave:endpoint", "Value": name},
                {"Key": "infersave:model-id", "Value": model_id},
            ],
        )


def seed_day() -> None:
    """README's shared endpoint, a scale-to-zero endpoint recorded all day, one recorded half the day."""
    create_component_endpoint(
        "shared", {"shared": ("Qwen/Qwen3-8B", 4), "shared-small": ("Qwen/Qwen3-1.7B", 2)}
    )
    create_endpoint("dev", full_tags("dev"))
    create_endpoint("sparse", full_tags("sparse"))
    queue_cost_results(
        ce_page(
            [
                ce_group("shared", "USE1-Host:ml.inf2.24xlarge", "186.96", "24"),
                ce_group("dev", "USE1-Host:ml.inf2.xlarge", "3.96", "4"),
                ce_group("sparse", "USE1-Host:ml.inf2.xlarge", "23.76", "24"),
            ],
            start="2025-10-01",
            end="2025-10-02",
        )
    )
    variant = {"VariantName": "AllTraffic"}
    points = [("InstanceCount", {"EndpointName": "shared", **variant}, t, 1.0) for t in samples()]
    points += [
        ("InstanceCount", {"EndpointName": "dev", **variant}, t, 1.0 if 9 <= t.hour <= 12 else 0.0)
        for t in samples()
    ]
    points += [("InstanceCount", {"EndpointName": "sparse", **variant}, t, 1.0) for t in samples(range(12))]
    chat = {"EndpointName": "shared", "InferenceComponentName": "shared"}
    small = {"EndpointName": "shared", "InferenceComponentName": "shared-small"}
    points += [("AcceleratorDevicesAllocated", chat, t, 4.0) for t in samples()]
    points += [("AcceleratorDevicesAllocated", small, t, 2.0 if 8 <= t.hour < 18 else 0.0) for t in samples()]
    points += [("CopyCount", chat, t, 1.0) for t in samples()]  # written by the recorder, not needed here
    put_capacity(points)
    # An inference-component endpoint: per-component invocations only (no variant series, icops-facts.md).
    put_component_invocations("shared", dict.fromkeys(range(24), 500))
    put_component_invocations("shared-small", dict.fromkeys(range(8, 18), 150))
    for h in (9, 10):
        put_invocations("dev", 10, hour(h) + timedelta(minutes=5))
    for h in range(8, 20):
        put_invocations("sparse", 10, hour(h) + timedelta(minutes=5))


def test_the_report_reads_the_recording_and_splits_the_shared_endpoint(
    clients: Clients, settings: Settings, catalog_prices: PriceBook
) -> None:
    seed_day()

    report = service.run_report(clients, settings, ONE_DAY, catalog_prices)

    assert not report.partial and not report.errors
    lines = {line.endpoint_name: line for line in report.endpoints}
    document = json.loads(render.render_json(report))
    assert document["schema_version"] == 4
    endpoints = {e["endpoint_name"]: e for e in document["endpoints"]}
    # dev scaled to zero: recorded, idle = its 2 hours up without a request (spread would say 3.67)
    assert (endpoints["dev"]["idle_source"], endpoints["dev"]["capacity_coverage"]) == ("recorded", 1.0)
    assert (endpoints["dev"]["idle_instance_hours"], endpoints["dev"]["idle_cost"]) == (2.0, 1.98)
    # sparse: half the day recorded, below 90 %: the old spread, 12 idle hours of 24 x 1 instance
    assert (endpoints["sparse"]["idle_source"], endpoints["sparse"]["capacity_coverage"]) == (
        "spread",
        0.5,
    )
    assert endpoints["sparse"]["idle_instance_hours"] == 12.0
    assert endpoints["sparse"]["components"] == endpoints["dev"]["components"] == []
    # shared: invocations from its components, busy every hour, and README's split to the cent
    assert (lines["shared"].invocations, lines["shared"].idle_instance_hours) == (13_500, Decimal(0))
    assert [
        (c["name"], c["model_id"], c["cost"], c["baseline_cost"], c["invocations"])
        for c in endpoints["shared"]["components"]
    ] == [
        ("shared", "Qwen/Qwen3-8B", 124.64, 113.44, 12_000),
        ("shared-small", "Qwen/Qwen3-1.7B", 25.96, 23.63, 1_500),
        ("(unallocated)", None, 36.36, 33.09, None),
    ]
    rows = list(csv.DictReader(io.StringIO(service.render_files(report)["components.csv"])))
    assert [(r["endpoint_name"], r["name"], r["cost"]) for r in rows] == [
        ("shared", "shared", "124.64"),
        ("shared", "shared-small", "25.96"),
        ("shared", "(unallocated)", "36.36"),
    ]
    markdown = render.render_markdown(report)
    assert "## `shared` per inference component" in markdown
    assert "| (unallocated) |  | 28.00 | 19.44% | 36.36 | 33.09 | n/a | n/a |" in markdown
    assert "`shared` 100.00%" in markdown  # the coverage of the split, in the assumptions
    page = service.render_files(report)["report.html"]
    assert '<table class="components">' in page and "<code>shared</code> per inference component" in page
    _, mail = render.sns_summary(report, "s3://bucket/report.html")
    assert "Per component (USD): shared: shared 124.64, shared-small 25.96, (unallocated) 36.36" in mail


def test_the_assumptions_keep_the_upper_bound_for_the_spread_and_say_member_accounts_stay_on_it() -> None:
    report = sample_report()
    items = " ".join(render.assumptions(report))
    assert "an upper bound" in items and "at least 90 %" in items
    assert "member accounts" not in items and "Shared endpoints" not in items
    cur = " ".join(render.assumptions(dataclasses.replace(report, cost_source="cur")))
    assert "Endpoints billed in member accounts: their capacity series are written in those accounts" in cur
