"""The scale-to-zero replay of ``make bench``: idle period, cold start, failed requests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from benchmarks.autoscaling_efficiency import trace_requests
from demo.cli import _scenario_summary
from demo.scenario import build_scenario
from demo.simulator import scale_to_zero
from stacks.config import load_config
from tests.conftest import ROOT


def test_idle_minutes_reach_zero_and_a_request_pays_a_cold_start() -> None:
    requests = [1, 0, 0, 0, 0, 3, 2, 0, 1, 1]
    result = scale_to_zero([2] * 10, requests, idle_minutes=3, cold_start_minutes=2)
    # idle from minute 1: zero at minute 3; request at 5 starts an instance (billed) that serves from minute 7.
    assert result.instances == [2, 2, 2, 0, 0, 1, 1, 2, 2, 2]
    assert result.cold_starts == [5]
    assert result.failed == [0, 0, 0, 0, 0, 3, 2, 0, 0, 0]


def test_the_conversation_trace_is_an_hour_of_busy_minutes() -> None:
    requests = trace_requests()
    assert 55 <= len(requests) <= 65 and sum(requests) == 19366 and min(requests) > 0


def test_the_default_configs_development_endpoint_scales_to_zero_in_the_demo_month() -> None:
    config = load_config(ROOT / "infersave.yaml")
    scenario = build_scenario(config, date(2026, 10, 1), date(2026, 11, 1))
    by_name = {e.endpoint_name: e for e in scenario.endpoints}
    dev = by_name["demo-llm-zephyr-7b"]
    assert dev.cold_starts > 0 and dev.failed_requests > 0
    assert dev.minutes_at_zero > 0 and dev.idle_hours_avoided > 0
    # Billed hours are what ran: the hours at zero are not in them.
    assert dev.instance_hours + Decimal(dev.minutes_at_zero) / 60 <= 31 * 24 * 2
    assert min(h.instance_minutes for h in dev.hours) == 0
    assert "scale to zero:" in _scenario_summary(scenario) and "cold starts" in _scenario_summary(scenario)
    assert by_name["demo-llm-qwen3-8b"].cold_starts == 0
