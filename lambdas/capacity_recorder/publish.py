"""PutMetricData of a run's samples into ``infersave/Capacity``, in batches within the API's limits
(:func:`lambdas.capacity_recorder.series.batches`). A failed batch does not stop the others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.capacity_recorder.reads import Problem
from lambdas.capacity_recorder.series import batches
from lambdas.common import capacity
from lambdas.common.retry import call_with_backoff, describe_error

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDatumTypeDef


@dataclass
class Written:
    """Samples written, PutMetricData calls made, and the calls that failed."""

    samples: int = 0
    calls: int = 0
    problems: list[Problem] = field(default_factory=list)


def put_samples(cloudwatch: CloudWatchClient, data: Sequence[MetricDatumTypeDef]) -> Written:
    """Write ``data`` to the capacity namespace; each call retried on throttling, failures collected."""
    written = Written()
    for index, batch in enumerate(batches(data), start=1):
        written.calls += 1
        try:
            call_with_backoff(
                partial(cloudwatch.put_metric_data, Namespace=capacity.NAMESPACE, MetricData=batch)
            )
        except (ClientError, BotoCoreError) as exc:
            written.problems.append(
                Problem(f"PutMetricData call {index} ({len(batch)} samples)", describe_error(exc))
            )
        else:
            written.samples += len(batch)
    return written
