"""Pure: what one run samples, as CloudWatch ``MetricDatum`` items, and their split into PutMetricData calls.

PutMetricData limits (CloudWatch API reference, PutMetricData, checked 2026-11-29): "Each PutMetricData request is
limited to 1 MB in size for HTTP POST requests" and "no more than 1000 different metrics"; up to 30 dimensions per
metric, dimension values 1-1024 characters (botocore's model of MetricData/Dimension). A batch is cut at
:data:`MAX_DATA_PER_CALL` items or when its size, estimated as the query protocol would encode it (the largest of
the protocols botocore may use for CloudWatch: query, JSON, CBOR), would pass :data:`MAX_REQUEST_BYTES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final
from urllib.parse import quote

from lambdas.common import capacity

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import MetricDatumTypeDef

#: PutMetricData: at most 1,000 metrics per call and 1 MB per request (API reference).
MAX_DATA_PER_CALL: Final = 1000
MAX_REQUEST_BYTES: Final = 1_000_000
#: Room kept for the request's own fields (Action, Version, Namespace) and the HTTP framing.
_REQUEST_OVERHEAD_BYTES: Final = 1_000


@dataclass(frozen=True)
class VariantSample:
    """One production variant's instances at the sample time (``CurrentInstanceCount``, 0 when absent)."""

    endpoint_name: str
    variant_name: str
    instances: int


@dataclass(frozen=True)
class ComponentSample:
    """One inference component's copies at the sample time and the Inferentia2 chips each copy holds."""

    endpoint_name: str
    component_name: str
    copies: int
    chips_per_copy: int

    @property
    def chips(self) -> int:
        """Accelerator devices (chips) its copies hold: copies x chips per copy."""
        return self.copies * self.chips_per_copy


class BadScheduledTimeError(ValueError):
    """The event's ``scheduled_time`` is not an ISO 8601 time."""


def sample_time(scheduled_time: str | None, now: datetime) -> datetime:
    """The samples' timestamp: the schedule's time (``<aws.scheduler.scheduled-time>``, e.g.
    ``2026-11-29T01:35:00Z``) or, for an invocation without one, ``now``; truncated to the minute, UTC.

    The scheduled time, not the clock, so a run that starts late or is delivered again by the scheduler stamps
    the minute it stands for.
    """
    moment = now
    if scheduled_time is not None:
        try:
            moment = datetime.fromisoformat(scheduled_time.strip().replace("Z", "+00:00"))
        except ValueError:
            raise BadScheduledTimeError(
                f"scheduled_time {scheduled_time[:40]!r} is not an ISO 8601 time (e.g. 2026-11-29T01:35:00Z)"
            ) from None
        if moment.tzinfo is None:
            raise BadScheduledTimeError(f"scheduled_time {scheduled_time[:40]!r} has no time zone")
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _datum(name: str, dimensions: Sequence[tuple[str, str]], value: int, at: datetime) -> MetricDatumTypeDef:
    return {
        "MetricName": name,
        "Dimensions": [{"Name": key, "Value": val} for key, val in dimensions],
        "Timestamp": at,
        "Value": float(value),
        "Unit": capacity.UNIT,
        "StorageResolution": capacity.STORAGE_RESOLUTION_S,
    }


def metric_data(
    variants: Iterable[VariantSample], components: Iterable[ComponentSample], at: datetime
) -> list[MetricDatumTypeDef]:
    """Every sample of a run, zeros included: ``InstanceCount`` per variant, ``CopyCount`` and
    ``AcceleratorDevicesAllocated`` per component (dimensions in the contract's order)."""
    data: list[MetricDatumTypeDef] = []
    for variant in variants:
        dimensions = list(
            zip(capacity.ENDPOINT_DIMENSIONS, (variant.endpoint_name, variant.variant_name), strict=True)
        )
        data.append(_datum(capacity.INSTANCE_COUNT, dimensions, variant.instances, at))
    for component in components:
        dimensions = list(
            zip(
                capacity.COMPONENT_DIMENSIONS,
                (component.endpoint_name, component.component_name),
                strict=True,
            )
        )
        data.append(_datum(capacity.COPY_COUNT, dimensions, component.copies, at))
        data.append(_datum(capacity.ACCELERATOR_DEVICES_ALLOCATED, dimensions, component.chips, at))
    return data


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def encoded_size(datum: MetricDatumTypeDef) -> int:
    """Bytes of ``datum`` in a query-protocol request at member index 1000 (an upper bound of its encodings)."""
    prefix = "MetricData.member.1000."
    fields = [
        ("MetricName", datum["MetricName"]),
        ("Timestamp", _iso(datum.get("Timestamp", ""))),
        ("Value", repr(datum.get("Value", 0.0))),
        ("Unit", str(datum.get("Unit", ""))),
        ("StorageResolution", str(datum.get("StorageResolution", ""))),
    ]
    for index, dimension in enumerate(datum.get("Dimensions", []), start=1):
        fields.append((f"Dimensions.member.{index}.Name", dimension["Name"]))
        fields.append((f"Dimensions.member.{index}.Value", dimension["Value"]))
    # key=value& per field, percent-encoded as a form body is.
    return sum(len(prefix) + len(key) + len(quote(value, safe="")) + 2 for key, value in fields)


def batches(data: Sequence[MetricDatumTypeDef]) -> list[list[MetricDatumTypeDef]]:
    """``data`` cut into PutMetricData calls within the per-call item and size limits, in order."""
    calls: list[list[MetricDatumTypeDef]] = []
    current: list[MetricDatumTypeDef] = []
    size = _REQUEST_OVERHEAD_BYTES
    for datum in data:
        datum_size = encoded_size(datum)
        if current and (len(current) == MAX_DATA_PER_CALL or size + datum_size > MAX_REQUEST_BYTES):
            calls.append(current)
            current, size = [], _REQUEST_OVERHEAD_BYTES
        current.append(datum)
        size += datum_size
    if current:
        calls.append(current)
    return calls
