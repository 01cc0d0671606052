"""One deploy per test session: the emulator started, bootstrapped, preflight-checked and the real app deployed
with ``cdk``.

The same code as ``python -m demo`` (:mod:`demo.local_aws`, :func:`demo.cli.replay_month`,
:func:`demo.cli.run_report`); the server is a child process, so moto's in-process mocks used by other tests do
not touch its state. Clients get the emulator's URL explicitly (the suite's autouse fixture removes
``AWS_ENDPOINT_URL`` around each test). The report month is pinned: the reporter runs with ``utc_today()`` =
``TODAY`` (2026-11-28), so the scheduled ``previous_month`` event reports October 2026 on any day, and the
scenario replayed is October 2026.
``INFERSAVE_E2E_CONFIG=path.yaml`` deploys another config (default: the repository's ``infersave.yaml``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest

from demo import cli, local_aws, report
from demo.cli import COST_OUTPUTS, stack_names
from demo.local_aws import DEFAULT_ACCOUNT, EmulatorProcess
from demo.scenario import Scenario
from lambdas.cost_reporter.logic.period import previous_month
from stacks.config import Config, load_config
from tests.conftest import ROOT

DEFAULT_CONFIG_PATH = ROOT / "infersave.yaml"
CONFIG_PATH = Path(os.environ.get("INFERSAVE_E2E_CONFIG", DEFAULT_CONFIG_PATH))
#: The reporter's "today" in the end-to-end run: the scheduled previous_month event then reports 2026-10.
TODAY = date(2026, 11, 28)
PERIOD = previous_month(TODAY)


@dataclass(frozen=True)
class Deployment:
    """The deployed app in a running emulator."""

    config: Config
    url: str
    region: str
    account: str
    stacks: dict[str, str]
    cost_outputs: dict[str, str]
    session: boto3.session.Session
    logs: Path
    #: The demo's preflight phase, run between ``cdk bootstrap`` and ``cdk deploy``.
    preflight: cli.PreflightRun

    def client(self, service: str) -> Any:
        """A client of ``service`` in the emulator."""
        return self.session.client(service, endpoint_url=self.url)  # type: ignore[call-overload]


@dataclass(frozen=True)
class ReportRun:
    """The scenario replayed, the report handler's answer and the downloaded report.json."""

    scenario: Scenario
    result: dict[str, Any]
    document: dict[str, Any]
    files: dict[str, Path]
    #: The SNS notifications the summary topic delivered to a queue subscribed before the run (SNS envelopes).
    summaries: list[dict[str, Any]]


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Start the emulator, ``cdk bootstrap`` + ``cdk deploy --all``; stop it (and check it is gone) at the end."""
    config = load_config(CONFIG_PATH)
    region = config.env.region or "us-east-1"
    account = config.env.account or DEFAULT_ACCOUNT
    logs = tmp_path_factory.mktemp("e2e")
    emulator = EmulatorProcess.start(logs / "emulator.log", account=account)
    try:
        env = local_aws.child_environment(local_aws.aws_environment(emulator.url, region))
        cloud_assembly = logs / "cdk.out"  # not the repository's cdk.out: make demo may run alongside
        local_aws.bootstrap(env, account, region, logs / "cdk-bootstrap.log", cloud_assembly)
        session = local_aws.session(emulator.url, region)
        preflight = cli.run_preflight(
            session, emulator.url, config, env=env, config_path=CONFIG_PATH, out_dir=logs
        )
        local_aws.deploy(env, logs / "cdk-deploy.log", cloud_assembly, CONFIG_PATH)
        cfn = session.client("cloudformation", endpoint_url=emulator.url)
        names = stack_names(config)
        local_aws.check_deployed(cfn, list(names.values()))
        yield Deployment(
            config=config,
            url=emulator.url,
            region=region,
            account=account,
            stacks=names,
            cost_outputs=local_aws.stack_outputs(cfn, names["cost"]),
            session=session,
            logs=logs,
            preflight=preflight,
        )
    finally:
        emulator.stop()
        assert emulator.process.poll() is not None


def subscribe_queue(deployment: Deployment, topic_arn: str) -> str:
    """A new SQS queue subscribed to ``topic_arn``; returns its URL."""
    sqs = deployment.client("sqs")
    queue_url: str = sqs.create_queue(QueueName="e2e-summary")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    deployment.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return queue_url


def drain_queue(deployment: Deployment, queue_url: str) -> list[dict[str, Any]]:
    """Every message in the queue, parsed (SNS envelopes: Type, TopicArn, Subject, Message, ...)."""
    sqs = deployment.client("sqs")
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        if not batch.get("Messages"):
            return messages
        for message in batch["Messages"]:
            messages.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture(scope="session")
def report_run(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    """Replay October 2026 and run the deployed reporter as its monthly schedule would, on 2026-11-28."""
    assert set(COST_OUTPUTS) <= set(deployment.cost_outputs)
    function = report.deployed_function(
        deployment.client("lambda"), deployment.cost_outputs["ReporterFunctionName"]
    )
    scenario, _ = cli.replay_month(deployment.session, deployment.url, deployment.config, function, PERIOD)
    queue_url = subscribe_queue(deployment, deployment.cost_outputs["SummaryTopicArn"])
    ran = cli.run_report(
        deployment.session,
        deployment.url,
        function,
        bucket=deployment.cost_outputs["ReportsBucketName"],
        period=PERIOD,
        out_dir=tmp_path_factory.mktemp("report"),
        today=TODAY,
    )
    return ReportRun(
        scenario=scenario,
        result=ran.result,
        document=ran.document,
        files=ran.files,
        summaries=drain_queue(deployment, queue_url),
    )
