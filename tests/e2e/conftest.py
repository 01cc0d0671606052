"""One deploy per test session: the emulator started, bootstrapped and the real app deployed with ``cdk``.

The same code as ``python -m demo`` (:mod:`demo.local_aws`); the server is a child process, so moto's
in-process mocks used by other tests do not touch its state. Clients get the emulator's URL explicitly
(the suite's autouse fixture removes ``AWS_ENDPOINT_URL`` around each test).
``INFERSAVE_E2E_CONFIG=path.yaml`` deploys another config (default: the repository's ``infersave.yaml``).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from demo import local_aws, replay, report
from demo.cli import COST_OUTPUTS, stack_names
from demo.local_aws import DEFAULT_ACCOUNT, EmulatorProcess
from demo.scenario import Scenario, build_scenario
from lambdas.cost_reporter.logic.period import previous_month
from stacks.config import Config, load_config
from tests.conftest import ROOT

CONFIG_PATH = Path(os.environ.get("INFERSAVE_E2E_CONFIG", ROOT / "infersave.yaml"))


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
        local_aws.bootstrap(env, account, region, logs / "cdk-bootstrap.log")
        local_aws.deploy(env, logs / "cdk-deploy.log", CONFIG_PATH)
        session = local_aws.session(emulator.url, region)
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
        )
    finally:
        emulator.stop()
        assert emulator.process.poll() is not None


@pytest.fixture(scope="session")
def report_run(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    """Replay the previous month and run the deployed reporter as its monthly schedule would."""
    assert set(COST_OUTPUTS) <= set(deployment.cost_outputs)
    function = report.deployed_function(
        deployment.client("lambda"), deployment.cost_outputs["ReporterFunctionName"]
    )
    period = previous_month(datetime.now(UTC).date())
    scenario = build_scenario(deployment.config, period.start, period.end_exclusive)
    replay.replay(
        deployment.client("cloudwatch"),
        deployment.url,
        scenario,
        report.cost_query(function, period),
    )
    log = io.StringIO()
    result = report.invoke_in_process(
        function, local_aws.aws_environment(deployment.url, deployment.region), log=log
    )
    files = report.download_reports(
        deployment.client("s3"),
        deployment.cost_outputs["ReportsBucketName"],
        result["report_keys"],
        tmp_path_factory.mktemp("report"),
    )
    document = json.loads(files["report.json"].read_text(encoding="utf-8"))
    return ReportRun(scenario=scenario, result=result, document=document, files=files)
