"""infersave's own running cost (benchmarks/overhead.py) against a hand-computed month."""

from __future__ import annotations

from decimal import Decimal

from benchmarks.overhead import load_prices, monthly_overhead

D = Decimal


def test_ten_endpoints_in_one_stack_by_hand() -> None:
    overhead = monthly_overhead(10, load_prices(), top=20, stacks=1, endpoint_usd=D("722.70"))

    items = overhead.items
    # Metrics: 10 endpoints x 6 + 12 totals = 72, sent in 31 + 1 hours of 730: 72 x 32 / 730 x 0.30.
    assert items["CloudWatch custom metrics"] == D(72) * 32 / 730 * D("0.30")
    assert round(items["CloudWatch custom metrics"], 4) == D("0.9468")
    # Alarms: 10 x 4 alarm metrics + 6 function alarms (reporter, breach switch, capacity recorder) = 46 x 0.10.
    assert items["CloudWatch alarms"] == D("4.60")
    assert items["CloudWatch dashboard"] == D("3.00")
    # Keys: 1 volume key + artifacts, alerts, reports.
    assert items["KMS keys"] == D("4.00")
    # Cost Explorer: 32 reports x (7 usage pages for 10 x 2 x 31 = 620 daily groups + non-usage + activation)
    # x 0.01.
    assert items["Cost Explorer requests"] == D("2.88")
    # GetMetricData: 32 x 10 endpoints x 3 metrics (Invocations; InstanceCount Average, SampleCount) / 1,000 x 0.01.
    assert items["GetMetricData"] == D("0.0096")
    # Capacity recorder: 10 InstanceCount series + its CapacitySamplesWritten, every hour: 11 x 0.30.
    assert items["Capacity recorder metrics (a series per endpoint, 2 per component)"] == D("3.30")
    # 8,640 runs x (0.5 + 10 x 0.05) s x 0.25 GB x 0.0000133334 + 8,640 requests x 0.20 / 1M
    # + 8,640 PutMetricData calls (10 samples each) x 0.01 / 1,000 + 8,640 x 3 KB of logs x 0.50 / GB.
    runs = items["Capacity recorder runs (Lambda, PutMetricData, Logs)"]
    assert runs == D(2160) * D("0.0000133334") + D("0.001728") + D("0.0864") + D("0.01296")
    assert overhead.endpoints_usd == D("7227.00")
    total = overhead.total_usd
    assert D("18.86") < total < D("18.88")
    assert round(overhead.percent, 3) == round(100 * total / D("7227.00"), 3)


def test_per_endpoint_metrics_stop_growing_past_the_top_and_whole_months_bound_them() -> None:
    prices = load_prices()
    hundred = monthly_overhead(100, prices, top=20)
    thousand = monthly_overhead(1000, prices, top=20)

    assert hundred.items["CloudWatch custom metrics"] == thousand.items["CloudWatch custom metrics"]
    bound = monthly_overhead(1000, prices, top=20, whole_months=True)
    # (20 x 6 + 12) metrics x 2 report types, a whole month each.
    assert bound.items["CloudWatch custom metrics"] == D(132 * 2) * D("0.30")
    assert thousand.percent < 1


def test_the_recorder_pays_per_series_and_a_call_per_thousand_samples() -> None:
    prices = load_prices()
    plain = monthly_overhead(600, prices)
    shared = monthly_overhead(600, prices, components=201)
    metrics = "Capacity recorder metrics (a series per endpoint, 2 per component)"
    runs = "Capacity recorder runs (Lambda, PutMetricData, Logs)"
    # 402 more series (CopyCount and AcceleratorDevicesAllocated per component), billed a whole month each.
    assert shared.items[metrics] - plain.items[metrics] == 402 * D("0.30")
    # 600 -> 1,002 samples a run: a second PutMetricData call every run.
    assert shared.items[runs] - plain.items[runs] == D(8640) / 1000 * D("0.01")
