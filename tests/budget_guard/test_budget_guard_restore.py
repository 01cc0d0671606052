"""Restore (the documented CLI path) and manual apply, against moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdas.budget_guard import aws, cli, planner
from lambdas.budget_guard.service import guard_project
from tests.budget_guard.conftest import (
    Env,
    capacity,
    endpoint_tags,
    make_budget,
    make_endpoint,
    put_off_hours_schedule,
    suspended_state,
)
from tests.budget_guard.samples import TOPIC_ARN, budget_message, sns_event


@pytest.fixture
def cli_env(env: Env, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.setattr(aws, "make_clients", lambda region_name=None: env.clients)
    monkeypatch.delenv("ALERTS_TOPIC_ARN", raising=False)
    return env


def _guard(env: Env, floor: int = 1) -> None:
    report = guard_project(
        env.clients,
        project="demo",
        period="2025-06",
        floor=floor,
        now=datetime(2025, 6, 14, 9, 30, tzinfo=UTC),
        dry_run=False,
    )
    assert not report.failures


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    status = cli.main(argv)
    out = capsys.readouterr().out
    return status, json.loads(out)


def test_restore_puts_capacity_back_and_removes_the_record(
    cli_env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env = cli_env
    make_endpoint(env, "demo-chat", variants={"AllTraffic": 3}, bounds=(2, 4))
    make_endpoint(env, "demo-embed", variants={"blue": 2, "green": 1}, bounds=(1, 3))
    _guard(env)

    status, report = _run(["restore", "--project", "demo"], capsys)

    assert status == 0
    assert {r["endpoint_name"]: r["outcome"] for r in report["results"]} == {
        "demo-chat": "restored",
        "demo-embed": "restored",
    }
    assert capacity(env, "demo-chat") == {"AllTraffic": (2, 4, 3)}
    assert capacity(env, "demo-embed") == {"blue": (1, 3, 2), "green": (1, 3, 1)}
    tags = endpoint_tags(env, "demo-chat")
    assert not set(planner.RECORD_KEYS) & set(tags)
    assert tags[planner.RELEASED_PERIOD] == "2025-06"
    assert tags["infersave:project"] == "demo"


NOTHING_SUSPENDED = {
    "DynamicScalingInSuspended": False,
    "DynamicScalingOutSuspended": False,
    "ScheduledScalingSuspended": False,
}


def test_guard_suspends_the_off_hours_schedule_and_restore_resumes_it(
    cli_env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    # Arrange: the OffHoursUp action would set MaxCapacity back to 4 every morning, undoing the guard.
    # moto 5.2.5 stores SuspendedState as sent and returns it from describe_scalable_targets (absent until set).
    env = cli_env
    make_endpoint(env, "demo-chat", variants={"AllTraffic": 3}, bounds=(2, 4))
    put_off_hours_schedule(env, "demo-chat", min_capacity=2, max_capacity=4)
    assert suspended_state(env, "demo-chat") is None

    # Act: guard
    _guard(env)

    # Assert: lowered, scheduled scaling suspended, dynamic scaling left running, previous state recorded
    assert capacity(env, "demo-chat") == {"AllTraffic": (1, 1, 1)}
    assert suspended_state(env, "demo-chat") == {**NOTHING_SUSPENDED, "ScheduledScalingSuspended": True}
    assert endpoint_tags(env, "demo-chat")[planner.PREVIOUS_SUSPENDED] == "AllTraffic=none"
    actions = env.clients.autoscaling.describe_scheduled_actions(ServiceNamespace="sagemaker")
    assert [a["ScheduledActionName"] for a in actions["ScheduledActions"]] == ["OffHoursUp"]  # kept

    # Act: restore
    status, report = _run(["restore", "--project", "demo"], capsys)

    # Assert: capacity and the previous suspended state are back, the record is gone
    assert (status, report["results"][0]["outcome"]) == (0, "restored")
    assert capacity(env, "demo-chat") == {"AllTraffic": (2, 4, 3)}
    assert suspended_state(env, "demo-chat") == NOTHING_SUSPENDED
    assert planner.PREVIOUS_SUSPENDED not in endpoint_tags(env, "demo-chat")


def test_restore_puts_back_a_suspended_state_set_before_the_guard(
    cli_env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env = cli_env
    make_endpoint(env, "demo-chat", variants={"AllTraffic": 3}, bounds=(2, 4))
    before = {**NOTHING_SUSPENDED, "DynamicScalingInSuspended": True}
    env.clients.autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/demo-chat/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        SuspendedState=before,
    )
    _guard(env)
    assert suspended_state(env, "demo-chat") == {**before, "ScheduledScalingSuspended": True}

    assert cli.main(["restore", "--project", "demo"]) == 0
    capsys.readouterr()

    assert suspended_state(env, "demo-chat") == before


def test_restore_is_idempotent_and_a_replay_after_it_does_not_lower_again(
    cli_env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env = cli_env
    make_endpoint(env, "demo-chat", bounds=(2, 4))
    _guard(env)
    assert cli.main(["restore", "--project", "demo"]) == 0
    capsys.readouterr()

    status, report = _run(["restore", "--project", "demo"], capsys)
    _guard(env)  # the same period's alert delivered again

    assert status == 0
    assert report["results"][0]["outcome"] == "skipped"
    assert capacity(env, "demo-chat") == {"AllTraffic": (2, 4, 3)}


def test_restore_one_endpoint_publishes_a_summary(cli_env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env = cli_env
    make_endpoint(env, "demo-chat", bounds=(2, 4))
    make_endpoint(env, "demo-embed", bounds=(2, 4))
    _guard(env)
    env.published()

    status, report = _run(
        ["restore", "--project", "demo", "--endpoint", "demo-chat", "--topic-arn", TOPIC_ARN], capsys
    )

    assert status == 0
    assert [r["endpoint_name"] for r in report["results"]] == ["demo-chat"]
    assert capacity(env, "demo-chat") == {"AllTraffic": (2, 4, 3)}
    assert capacity(env, "demo-embed") == {"AllTraffic": (1, 1, 1)}
    assert env.published()[0]["Subject"] == "infersave demo: budget guard restored 1 endpoint(s)"


def test_restore_of_an_unknown_endpoint_fails(cli_env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    make_endpoint(cli_env, "demo-chat", bounds=(2, 4))

    status, report = _run(["restore", "--project", "demo", "--endpoint", "nope"], capsys)

    assert status == 1
    assert report["results"][0]["outcome"] == "failed"


def test_restore_reports_aws_errors(
    cli_env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = cli_env
    make_endpoint(env, "demo-chat", bounds=(2, 4))
    _guard(env)

    def fail(**_: Any) -> Any:
        raise ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, "RegisterScalableTarget"
        )

    monkeypatch.setattr(env.clients.autoscaling, "register_scalable_target", fail)

    status = cli.main(["restore", "--project", "demo"])

    captured = capsys.readouterr()
    assert status == 1
    assert "error: demo-chat: ClientError" in captured.err
    assert planner.PREVIOUS_MAX in endpoint_tags(env, "demo-chat")  # the record stays for the next try


@pytest.mark.parametrize("as_event", [False, True], ids=["message-text", "sns-event"])
def test_apply_from_a_message_file(
    cli_env: Env,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    as_event: bool,
) -> None:
    env = cli_env
    for key, value in {
        "PROJECT_NAME": "demo",
        "BUDGET_NAME": "infersave-demo",
        "ALERTS_TOPIC_ARN": TOPIC_ARN,
    }.items():
        monkeypatch.setenv(key, value)
    make_budget(env)
    make_endpoint(env, "demo-chat", bounds=(2, 4))
    path = tmp_path / "message.txt"
    path.write_text(
        json.dumps(sns_event(budget_message())) if as_event else budget_message(), encoding="utf-8"
    )

    status, report = _run(["apply", "--message-file", str(path), "--dry-run"], capsys)
    assert (status, report["results"][0]["outcome"]) == (0, "would-change")
    assert capacity(env, "demo-chat") == {"AllTraffic": (2, 4, 3)}

    status, report = _run(["apply", "--message-file", str(path)], capsys)
    assert (status, report["results"][0]["outcome"]) == (0, "guarded")
    assert capacity(env, "demo-chat") == {"AllTraffic": (1, 1, 1)}


def test_apply_without_settings_names_the_variable(
    cli_env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PROJECT_NAME", raising=False)
    path = tmp_path / "message.txt"
    path.write_text(budget_message(), encoding="utf-8")

    assert cli.main(["apply", "--message-file", str(path)]) == 2
    assert "PROJECT_NAME" in capsys.readouterr().err
