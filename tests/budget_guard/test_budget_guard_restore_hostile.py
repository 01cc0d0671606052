"""Restore against damaged records: never report "restored" unless the recorded values are in place, never
delete a record it did not apply, and finish a partial restore when run again.

Also the CLI's bad input: one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from moto.sagemaker.models import sagemaker_backends

from lambdas.budget_guard import aws, cli, planner
from lambdas.budget_guard.planner import Bounds, EndpointState, RestoreRefused, VariantState
from lambdas.budget_guard.service import guard_project
from tests.budget_guard.conftest import REGION, Env, capacity, endpoint_tags, make_endpoint
from tests.budget_guard.samples import ACCOUNT_ID, NOW

LOWERED = {"AllTraffic": (1, 1, 1)}
BEFORE = {"AllTraffic": (2, 4, 3)}


@pytest.fixture
def guarded(env: Env, monkeypatch: pytest.MonkeyPatch) -> Env:
    """demo-chat (2..4, 3 running) and demo-embed (same), both lowered by the guard for 2025-06."""
    monkeypatch.setattr(aws, "make_clients", lambda region_name=None: env.clients)
    monkeypatch.delenv("ALERTS_TOPIC_ARN", raising=False)
    for name in ("demo-chat", "demo-embed"):
        make_endpoint(env, name, bounds=(2, 4))
    report = guard_project(env.clients, project="demo", period="2025-06", floor=1, now=NOW, dry_run=False)
    assert not report.failures
    return env


def _tag(env: Env, name: str, key: str, value: str | None) -> None:
    arn = env.clients.sagemaker.describe_endpoint(EndpointName=name)["EndpointArn"]
    if value is None:
        env.clients.sagemaker.delete_tags(ResourceArn=arn, TagKeys=[key])
    else:
        env.clients.sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": key, "Value": value}])


def _restore(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, str], str]:
    status = cli.main(["restore", "--project", "demo", *extra])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    return status, {r["endpoint_name"]: r["outcome"] for r in report["results"]}, captured.err


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        (planner.PREVIOUS_DESIRED, None, "lacks infersave:guard-previous-desired"),
        (planner.PREVIOUS_MIN, None, "lacks infersave:guard-previous-min"),
        (planner.PREVIOUS_MAX, "AllTraffic=²", "infersave:guard-previous-max"),
        (planner.PREVIOUS_MAX, "AllTraffic=3 AllTraffic=4", "is malformed"),
        (planner.PREVIOUS_MAX, "AllTraffic=1", "break 1 <= min <= desired <= max"),  # below recorded min 2
        (planner.PREVIOUS_DESIRED, "AllTraffic=9", "break 1 <= min <= desired <= max"),  # above max 4
        (planner.PREVIOUS_MIN, "AllTraffic=0", "break 1 <= min <= desired <= max"),
        (planner.PREVIOUS_MAX, "canary=4", "records variants ['canary']"),
        (planner.PREVIOUS_DESIRED, "AllTraffic=3 canary=1", "records variants ['AllTraffic', 'canary']"),
        (planner.PREVIOUS_SUSPENDED, "AllTraffic=paused", "infersave:guard-previous-suspended"),
    ],
    ids=[
        "desired-deleted",
        "min-deleted",
        "superscript",
        "variant-twice",
        "max-below-min",
        "desired-above-max",
        "min-zero",
        "other-variant",
        "extra-variant",
        "suspended-garbled",
    ],
)
def test_hand_edited_record_is_refused_and_kept(
    guarded: Env, capsys: pytest.CaptureFixture[str], key: str, value: str | None, says: str
) -> None:
    _tag(guarded, "demo-chat", key, value)
    tags_before = endpoint_tags(guarded, "demo-chat")

    status, outcomes, err = _restore(capsys)

    assert status == 1
    assert outcomes == {"demo-chat": "refused", "demo-embed": "restored"}
    assert says in err
    assert endpoint_tags(guarded, "demo-chat") == tags_before  # the record stays, untouched
    assert capacity(guarded, "demo-chat") == LOWERED
    assert capacity(guarded, "demo-embed") == BEFORE


def test_restore_that_does_not_read_back_keeps_the_record(
    guarded: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # RegisterScalableTarget answers 200 but the bounds stay at the floor (a deny evaluated elsewhere, a race).
    monkeypatch.setattr(guarded.clients.autoscaling, "register_scalable_target", lambda **_: {})

    status, outcomes, err = _restore(capsys, "--endpoint", "demo-chat")

    assert (status, outcomes) == (1, {"demo-chat": "failed"})
    assert "did not read back as applied" in err
    assert planner.PREVIOUS_MAX in endpoint_tags(guarded, "demo-chat")
    assert planner.RELEASED_PERIOD not in endpoint_tags(guarded, "demo-chat")


def test_restore_of_an_endpoint_mid_update_waits_then_finishes_and_is_idempotent(
    guarded: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint = sagemaker_backends[ACCOUNT_ID][REGION].endpoints["demo-chat"]
    endpoint.endpoint_status = "Updating"

    status, outcomes, err = _restore(capsys, "--endpoint", "demo-chat")
    assert (status, outcomes) == (1, {"demo-chat": "failed"})
    assert "Updating, not InService; rerun restore" in err
    assert planner.PREVIOUS_MAX in endpoint_tags(guarded, "demo-chat")

    endpoint.endpoint_status = "InService"
    assert _restore(capsys, "--endpoint", "demo-chat")[:2] == (0, {"demo-chat": "restored"})
    assert capacity(guarded, "demo-chat") == BEFORE
    assert _restore(capsys, "--endpoint", "demo-chat")[:2] == (0, {"demo-chat": "skipped"})
    assert capacity(guarded, "demo-chat") == BEFORE


def test_restore_with_the_config_refuses_values_beyond_its_bounds(
    guarded: Env, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = Path(__file__).resolve().parents[2] / "infersave.yaml"
    text = config.read_text(encoding="utf-8")
    # Recorded max 4 on both endpoints; a config with an endpoint "chat" allowing at most 3.
    path = tmp_path / "infersave.yaml"
    path.write_text(_one_endpoint_config(text, name="chat", max_instances=3), encoding="utf-8")

    status, outcomes, err = _restore(capsys, "--config", str(path))

    assert status == 1
    assert outcomes == {"demo-chat": "refused", "demo-embed": "restored"}
    assert "outside the config's bounds 1..3 instances" in err


def _one_endpoint_config(text: str, *, name: str, max_instances: int) -> str:
    import yaml

    data: dict[str, Any] = yaml.safe_load(text)
    data["project"] = "demo"
    endpoint = data["endpoints"][0]
    endpoint["name"] = name
    endpoint["instances"] = {"initial": 1, "min": 1, "max": max_instances}
    endpoint.pop("off_hours", None)
    data["endpoints"] = [endpoint]
    data.get("budget", {}).pop("monthly_limit_usd", None)
    data.get("budget", {}).pop("breach_switch", None)
    return yaml.safe_dump(data)


def test_config_bounds_in_the_planner() -> None:
    state = EndpointState(
        endpoint_name="demo-chat",
        endpoint_arn="arn:aws:sagemaker:us-east-1:123456789012:endpoint/demo-chat",
        status="InService",
        variants=(VariantState("AllTraffic", 1, 1, 1),),
        tags={
            planner.PREVIOUS_MIN: "AllTraffic=1",
            planner.PREVIOUS_MAX: "AllTraffic=40",
            planner.PREVIOUS_DESIRED: "AllTraffic=2",
        },
    )

    with pytest.raises(RestoreRefused, match=r"outside the config's bounds 1\.\.4"):
        planner.plan_restore(state, bounds=Bounds(floor=1, ceiling=4))
    assert planner.plan_restore(state).changes  # without bounds only 1 <= min <= desired <= max applies


# --- CLI bad input ---------------------------------------------------------------------------------


@pytest.fixture
def apply_env(env: Env, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.setattr(aws, "make_clients", lambda region_name=None: env.clients)
    for key, value in {"PROJECT_NAME": "demo", "BUDGET_NAME": "infersave-demo"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("ALERTS_TOPIC_ARN", f"arn:aws:sns:us-east-1:{ACCOUNT_ID}:infersave-demo-alerts")
    return env


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "cannot read the message file"),
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
        (b'{"Records": [{"Sns": {}}]}', "no Records[0].Sns.Message"),
        (b'{"Records": []}', "no Records[0].Sns.Message"),
        (b'{"Records": [{"Sns": {"Message": 42}}]}', "is not a string"),
    ],
    ids=["missing-file", "not-utf8", "event-without-message", "event-empty-records", "message-not-string"],
)
def test_apply_with_bad_input_exits_2_with_one_line(
    apply_env: Env, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None, says: str
) -> None:
    path = tmp_path / "message.txt"
    if content is not None:
        path.write_bytes(content)

    status = cli.main(["apply", "--message-file", str(path)])

    err = capsys.readouterr().err
    assert status == 2
    assert says in err
    assert len(err.strip().splitlines()) == 1
