"""The replay of inference components: traffic and copies per component, instances placed for the copies, the
per-component CloudWatch metrics and the capacity series at the recorder's 5-minute sampling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws

import emulator
from demo import replay
from demo.report import replay_comparison
from demo.scenario import EndpointScenario, Scenario, build_scenario, placed_instances
from lambdas.common.catalog import load_catalog
from stacks.config import Config, parse_config

DAYS = (date(2026, 10, 5), date(2026, 10, 7))  # a Monday and a Tuesday: two days keep the tests fast
HOURS = 2 * 24
#: The tests' own config (not the user's infersave.yaml): a shared endpoint like the default config's, a
#: one-model development endpoint that scales to zero, and an instance endpoint; sizes the Neuron cache lists.
RAW_CONFIG = {
    "project": "ic",
    "env": {"region": "us-east-1"},
    "endpoints": [
        {
            "name": "shared",
            "model_id": "Qwen/Qwen3-8B",
            "parameters_billion": 8.19,
            "instance_type": "ml.inf2.24xlarge",
            "tensor_parallel_degree": 8,
            "batch_size": 32,
            "serving": "inference_component",
            "instances": {"initial": 1, "min": 1, "max": 2},
            "components": {
                "copies": {"min": 1, "max": 2},
                "models": [
                    {
                        "name": "small",
                        "model_id": "Qwen/Qwen3-1.7B",
                        "parameters_billion": 2.03,
                        "tensor_parallel_degree": 2,
                        "batch_size": 4,
                        "copies": {"min": 1, "max": 2},
                    }
                ],
            },
            "baseline": {"instance_type": "ml.g5.12xlarge"},
        },
        {
            "name": "dev",
            "model_id": "Qwen/Qwen3-8B",
            "parameters_billion": 8.19,
            "serving": "inference_component",
            "instances": {"initial": 1, "min": 0, "max": 2},
            "components": {"copies": {"min": 0, "max": 2}, "scale_to_zero": {"enabled": True}},
        },
        {"name": "plain", "model_id": "Qwen/Qwen3-8B", "parameters_billion": 8.19},
    ],
}


@pytest.fixture(scope="module")
def config() -> Config:
    return parse_config(RAW_CONFIG, source="test config")


@pytest.fixture(scope="module")
def scenario(config: Config) -> Scenario:
    return build_scenario(config, *DAYS)


def _by_name(scenario: Scenario) -> dict[str, EndpointScenario]:
    return {e.endpoint_name: e for e in scenario.endpoints}


def test_each_model_of_a_shared_endpoint_is_a_component_with_its_own_traffic_and_copies(
    scenario: Scenario,
) -> None:
    shared = _by_name(scenario)["ic-shared"]
    own, small = shared.components
    assert (own.component_name, own.model_id, own.chips_per_copy) == ("ic-shared", "Qwen/Qwen3-8B", 4)
    assert (small.component_name, small.model_id, small.chips_per_copy) == (
        "ic-shared-small",
        "Qwen/Qwen3-1.7B",
        1,
    )
    # Target tracking per copy as deployed: 75 % of each model's batch size, its own copies.min/max.
    assert (own.settings.target, own.settings.min_capacity, own.settings.max_capacity) == (24.0, 1, 2)
    assert (small.settings.target, small.settings.min_capacity, small.settings.max_capacity) == (3.0, 1, 2)
    for component in (own, small):
        assert len(component.copies_by_minute) == HOURS * 60 and len(component.hours) == HOURS
        assert min(component.copies_by_minute) >= 1 and max(component.copies_by_minute) <= 2
        assert component.invocations > 0
    assert max(small.copies_by_minute) == 2  # the small model's own peaks scale it out
    # The variant's figures are the components' together.
    assert [h.invocations for h in shared.hours] == [
        a.invocations + b.invocations for a, b in zip(own.hours, small.hours, strict=True)
    ]
    assert shared.invocations == own.invocations + small.invocations


def test_instances_are_what_packing_the_copies_needs(config: Config, scenario: Scenario) -> None:
    shared = _by_name(scenario)["ic-shared"]
    own, small = shared.components
    spec = load_catalog().instances["ml.inf2.24xlarge"]
    # 6 chips an instance: one 8B copy (4 chips) and up to two 1.7B copies (1 chip each) share one.
    assert placed_instances(spec, config.endpoints[0], [[1, 1, 2, 2], [1, 2, 2, 1]]) == [1, 1, 2, 2]
    assert list(shared.instances_by_minute) == list(own.copies_by_minute)
    assert shared.instance_minutes == sum(shared.instances_by_minute)
    # Chip-hours held by copies never exceed the instances' chips.
    capacity = shared.instance_hours * spec.chips
    assert own.chip_hours + small.chip_hours <= capacity
    assert own.chip_hours == shared.instance_hours * 4


def test_a_one_model_endpoint_that_scales_to_zero_has_its_copies_as_instances(scenario: Scenario) -> None:
    dev = _by_name(scenario)["ic-dev"]
    (component,) = dev.components
    assert component.component_name == "ic-dev" and component.chips_per_copy == 1
    assert list(dev.instances_by_minute) == list(component.copies_by_minute)
    assert dev.minutes_at_zero == sum(1 for n in dev.instances_by_minute if n == 0) > 0
    assert dev.cold_starts == component.cold_starts > 0
    assert dev.refused_by_minute == component.refused_by_minute
    assert sum(n for _, n in dev.refused_by_minute) == dev.failed_requests > 0


def test_an_instance_endpoint_has_no_components_and_its_instances_by_minute(scenario: Scenario) -> None:
    plain = _by_name(scenario)["ic-plain"]
    assert plain.components == ()
    assert len(plain.instances_by_minute) == HOURS * 60
    assert sum(plain.instances_by_minute) == plain.instance_minutes


def test_capacity_samples_of_a_hand_checked_hour() -> None:
    start = datetime(2026, 10, 5, 9, tzinfo=UTC)
    # Minutes 0-24 one instance, 25-59 two: exactly (25 + 70) / 60 = 1.5833 instance-hours.
    instances = [1] * 25 + [2] * 35
    samples = list(replay.capacity_samples(instances, start))
    assert [s[0].minute for s in samples] == list(range(0, 60, 5))
    # Samples at :00 .. :20 see 1 (5 samples), :25 .. :55 see 2 (7): Sum 5 + 14 = 19 over 12 samples.
    assert list(replay.hourly_statistics(samples)) == [(start, 12, 19, 1, 2)]
    assert Decimal(19) / 12 == Decimal(25 + 70) / 60
    # A spike between two samples is missed: the sampling error the recorder has too.
    spiky = [1] * 6 + [3] * 3 + [1] * 51
    assert list(replay.hourly_statistics(replay.capacity_samples(spiky, start))) == [(start, 12, 12, 1, 1)]


def _of(data: Iterator[Any], name: str, value: str) -> list[Any]:
    """The data of metric ``name`` whose last dimension (the component, or the variant) is ``value``."""
    return [d for d in data if d["MetricName"] == name and d["Dimensions"][-1]["Value"] == value]


def test_capacity_series_follow_the_contract(scenario: Scenario) -> None:
    by_name = _by_name(scenario)
    for endpoint in scenario.endpoints:
        data = list(replay.capacity_data(endpoint))
        instance_count = [d for d in data if d["MetricName"] == "InstanceCount"]
        assert len(instance_count) == HOURS  # every hour, zeros included
        assert instance_count[0]["Dimensions"] == [
            {"Name": "EndpointName", "Value": endpoint.endpoint_name},
            {"Name": "VariantName", "Value": "AllTraffic"},
        ]
        assert len(data) == HOURS * (1 + 2 * len(endpoint.components))
        for datum in data:
            assert datum["StatisticValues"]["SampleCount"] == 12
            assert (datum["Unit"], datum["StorageResolution"]) == ("Count", 60)
            assert datum["Timestamp"].minute == 0
    dev = by_name["ic-dev"]
    at_zero = [d for d in replay.capacity_data(dev) if d["StatisticValues"]["Maximum"] == 0]
    assert at_zero  # a series at zero still has its samples
    small = by_name["ic-shared"].components[1]
    copies = _of(replay.capacity_data(by_name["ic-shared"]), "CopyCount", small.component_name)
    chips = _of(
        replay.capacity_data(by_name["ic-shared"]), "AcceleratorDevicesAllocated", small.component_name
    )
    assert copies[0]["Dimensions"] == [
        {"Name": "EndpointName", "Value": "ic-shared"},
        {"Name": "InferenceComponentName", "Value": "ic-shared-small"},
    ]
    # The small model's copies take one chip each.
    assert [c["StatisticValues"] for c in copies] == [c["StatisticValues"] for c in chips]
    own = by_name["ic-shared"].components[0]
    own_chips = _of(replay.capacity_data(by_name["ic-shared"]), "AcceleratorDevicesAllocated", "ic-shared")
    own_copies = _of(replay.capacity_data(by_name["ic-shared"]), "CopyCount", own.component_name)
    assert [c["StatisticValues"]["Sum"] for c in own_chips] == [
        4 * c["StatisticValues"]["Sum"] for c in own_copies
    ]
    # Each hour's statistics are its 12 five-minute samples of the replay's copies.
    hour = 14
    window = small.copies_by_minute[hour * 60 : (hour + 1) * 60 : 5]
    assert copies[hour]["Timestamp"] == datetime(2026, 10, 5, 14, tzinfo=UTC)
    assert copies[hour]["StatisticValues"] == {
        "SampleCount": 12, "Sum": sum(window), "Minimum": min(window), "Maximum": max(window),
    }  # fmt: skip


def test_per_component_metrics_have_only_the_component_dimension(scenario: Scenario) -> None:
    shared = _by_name(scenario)["ic-shared"]
    for component in shared.components:
        data = list(replay.component_data(component))
        assert {d["MetricName"] for d in data} == {"Invocations", "ModelLatency"}  # no errors, no cold starts
        assert all(
            d["Dimensions"] == [{"Name": "InferenceComponentName", "Value": component.component_name}]
            for d in data
        )
        invocations = [d for d in data if d["MetricName"] == "Invocations"]
        assert len(invocations) == HOURS
        assert sum(d["StatisticValues"]["Sum"] for d in invocations) == component.invocations
    dev = _by_name(scenario)["ic-dev"]
    refused = [
        d
        for d in replay.component_data(dev.components[0])
        if d["MetricName"] == "NoCapacityInvocationFailures"
    ]
    assert sum(d["Value"] for d in refused) == dev.failed_requests
    assert _by_name(scenario)["ic-plain"].components == ()


@pytest.fixture
def cloudwatch() -> Iterator[Any]:
    emulator.install()
    with mock_aws():
        yield boto3.client("cloudwatch", region_name="us-east-1")


def test_the_replayed_series_read_back_hourly_as_the_report_reads_them(
    scenario: Scenario, cloudwatch: Any
) -> None:
    points, requests = replay.put_metrics(cloudwatch, scenario)
    per_endpoint = [4 * HOURS, 2 * 2 * HOURS, 3 * HOURS]  # variant series; components; capacity (below)
    assert points >= sum(per_endpoint) and requests >= 2 * len(scenario.endpoints)
    shared = _by_name(scenario)["ic-shared"]

    def hourly(namespace: str, name: str, dimensions: dict[str, str], stat: str) -> list[float]:
        answer = cloudwatch.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "q",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": namespace,
                            "MetricName": name,
                            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                        },
                        "Period": 3600,
                        "Stat": stat,
                    },
                }
            ],
            StartTime=datetime(2026, 10, 5, tzinfo=UTC),
            EndTime=datetime(2026, 10, 5, tzinfo=UTC) + timedelta(hours=HOURS),
            ScanBy="TimestampAscending",
        )
        values: list[float] = answer["MetricDataResults"][0]["Values"]
        return values

    variant = {"EndpointName": "ic-shared", "VariantName": "AllTraffic"}
    average = hourly("infersave/Capacity", "InstanceCount", variant, "Average")
    coverage = hourly("infersave/Capacity", "InstanceCount", variant, "SampleCount")
    assert coverage == [12.0] * HOURS  # every hour fully recorded
    # Average x 1 h = the hour's instance-hours as sampled; within sampling error of the replay's exact ones.
    assert sum(average) == pytest.approx(float(shared.instance_hours), rel=0.02)
    for component in shared.components:
        invocations = hourly(
            "AWS/SageMaker", "Invocations", {"InferenceComponentName": component.component_name}, "Sum"
        )
        assert invocations == [float(h.invocations) for h in component.hours]
        chips = hourly(
            "infersave/Capacity",
            "AcceleratorDevicesAllocated",
            {"EndpointName": "ic-shared", "InferenceComponentName": component.component_name},
            "Average",
        )
        assert sum(chips) == pytest.approx(float(component.chip_hours), rel=0.02)
    # No variant-level invocation series on an inference-component endpoint (AWS documents none there); the
    # endpoint's requests are its components'.
    assert hourly("AWS/SageMaker", "Invocations", variant, "Sum") == []
    assert sum(sum(h.invocations for h in c.hours) for c in shared.components) == shared.invocations


def test_the_demo_prints_the_replays_chip_hours_next_to_the_reports_split(scenario: Scenario) -> None:
    schema_3 = {
        "schema_version": 3,
        "endpoints": [{"endpoint_name": e.endpoint_name} for e in scenario.endpoints],
    }
    text = replay_comparison(schema_3, scenario)
    assert "ic-shared: the replay's chip-hours and requests per inference component (report schema 3" in text
    assert "ic-shared-small" in text and "(unallocated)" in text
    assert "ic-dev: idle instance-hours: report n/a, replay " in text
    assert "ic-plain" not in text
    shared = _by_name(scenario)["ic-shared"]
    entry = {"name": "ic-shared-small", "model_id": "Qwen/Qwen3-1.7B", "chip_hours": "12.5", "share": "0.25",
             "cost": "97.375", "invocations": 1234}  # fmt: skip
    schema_4 = {
        "schema_version": 4,
        "endpoints": [{"endpoint_name": "ic-shared", "components": [entry]}, {"endpoint_name": "ic-dev",
                      "idle_instance_hours": "1.5", "idle_source": "recorded", "capacity_coverage": "0.99"}],
    }  # fmt: skip
    text = replay_comparison(schema_4, scenario)
    row = next(line for line in text.splitlines() if "ic-shared-small" in line).split()
    small = shared.components[1]
    assert row == ["ic-shared-small", "Qwen/Qwen3-1.7B", "12.50", f"{small.chip_hours:,.2f}", "25.00%", "97.38",
                   "1,234", f"{small.invocations:,}"]  # fmt: skip
    assert "ic-dev: idle instance-hours: report 1.50 (recorded, coverage 0.9900), replay " in text
