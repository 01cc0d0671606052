"""Pure parts of the recorder: the samples of a run, their timestamp, and their PutMetricData batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lambdas.capacity_recorder.series import (
    MAX_DATA_PER_CALL,
    MAX_REQUEST_BYTES,
    BadScheduledTimeError,
    ComponentSample,
    VariantSample,
    batches,
    encoded_size,
    metric_data,
    sample_time,
)

NOW = datetime(2026, 11, 29, 1, 37, 42, 123456, tzinfo=UTC)


def test_every_series_gets_its_sample_zeros_included_with_the_contract_dimensions() -> None:
    at = datetime(2026, 11, 29, 1, 35, tzinfo=UTC)
    data = metric_data(
        [VariantSample("demo-a", "AllTraffic", 0)], [ComponentSample("demo-b", "demo-b-chat", 3, 2)], at
    )
    assert [(d["MetricName"], d["Value"]) for d in data] == [
        ("InstanceCount", 0.0),
        ("CopyCount", 3.0),
        ("AcceleratorDevicesAllocated", 6.0),
    ]
    assert data[0]["Dimensions"] == [
        {"Name": "EndpointName", "Value": "demo-a"},
        {"Name": "VariantName", "Value": "AllTraffic"},
    ]
    assert data[2]["Dimensions"] == [
        {"Name": "EndpointName", "Value": "demo-b"},
        {"Name": "InferenceComponentName", "Value": "demo-b-chat"},
    ]
    for datum in data:
        assert (datum["Timestamp"], datum["Unit"], datum["StorageResolution"]) == (at, "Count", 60)


@pytest.mark.parametrize(
    ("scheduled", "expected"),
    [
        ("2026-11-29T01:35:00Z", datetime(2026, 11, 29, 1, 35, tzinfo=UTC)),
        ("2026-11-29T01:35:59Z", datetime(2026, 11, 29, 1, 35, tzinfo=UTC)),
        ("2026-11-29T02:35:10+01:00", datetime(2026, 11, 29, 1, 35, tzinfo=UTC)),
        (None, datetime(2026, 11, 29, 1, 37, tzinfo=UTC)),
    ],
)
def test_the_sample_time_is_the_scheduled_minute_in_utc(scheduled: str | None, expected: datetime) -> None:
    assert sample_time(scheduled, NOW) == expected


def test_now_from_another_zone_is_stamped_in_utc() -> None:
    assert sample_time(None, NOW.astimezone(timezone(timedelta(hours=5)))) == datetime(
        2026, 11, 29, 1, 37, tzinfo=UTC
    )


@pytest.mark.parametrize("bad", ["<aws.scheduler.scheduled-time>", "2026-11-29T01:35:00", "yesterday"])
def test_a_bad_scheduled_time_is_refused_with_its_value(bad: str) -> None:
    with pytest.raises(BadScheduledTimeError, match="scheduled_time"):
        sample_time(bad, NOW)


def test_batches_stop_at_1000_metrics() -> None:
    variants = [VariantSample(f"demo-{i}", "AllTraffic", 1) for i in range(2500)]
    calls = batches(metric_data(variants, [], NOW))
    assert [len(c) for c in calls] == [MAX_DATA_PER_CALL, MAX_DATA_PER_CALL, 500]


def test_batches_stop_before_one_megabyte() -> None:
    # Dimension values up to 1,024 characters (CloudWatch's limit); percent-encoded, each sample is ~6 KB.
    long = "%" * 1024
    components = [ComponentSample(long, f"{long[:-4]}{i:04}", 1, 1) for i in range(400)]
    data = metric_data([], components, NOW)
    calls = batches(data)
    assert len(calls) > 1
    assert sum(len(c) for c in calls) == len(data)
    for call in calls:
        assert sum(encoded_size(d) for d in call) < MAX_REQUEST_BYTES
    assert [d for c in calls for d in c] == data
