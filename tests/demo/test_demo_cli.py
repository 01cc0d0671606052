"""``python -m demo``'s last words: one line, the phase table so far and the exit status, whatever failed,
and a claim about the emulator only when it is known."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo import cli, local_aws
from demo.local_aws import EmulatorProcess


@pytest.fixture(autouse=True)
def restore_process_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """main() installs signal handlers and offline CDK variables: put them back after each test."""
    for key, value in local_aws.OFFLINE_CDK.items():
        monkeypatch.setenv(key, value)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    yield
    for signum, handler in handlers.items():
        signal.signal(signum, handler)


def fake_emulator(tmp_path: Path) -> EmulatorProcess:
    process = subprocess.Popen(["true"])
    process.wait()
    return EmulatorProcess(
        process, "http://localhost:1", tmp_path / "emulator.log", "123456789012", _log=None
    )  # type: ignore[arg-type]


def failing_run(exc: BaseException, emulator: EmulatorProcess | None = None, stopped: bool = False) -> Any:
    def run(
        config: Any, config_path: Path, out_dir: Path, times: cli.PhaseTimes, state: cli.RunState
    ) -> None:
        times.seconds["emulator start"] = 1.0
        state.emulator, state.emulator_stopped = emulator, stopped
        raise exc

    return run


def test_an_unexpected_exception_is_one_line_the_phase_table_and_status_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(
        cli, "run", failing_run(TypeError("'NoneType' object is not subscriptable"), stopped=True)
    )
    assert cli.main(["--out", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert err.strip() == "demo failed: TypeError: 'NoneType' object is not subscriptable"
    assert "wall time per phase:" in out and "emulator start" in out


def test_an_interrupt_says_the_emulator_was_stopped_only_when_it_was(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    emulator = fake_emulator(tmp_path)
    monkeypatch.setattr(cli, "run", failing_run(KeyboardInterrupt(), emulator, stopped=True))
    assert cli.main(["--out", str(tmp_path)]) == 130
    assert capsys.readouterr().err.strip() == "interrupted: the emulator was stopped"

    monkeypatch.setattr(cli, "run", failing_run(KeyboardInterrupt()))  # before the emulator was up
    assert cli.main(["--out", str(tmp_path)]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"

    monkeypatch.setattr(cli, "run", failing_run(KeyboardInterrupt(), emulator, stopped=False))  # in stop()
    assert cli.main(["--out", str(tmp_path)]) == 130
    pid = emulator.process.pid
    assert (
        capsys.readouterr().err.strip()
        == f"interrupted; the emulator (pid {pid}) may still be running: kill {pid}"
    )


def test_stack_names_add_the_billing_stack_where_the_region_has_no_budgets() -> None:
    from stacks.config import load_config
    from tests.conftest import FIXTURES, ROOT

    assert list(cli.stack_names(load_config(ROOT / "infersave.yaml"))) == ["inference", "guardrails", "cost"]
    names = cli.stack_names(load_config(FIXTURES / "billing.yaml"))  # eu-north-1
    assert names["billing"] == "infersave-billcfg-billing"
