"""The demo's local AWS plumbing: the emulator process is started and really gone after stop, also when start-up
is interrupted; commands fail loudly; nothing in a child's environment points at a real account."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from demo import local_aws
from demo.local_aws import EmulatorProcess, LocalAwsError


def test_emulator_starts_on_a_loopback_port_and_is_gone_after_stop(tmp_path: Path) -> None:
    emulator = EmulatorProcess.start(tmp_path / "emulator.log")
    try:
        assert emulator.url.startswith("http://localhost:")
        with urllib.request.urlopen(emulator.url + "/moto-api/", timeout=10) as response:
            assert response.status == 200
    finally:
        emulator.stop()
    assert emulator.process.poll() is not None
    assert not local_aws._port_open(emulator.port)
    emulator.stop()  # idempotent


def test_an_interrupt_while_the_emulator_starts_terminates_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in the start-up wait: the caller never gets a handle to stop, so start() must stop the server."""
    started: list[subprocess.Popen[bytes]] = []
    real_popen, real_sleep = subprocess.Popen, time.sleep

    def recording_popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process: subprocess.Popen[bytes] = real_popen(*args, **kwargs)
        started.append(process)
        return process

    interrupts: list[float] = []

    def interrupt_once(
        seconds: float,
    ) -> None:  # the wait loop's first sleep; later sleeps (cleanup) are real
        if not interrupts:
            interrupts.append(seconds)
            raise KeyboardInterrupt
        real_sleep(seconds)

    monkeypatch.setattr(local_aws.subprocess, "Popen", recording_popen)
    monkeypatch.setattr(local_aws.time, "sleep", interrupt_once)
    log_path = tmp_path / "emulator.log"
    with pytest.raises(KeyboardInterrupt):
        EmulatorProcess.start(log_path)
    assert interrupts, "the interrupt did not come from the wait loop"
    (process,) = started
    assert process.returncode is not None  # terminated and reaped
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)
    fds = Path("/proc/self/fd")
    if fds.is_dir():  # Linux: the log file is closed
        assert str(log_path) not in {os.path.realpath(fd) for fd in fds.iterdir()}


def test_a_failing_command_raises_with_its_log(tmp_path: Path) -> None:
    script = "import sys; print('something broke'); sys.exit(3)"
    with pytest.raises(LocalAwsError, match=r"exited with 3(.|\n)*something broke"):
        local_aws.run_command([sys.executable, "-c", script], {}, tmp_path / "command.log")


def test_children_get_dummy_credentials_and_no_real_account_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://s3.amazonaws.com")
    env = local_aws.child_environment(local_aws.aws_environment("http://localhost:4566", "eu-west-1"))
    assert "AWS_PROFILE" not in env
    assert "AWS_ENDPOINT_URL_S3" not in env
    assert env["AWS_ENDPOINT_URL"] == "http://localhost:4566"
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["CDK_DISABLE_VERSION_CHECK"] == "1"
