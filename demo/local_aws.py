"""The local AWS: the emulator's moto server as a child process, its environment, and the real CDK CLI.

The server runs as ``python -m emulator.server`` in its own process group (so a Ctrl-C in the terminal
reaches the demo, which then stops it in order) with its output in a log file; its URL is the first line it
prints (``http://localhost:PORT``, a free loopback port chosen by the OS). :meth:`EmulatorProcess.stop` sends
SIGTERM, waits, kills if it must, and checks the process is gone and the port closed.

The CDK CLI is the project's pinned one (``npx --no-install cdk``), run with dummy credentials,
``AWS_ENDPOINT_URL`` pointing at the emulator and the offline settings. Deploys use the CLI's default
change-set method, as against a real account (the emulator makes moto refresh outputs and exports after a
change set runs).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import boto3

from ops.preflight_aws import read_quotas
from ops.preflight_checks import endpoint_quota_name, instance_needs
from stacks.config import Config

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ACCOUNT = "123456789012"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
OFFLINE_CDK = {
    "CDK_DISABLE_VERSION_CHECK": "1",
    "CDK_DISABLE_CLI_TELEMETRY": "1",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}
#: Variables that could point a child at a real account: removed from the children's environment.
REAL_AWS_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
             "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
             "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")  # fmt: skip
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


class LocalAwsError(RuntimeError):
    """The emulator or the CDK CLI failed; the message says which and where its log is."""


def aws_environment(endpoint_url: str, region: str) -> dict[str, str]:
    """Variables that point boto3 and the CDK CLI at the emulator with dummy credentials, offline."""
    return {
        **DUMMY_CREDENTIALS,
        **OFFLINE_CDK,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without real-account settings, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in REAL_AWS_VARIABLES and not k.startswith("AWS_ENDPOINT_URL_")
    }
    env.update(extra)
    return env


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_url(process: subprocess.Popen[bytes], log_path: Path, deadline: float) -> str | None:
    """The URL the server printed first in its log, or None if it exited or the deadline passed first."""
    while time.monotonic() < deadline:
        for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("http://localhost:"):
                return line.strip()
        if process.poll() is not None:
            return None
        time.sleep(0.05)
    return None


@dataclass
class EmulatorProcess:
    """A running ``python -m emulator.server``; use :meth:`start`, then :meth:`stop` (idempotent)."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path
    account: str
    _log: IO[bytes] = field(repr=False)

    @property
    def port(self) -> int:
        """The loopback TCP port the server listens on."""
        return int(self.url.rsplit(":", 1)[1])

    @classmethod
    def start(cls, log_path: Path, account: str = DEFAULT_ACCOUNT) -> EmulatorProcess:
        """Start the server on a free loopback port and wait until it printed its URL."""
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("wb")
        env = child_environment({**DUMMY_CREDENTIALS, "MOTO_ACCOUNT_ID": account, "PYTHONUNBUFFERED": "1"})
        process = subprocess.Popen(
            [sys.executable, "-m", "emulator.server", "--port", "0"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            url = _wait_for_url(process, log_path, time.monotonic() + STARTUP_TIMEOUT_S)
        except BaseException:  # Ctrl-C, SIGTERM or an error while waiting: the caller gets no handle to stop
            try:
                cls._terminate(process)
            finally:
                log.close()
            raise
        if url is None:
            try:
                cls._terminate(process)
            finally:
                log.close()
            raise LocalAwsError(f"the emulator did not start; {log_path}:\n{_tail(log_path)}")
        return cls(process=process, url=url, log_path=log_path, account=account, _log=log)

    @staticmethod
    def _terminate(process: subprocess.Popen[bytes]) -> None:
        if process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)
        except BaseException:  # interrupted again while waiting: do not leave it running
            process.kill()
            raise

    def stop(self) -> None:
        """Stop the server and check it is gone (process exited, port closed); raises LocalAwsError if not."""
        self._terminate(self.process)
        self._log.close()
        if self.process.poll() is None:
            raise LocalAwsError(f"emulator process {self.process.pid} is still running")
        deadline = time.monotonic() + 5
        while _port_open(self.port):
            if time.monotonic() > deadline:
                raise LocalAwsError(f"port {self.port} still accepts connections after the emulator stopped")
            time.sleep(0.1)


def run_command(
    args: Sequence[str],
    env: Mapping[str, str],
    log_path: Path,
    cwd: Path = ROOT,
    timeout_s: float | None = None,
) -> None:
    """Run ``args`` with its output in ``log_path``; on failure (or after ``timeout_s``) raise with the log's
    tail.

    The child gets its own process group; if this process is interrupted (Ctrl-C, SIGTERM) or the timeout
    passes, the whole group is terminated before the interruption propagates.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argument lists of this module
            list(args),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            status = process.wait(timeout=timeout_s)
        except BaseException as exc:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            if isinstance(exc, subprocess.TimeoutExpired):
                raise LocalAwsError(
                    f"{' '.join(args[:4])} ... did not finish in {timeout_s} s; {log_path}:\n{_tail(log_path)}"
                ) from None
            raise
    if status != 0:
        raise LocalAwsError(f"{' '.join(args[:4])} ... exited with {status}; {log_path}:\n{_tail(log_path)}")


def cdk(*args: str) -> list[str]:
    """The project's pinned CDK CLI from node_modules."""
    return ["npx", "--no-install", "cdk", *args]


def bootstrap(
    env: Mapping[str, str], account: str, region: str, log_path: Path, cloud_assembly: Path
) -> None:
    """``cdk bootstrap aws://ACCOUNT/REGION`` into the emulator (``--output cloud_assembly``)."""
    run_command(cdk("bootstrap", f"aws://{account}/{region}", "--output", str(cloud_assembly)), env, log_path)


def deploy(
    env: Mapping[str, str], log_path: Path, cloud_assembly: Path, config_path: Path | None = None
) -> None:
    """``cdk deploy --all`` of the real app with ``-c local=true`` (no bootstrap-version rule).

    The app is synthesized into ``cloud_assembly`` (``--output``), not the repository's ``cdk.out``, so the
    demo, the end-to-end test and ``cdk synth`` can run side by side.
    """
    args = [
        "deploy",
        "--all",
        "--require-approval",
        "never",
        "-c",
        "local=true",
        "--output",
        str(cloud_assembly),
    ]
    if config_path is not None:
        args += ["-c", f"config={config_path}"]
    run_command(cdk(*args), env, log_path)


def raise_endpoint_quotas(service_quotas: Any, config: Config) -> list[str]:
    """Request each SageMaker endpoint-usage quota up to what ``config`` needs, as ``ops.preflight``'s fix
    says a user should; returns one line per request. The emulator approves a request at once (AWS reviews it,
    which can take days: request before the first deploy)."""
    needs = instance_needs(config)
    found = read_quotas(service_quotas, [endpoint_quota_name(n.instance_type) for n in needs])
    lines = []
    for need in needs:
        quota = found.get(endpoint_quota_name(need.instance_type))
        if quota is None or quota.value >= need.instances:
            continue
        answer = service_quotas.request_service_quota_increase(
            ServiceCode="sagemaker", QuotaCode=quota.code, DesiredValue=need.instances
        )
        lines.append(
            f"requested {quota.name!r} {quota.value:g} -> {need.instances}: {answer['RequestedQuota']['Status']}"
        )
    return lines


def preflight(env: Mapping[str, str], config_path: Path, log_path: Path) -> str:
    """``python -m ops.preflight --config CONFIG`` against the emulator; returns its checklist, raises
    LocalAwsError (with the checklist) when it exits non-zero."""
    run_command([sys.executable, "-m", "ops.preflight", "--config", str(config_path)], env, log_path)
    return log_path.read_text(encoding="utf-8")


def session(endpoint_url: str, region: str) -> boto3.session.Session:
    """A boto3 session with the dummy credentials (clients still need ``endpoint_url=``)."""
    return boto3.session.Session(
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
        region_name=region,
    )


def stack_outputs(cloudformation: CloudFormationClient, stack_name: str) -> dict[str, str]:
    """A deployed stack's outputs by key; raises LocalAwsError if the stack is not complete."""
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    if stack["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        raise LocalAwsError(f"stack {stack_name} is {stack['StackStatus']}")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", []) if "OutputKey" in o}


def check_deployed(cloudformation: CloudFormationClient, stack_names: Sequence[str]) -> dict[str, int]:
    """Resources per stack; raises LocalAwsError when a stack is missing or empty (moto can report a
    CREATE_COMPLETE stack whose resources failed to create)."""
    counts: dict[str, int] = {}
    for name in stack_names:
        stack_outputs(cloudformation, name)
        paginator = cloudformation.get_paginator("list_stack_resources")
        counts[name] = sum(len(page["StackResourceSummaries"]) for page in paginator.paginate(StackName=name))
        if not counts[name]:
            raise LocalAwsError(f"stack {name} deployed without resources; see the emulator log")
    return counts


def describe(value: Any) -> str:
    """Short text of an exception for a one-line failure message."""
    return " ".join(str(value).split()) or type(value).__name__
