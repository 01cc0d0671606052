"""Calibration results in the reports bucket (``calibrations/<endpoint>/<YYYY-MM-DD>.json``, written by
``make calibrate``, schema 1): the latest one per endpoint, read bounded and validated.

Anyone who may write to the bucket can write there, so a file is data to check, not to trust: one ListObjectsV2
over ``calibrations/`` (1,000 keys a page, at most :data:`MAX_PAGES` pages), then one GetObject per endpoint of
interest (at most ``max_reads``) of at most :data:`MAX_BYTES`; a file that is too large, not JSON, not schema 1,
about another endpoint or date, or holds a figure that is not a finite number in range becomes a warning
naming its key, never a crash, and the endpoint is reported without its curves.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.common.paging import PagingError, paginate
from lambdas.common.retry import describe_error
from lambdas.cost_reporter.models import Calibration, CurvePoint, Issue

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ListObjectsV2RequestTypeDef

PREFIX = "calibrations/"
MAX_PAGES = 20
#: A calibration result of the contract is a few kB per load level; 1 MiB bounds any honest one.
MAX_BYTES = 1024 * 1024
MAX_LEVELS = 500
#: Latencies and objectives above an hour are not measurements of an interactive endpoint.
MAX_SECONDS = 3600.0
MAX_RATE = 1e7
SIDES = ("inf2", "baseline")


class InvalidCalibrationError(ValueError):
    """A calibration file that does not follow the contract."""


def latest_keys(s3: S3Client, bucket: str, names: Iterable[str]) -> dict[str, str]:
    """The key of the latest ``<YYYY-MM-DD>.json`` under ``calibrations/<name>/`` for each of ``names`` that has
    one (keys of other shapes are ignored). Raises PagingError past :data:`MAX_PAGES` pages."""
    wanted = set(names)
    latest: dict[str, tuple[date, str]] = {}
    request: ListObjectsV2RequestTypeDef = {"Bucket": bucket, "Prefix": PREFIX}
    pages = paginate(
        s3.list_objects_v2,
        request,
        page_param="ContinuationToken",
        page_field="NextContinuationToken",
        what="S3 ListObjectsV2 calibrations/",
        max_pages=MAX_PAGES,
    )
    for page in pages:
        for item in page.get("Contents", []):
            parts = item["Key"][len(PREFIX) :].split("/")
            if len(parts) != 2 or parts[0] not in wanted or not parts[1].endswith(".json"):
                continue
            try:
                day = date.fromisoformat(parts[1][: -len(".json")])
            except ValueError:
                continue
            if parts[0] not in latest or day > latest[parts[0]][0]:
                latest[parts[0]] = (day, item["Key"])
    return {name: key for name, (_, key) in latest.items()}


def _number(value: Any, what: str, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidCalibrationError(f"{what} is not a number")
    if not 0 <= value <= high:
        raise InvalidCalibrationError(f"{what} {value!r} is outside 0..{high:g}")
    return float(value)


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidCalibrationError(f"{what} is not an object")
    return value


def _level(raw: Any, where: str) -> CurvePoint | None:
    level = _object(raw, where)
    ttft, itl = _object(level.get("ttft_s"), f"{where}.ttft_s"), _object(level.get("itl_s"), f"{where}.itl_s")
    if ttft.get("p90") is None or itl.get("p90") is None:
        return None  # a level where no request succeeded has no percentiles: not a point of the curve
    meets = level.get("meets_objective")
    if not isinstance(meets, bool):
        raise InvalidCalibrationError(f"{where}.meets_objective is not true or false")
    return CurvePoint(
        offered_rps=_number(level.get("offered_rps"), f"{where}.offered_rps", MAX_RATE),
        achieved_rps=_number(level.get("achieved_rps"), f"{where}.achieved_rps", MAX_RATE),
        output_tokens_per_s=_number(
            level.get("output_tokens_per_s"), f"{where}.output_tokens_per_s", MAX_RATE
        ),
        ttft_p90_s=_number(ttft["p90"], f"{where}.ttft_s.p90", MAX_SECONDS),
        itl_p90_s=_number(itl["p90"], f"{where}.itl_s.p90", MAX_SECONDS),
        meets_objective=meets,
    )


def _refuse_constant(name: str) -> None:
    raise InvalidCalibrationError(f"{name} is not a number JSON allows")


def parse(body: bytes, key: str, endpoint_name: str) -> Calibration:
    """Validate one calibration file of ``endpoint_name`` stored at ``key``; raises InvalidCalibrationError."""
    if len(body) > MAX_BYTES:
        raise InvalidCalibrationError(f"larger than {MAX_BYTES} bytes")
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidCalibrationError(f"not JSON ({type(exc).__name__})") from None
    document = _object(document, "the file")
    if document.get("schema_version") != 1:
        raise InvalidCalibrationError(f"schema_version {str(document.get('schema_version'))[:20]!r} is not 1")
    if document.get("endpoint_name") != endpoint_name:
        raise InvalidCalibrationError(f"endpoint_name is not {endpoint_name!r}")
    day = key.rsplit("/", 1)[-1][: -len(".json")]
    if document.get("date") != day:
        raise InvalidCalibrationError(f"date is not {day} (its key)")
    objective = _object(document.get("objective"), "objective")
    ratio = document.get("capacity_ratio")
    types = _object(document.get("instance_types", {}), "instance_types")
    sides = _object(document.get("sides"), "sides")
    curves: dict[str, tuple[CurvePoint, ...]] = {}
    for side in SIDES:
        levels = _object(sides.get(side), f"sides.{side}").get("levels")
        if not isinstance(levels, list) or len(levels) > MAX_LEVELS:
            raise InvalidCalibrationError(f"sides.{side}.levels is not a list of at most {MAX_LEVELS}")
        points = [_level(level, f"sides.{side}.levels[{i}]") for i, level in enumerate(levels)]
        curves[side] = tuple(point for point in points if point is not None)
    return Calibration(
        key=key,
        measured_on=date.fromisoformat(day),
        objective_ttft_p90_s=_number(objective.get("ttft_p90_s"), "objective.ttft_p90_s", MAX_SECONDS),
        objective_itl_p90_s=_number(objective.get("itl_p90_s"), "objective.itl_p90_s", MAX_SECONDS),
        capacity_ratio=None if ratio is None else _number(ratio, "capacity_ratio", 100.0),
        instance_types={str(k)[:40]: str(v)[:40] for k, v in list(types.items())[:2] if k in SIDES},
        sides=curves,
    )


def read_latest(
    s3: S3Client, bucket: str, names: Iterable[str], *, max_reads: int
) -> tuple[dict[str, Calibration], list[Issue]]:
    """The latest valid calibration of each of ``names`` (in order; at most ``max_reads`` files read), and
    warnings for files refused or not read. A failed listing is one warning: the report goes on without."""
    ordered = list(dict.fromkeys(names))
    warnings: list[Issue] = []
    try:
        keys = latest_keys(s3, bucket, ordered)
    except (ClientError, BotoCoreError, PagingError) as exc:
        return {}, [Issue(f"calibration results not listed (s3://{bucket}/{PREFIX}): {describe_error(exc)}")]
    found: dict[str, Calibration] = {}
    wanted = [name for name in ordered if name in keys]
    for name in wanted[max_reads:]:
        warnings.append(
            Issue(f"calibration {keys[name]} not read: at most {max_reads} are read per report", name)
        )
    for name in wanted[:max_reads]:
        key = keys[name]
        try:
            answer = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{MAX_BYTES}")
            body = answer["Body"].read(MAX_BYTES + 1)
            found[name] = parse(body, key, name)
        except InvalidCalibrationError as exc:
            warnings.append(Issue(f"calibration s3://{bucket}/{key} refused: {exc}", name))
        except (ClientError, BotoCoreError) as exc:
            warnings.append(Issue(f"calibration s3://{bucket}/{key} not read: {describe_error(exc)}", name))
    return found, warnings
