"""The scale-to-zero replay of ``make bench``: idle period, cold start, failed requests."""

from __future__ import annotations

from benchmarks.autoscaling_efficiency import scale_to_zero, trace_requests


def test_idle_minutes_reach_zero_and_a_request_pays_a_cold_start() -> None:
    requests = [1, 0, 0, 0, 0, 3, 2, 0, 1, 1]
    instances, cold, failed = scale_to_zero([2] * 10, requests, idle_minutes=3, cold_start_minutes=2)
    # idle from minute 1: zero at minute 3; request at 5 starts an instance (billed) that serves from minute 7.
    assert instances == [2, 2, 2, 0, 0, 1, 1, 2, 2, 2]
    assert (cold, failed) == (1, 5)


def test_the_conversation_trace_is_an_hour_of_busy_minutes() -> None:
    requests = trace_requests()
    assert 55 <= len(requests) <= 65 and sum(requests) == 19366 and min(requests) > 0
