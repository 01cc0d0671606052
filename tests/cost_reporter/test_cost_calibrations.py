"""Calibration results in the reports bucket: the latest per endpoint, read bounded; a forged or malformed file
is a warning naming its key, never a crash."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from cost_helpers import BUCKET, REGION, calibration_document

from lambdas.cost_reporter.dal import calibrations


def put(key: str, body: bytes | dict[str, Any]) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    boto3.client("s3", region_name=REGION).put_object(Bucket=BUCKET, Key=key, Body=data)


@pytest.fixture
def bucket(aws: None) -> Any:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    return s3


def test_the_latest_valid_result_of_each_endpoint_is_read(bucket: Any) -> None:
    put("calibrations/chat/2026-11-01.json", calibration_document("chat", "2026-11-01", ttft=9.0))
    put("calibrations/chat/2026-11-20.json", calibration_document("chat", "2026-11-20"))
    put("calibrations/chat/notes.txt", b"ignored")
    put("calibrations/chat/2026-11-30/deeper.json", b"ignored")
    put("calibrations/other/2026-11-25.json", calibration_document("other", "2026-11-25"))

    found, warnings = calibrations.read_latest(bucket, BUCKET, ["chat", "rag"], max_reads=40)

    assert warnings == []
    assert list(found) == ["chat"]
    chat = found["chat"]
    assert (str(chat.measured_on), chat.objective_ttft_p90_s, chat.capacity_ratio) == (
        "2026-11-20",
        2.0,
        1.42,
    )
    assert [p.output_tokens_per_s for p in chat.sides["inf2"]] == [250, 900]
    assert [p.meets_objective for p in chat.sides["baseline"]] == [True, False]


def forged(**changes: Any) -> dict[str, Any]:
    document = calibration_document("chat", "2026-11-20")
    for path, value in changes.items():
        target = document
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[leaf] = value
    return document


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'{"schema_version": 1, "x": NaN}', "NaN is not a number JSON allows"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b" " * (calibrations.MAX_BYTES + 10), "larger than"),
        (json.dumps([1, 2]).encode(), "the file is not an object"),
        (forged(schema_version=2), "schema_version '2' is not 1"),
        (forged(endpoint_name="rag"), "endpoint_name is not 'chat'"),
        (forged(date="2026-11-21"), "date is not 2026-11-20"),
        (forged(objective__ttft_p90_s=-1), "objective.ttft_p90_s -1 is outside"),
        (forged(objective__itl_p90_s="0.1"), "objective.itl_p90_s is not a number"),
        (forged(capacity_ratio=1e9), "capacity_ratio 1000000000.0 is outside"),
        (forged(sides__inf2__levels=[{}] * 501), "at most 500"),
        (forged(sides__baseline__levels__0__meets_objective="yes"), "meets_objective is not true or false"),
        (forged(sides__inf2__levels__1__ttft_s__p90=True), "ttft_s.p90 is not a number"),
        (forged(sides__inf2__levels__0__output_tokens_per_s=1e300), "output_tokens_per_s"),
        (forged(sides__baseline="x"), "sides.baseline is not an object"),
    ],
)
def test_a_forged_or_malformed_result_is_a_warning_naming_its_key(
    bucket: Any, body: Any, reason: str
) -> None:
    put("calibrations/chat/2026-11-20.json", body)

    found, warnings = calibrations.read_latest(bucket, BUCKET, ["chat"], max_reads=40)

    assert found == {}
    (warning,) = warnings
    assert warning.endpoint_name == "chat"
    assert warning.message.startswith(
        f"calibration s3://{BUCKET}/calibrations/chat/2026-11-20.json refused: "
    )
    assert reason in warning.message


def test_a_level_without_percentiles_is_not_a_point(bucket: Any) -> None:
    put("calibrations/chat/2026-11-20.json", forged(sides__inf2__levels__1__ttft_s__p90=None))

    found, _ = calibrations.read_latest(bucket, BUCKET, ["chat"], max_reads=40)

    assert len(found["chat"].sides["inf2"]) == 1


def test_reads_are_bounded_and_the_rest_named(bucket: Any) -> None:
    for name in ("a", "b", "c"):
        put(f"calibrations/{name}/2026-11-20.json", calibration_document(name, "2026-11-20"))
    gets: list[str] = []
    bucket.meta.events.register(
        "provide-client-params.s3.GetObject", lambda params, **_: gets.append(params["Key"])
    )

    found, warnings = calibrations.read_latest(bucket, BUCKET, ["c", "a", "b"], max_reads=2)

    assert list(found) == ["c", "a"] and len(gets) == 2
    assert [(w.endpoint_name, "at most 2 are read" in w.message) for w in warnings] == [("b", True)]


def test_a_bucket_that_cannot_be_listed_is_one_warning(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)

    found, warnings = calibrations.read_latest(s3, "no-such-bucket", ["chat"], max_reads=40)

    assert found == {} and len(warnings) == 1 and "calibration results not listed" in warnings[0].message
