"""One recording run: list the project's endpoints, read their capacity, write the samples.

Bounded: at most ``Settings.max_endpoints`` endpoints (by name, so every run picks the same ones) are described;
the rest are counted in :attr:`Run.over_cap` for the handler to log and count. Nothing is raised for a single
endpoint or batch: problems are collected in :attr:`Run.problems` and the handler fails the run at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import boto3

from lambdas.capacity_recorder.publish import put_samples
from lambdas.capacity_recorder.reads import Problem, read_capacity
from lambdas.capacity_recorder.series import metric_data
from lambdas.capacity_recorder.settings import Settings
from lambdas.common.aws import client_config, list_tagged_endpoints

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_sagemaker import SageMakerClient

_USER_AGENT = "infersave-capacity-recorder"


@dataclass(frozen=True)
class Clients:
    """The clients of a run (region and endpoints from boto3's normal resolution, ``AWS_ENDPOINT_URL`` included)."""

    tagging: ResourceGroupsTaggingAPIClient
    sagemaker: SageMakerClient
    cloudwatch: CloudWatchClient


def make_clients(session: boto3.session.Session | None = None) -> Clients:
    """Clients with retries: adaptive mode (client-side rate limiting once throttled) for the reads."""
    session = session or boto3.session.Session()
    reads = client_config(_USER_AGENT, adaptive=True, max_attempts=6)
    return Clients(
        tagging=session.client("resourcegroupstaggingapi", config=reads),
        sagemaker=session.client("sagemaker", config=reads),
        cloudwatch=session.client("cloudwatch", config=client_config(_USER_AGENT)),
    )


@dataclass
class Run:
    """What a run did. ``problems``: what it could not read or write (the run must fail);
    ``skipped``: listing entries that are not endpoint ARNs; ``gone``: listed but deleted since."""

    at: datetime
    endpoints_listed: int = 0
    endpoints_recorded: int = 0
    over_cap: list[str] = field(default_factory=list)
    variants: int = 0
    components: int = 0
    samples_written: int = 0
    put_calls: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The handler's JSON answer."""
        return {
            "sample_time": self.at.isoformat(),
            "endpoints_listed": self.endpoints_listed,
            "endpoints_recorded": self.endpoints_recorded,
            "endpoints_over_cap": len(self.over_cap),
            "variants": self.variants,
            "components": self.components,
            "samples_written": self.samples_written,
            "put_metric_data_calls": self.put_calls,
            "problems": [str(p) for p in self.problems],
            "gone": self.gone,
        }


def record(clients: Clients, settings: Settings, at: datetime) -> Run:
    """Sample every endpoint of the project (up to the cap) at ``at`` and write the samples.

    Raises only when the endpoints cannot be listed (ClientError, BotoCoreError, PagingError): then nothing can
    be recorded.
    """
    endpoints, skipped = list_tagged_endpoints(clients.tagging, settings.project_name)
    endpoints = sorted(endpoints, key=lambda e: e.arn_name)
    run = Run(at=at, endpoints_listed=len(endpoints), skipped=skipped)
    recorded, run.over_cap = (
        endpoints[: settings.max_endpoints],
        [e.name for e in endpoints[settings.max_endpoints :]],
    )
    run.endpoints_recorded = len(recorded)
    reading = read_capacity(clients.sagemaker, recorded)
    run.variants, run.components = len(reading.variants), len(reading.components)
    run.problems += reading.problems
    run.gone = reading.gone
    written = put_samples(clients.cloudwatch, metric_data(reading.variants, reading.components, at))
    run.samples_written, run.put_calls = written.samples, written.calls
    run.problems += written.problems
    return run
