"""The demo scenario: deterministic traffic, the deployed autoscaling replayed on it, usage per day and hour."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from demo.scenario import Scenario, build_scenario, latency_seconds, scaling_settings
from demo.traffic import TrafficProfile, concurrency_per_minute, diurnal_level, requests_per_minute
from stacks.config import Config, parse_config

OCTOBER = (date(2026, 10, 1), date(2026, 11, 1))
#: A config of the tests' own (not the user's infersave.yaml): one endpoint with off-hours, one without,
#: one large model; all on TGI (optimum-neuron 0.0.28) at sizes its Neuron cache lists, so the synth check passes.
RAW_CONFIG = {
    "project": "sim",
    "env": {"region": "us-east-1"},
    "endpoints": [
        {
            "name": "small",
            "model_id": "Qwen/Qwen2.5-7B-Instruct",
            "parameters_billion": 7.62,
            "container": {"preset": "hf-tgi-neuron"},
            "instance_type": "ml.inf2.xlarge",
            "batch_size": 4,
            "instances": {"initial": 2, "min": 2, "max": 4},
            "off_hours": {
                "scale_down_cron": "cron(0 20 ? * MON-FRI *)",
                "scale_up_cron": "cron(0 7 ? * MON-FRI *)",
                "time_zone": "Europe/Berlin",
                "min_capacity": 1,
            },
        },
        {
            "name": "always-on",
            "model_id": "Qwen/Qwen2.5-7B-Instruct",
            "parameters_billion": 7.62,
            "container": {"preset": "hf-tgi-neuron"},
            "instance_type": "ml.inf2.xlarge",
            "batch_size": 8,
            "instances": {"initial": 1, "min": 1, "max": 2},
        },
        {
            "name": "large",
            "model_id": "Qwen/Qwen2.5-72B-Instruct",
            "parameters_billion": 72.7,
            "container": {"preset": "hf-tgi-neuron"},
            "instance_type": "ml.inf2.48xlarge",
            "tensor_parallel_degree": 24,
            "instances": {"initial": 1, "min": 1, "max": 2},
            "baseline": {"instance_type": "ml.g5.48xlarge"},
        },
    ],
}


@pytest.fixture(scope="module")
def config() -> Config:
    return parse_config(RAW_CONFIG, source="test config")


@pytest.fixture(scope="module")
def scenario(config: Config) -> Scenario:
    return build_scenario(config, *OCTOBER)


def test_the_same_seed_gives_the_same_month(config: Config, scenario: Scenario) -> None:
    again = build_scenario(config, *OCTOBER)
    assert [e.hours for e in again.endpoints] == [e.hours for e in scenario.endpoints]
    other = build_scenario(config, *OCTOBER, seed="another")
    assert [e.invocations for e in other.endpoints] != [e.invocations for e in scenario.endpoints]


def test_every_endpoint_of_the_config_is_simulated_with_its_deployed_settings(
    config: Config, scenario: Scenario
) -> None:
    assert [e.endpoint_name for e in scenario.endpoints] == [
        config.endpoint_name(e) for e in config.endpoints
    ]
    for endpoint, simulated in zip(config.endpoints, scenario.endpoints, strict=True):
        assert simulated.settings.target == endpoint.tracking_target
        assert simulated.settings.min_capacity == endpoint.instances.min
        assert simulated.settings.max_capacity == endpoint.instances.max
        assert len(simulated.settings.scheduled_actions) == (2 if endpoint.off_hours else 0)
        assert simulated.settings == scaling_settings(endpoint)


def test_usage_covers_the_month_in_utc_days_and_hours(scenario: Scenario) -> None:
    for endpoint in scenario.endpoints:
        assert [d.day for d in endpoint.days] == [date(2026, 10, day) for day in range(1, 32)]
        assert len(endpoint.hours) == 31 * 24
        assert endpoint.hours[0].start == datetime(2026, 10, 1, tzinfo=UTC)
        assert sum(h.instance_minutes for h in endpoint.hours) == endpoint.instance_minutes
        assert sum(h.invocations for h in endpoint.hours) == endpoint.invocations > 0


def test_instance_hours_stay_between_the_floor_and_max(config: Config, scenario: Scenario) -> None:
    month_hours = 31 * 24
    for endpoint, simulated in zip(config.endpoints, scenario.endpoints, strict=True):
        floor = endpoint.off_hours.min_capacity if endpoint.off_hours else endpoint.instances.min
        assert floor * month_hours <= simulated.instance_hours <= endpoint.instances.max * month_hours
        assert simulated.instance_hours == Decimal(simulated.instance_minutes) / 60


def test_off_hours_endpoint_runs_fewer_instances_at_night_than_at_noon(scenario: Scenario) -> None:
    small = next(e for e in scenario.endpoints if e.endpoint_name == "sim-small")
    berlin = ZoneInfo("Europe/Berlin")
    weekday = [h for h in small.hours if h.start.astimezone(berlin).isoweekday() <= 5]
    noon = [h.instance_minutes / 60 for h in weekday if h.start.astimezone(berlin).hour == 12]
    night = [h.instance_minutes / 60 for h in weekday if h.start.astimezone(berlin).hour == 3]
    assert min(noon) >= 2  # business-hours floor
    assert sum(night) / len(night) < sum(noon) / len(noon)
    assert min(night) == 1  # the off-hours floor


def test_latency_assumption(config: Config) -> None:
    by_name = {e.name: latency_seconds(e) for e in config.endpoints}
    assert by_name["small"] == pytest.approx(200 / 35)  # at or below 8B: the published 35 tokens/s
    assert by_name["large"] == pytest.approx(200 / (35 * (8 / 72.7) ** 0.5))


def test_diurnal_curve_peaks_in_the_afternoon_and_is_quiet_at_night_and_weekends() -> None:
    profile = TrafficProfile(peak_concurrency=10)
    assert diurnal_level(datetime(2026, 10, 21, 14, 0, tzinfo=UTC), profile) == pytest.approx(1.0)
    assert diurnal_level(datetime(2026, 10, 21, 3, 0, tzinfo=UTC), profile) == pytest.approx(0.05)
    assert diurnal_level(datetime(2026, 10, 24, 14, 0, tzinfo=UTC), profile) == pytest.approx(
        0.05 + 0.95 * 0.3
    )


def test_requests_follow_littles_law_without_losing_requests() -> None:
    concurrency = concurrency_per_minute(
        TrafficProfile(peak_concurrency=8), datetime(2026, 10, 1, tzinfo=UTC), 1440, random.Random(1)
    )
    requests = requests_per_minute(concurrency, latency_s=6.0)
    assert sum(requests) == round(sum(c * 10 for c in concurrency))  # 60 s / 6 s = 10 requests per slot
    assert min(requests) >= 0
