"""The Lambda handler against moto: acts on a breach, ignores the rest, is idempotent, fails loudly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdas.budget_guard import handler, planner, service
from tests.budget_guard.conftest import Env, capacity, endpoint_tags, make_budget, make_endpoint
from tests.budget_guard.samples import (
    ALARM_MESSAGE,
    ANOMALY_MESSAGE,
    BUDGET_NAME,
    NOW,
    TOPIC_ARN,
    budget_message,
    sns_event,
)


@dataclass
class FakeContext:
    function_name: str = "infersave-demo-budget-guard"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:infersave-demo-budget-guard"
    aws_request_id: str = "52fdfc07-2182-154f-163f-5f0f9a621d72"


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, env: Env) -> Env:
    monkeypatch.setenv("PROJECT_NAME", "demo")
    monkeypatch.setenv("BUDGET_NAME", BUDGET_NAME)
    monkeypatch.setenv("ALERTS_TOPIC_ARN", TOPIC_ARN)
    monkeypatch.setenv("FLOOR_INSTANCE_COUNT", "1")
    monkeypatch.setattr(handler, "get_clients", lambda: env.clients)
    make_budget(env)  # breached: AWS reports 1,012.34 USD of 1,000
    return env


def invoke(message: str, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = handler.lambda_handler(sns_event(message, **kwargs), FakeContext())
    return result


def emitted_metrics(output: str) -> dict[str, float]:
    """Sum of every EMF metric printed to stdout."""
    totals: dict[str, float] = {}
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        blob = json.loads(line)
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = blob[metric["Name"]]
                values = value if isinstance(value, list) else [value]
                totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(values)
    return totals


def test_breach_lowers_project_endpoints_records_and_publishes(
    settings_env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env = settings_env
    make_endpoint(env, "demo-chat", variants={"AllTraffic": 3}, bounds=(2, 4))
    make_endpoint(env, "demo-embed", variants={"blue": 2, "green": 1}, bounds=(1, 3))
    make_endpoint(env, "other-chat", project="other", variants={"AllTraffic": 3}, bounds=(2, 4))

    invoke(budget_message())

    assert capacity(env, "demo-chat") == {"AllTraffic": (1, 1, 1)}
    assert capacity(env, "demo-embed") == {"blue": (1, 1, 1), "green": (1, 1, 1)}
    assert capacity(env, "other-chat") == {"AllTraffic": (2, 4, 3)}
    tags = endpoint_tags(env, "demo-chat")
    assert tags[planner.PREVIOUS_MIN] == "AllTraffic=2"
    assert tags[planner.PREVIOUS_MAX] == "AllTraffic=4"
    assert tags[planner.PREVIOUS_DESIRED] == "AllTraffic=3"
    assert tags[planner.BUDGET_PERIOD] == "2025-06"
    assert tags[planner.APPLIED_AT].endswith("Z")
    assert endpoint_tags(env, "demo-embed")[planner.PREVIOUS_DESIRED] == "blue=2 green=1"
    assert planner.BUDGET_PERIOD not in endpoint_tags(env, "other-chat")

    published = env.published()
    assert len(published) == 1
    assert published[0]["Subject"] == "infersave demo: budget guard lowered 2 endpoint(s)"
    summary = json.loads(published[0]["Message"])
    assert summary["source"] == "infersave.budget-guard"
    assert summary["budget_period"] == "2025-06"
    assert {r["endpoint_name"]: r["outcome"] for r in summary["results"]} == {
        "demo-chat": "guarded",
        "demo-embed": "guarded",
    }
    assert summary["confirmation"] == "AWS Budgets reports 1012.34 USD spent of 1000 USD (101.2%) in 2025-06"
    assert emitted_metrics(capsys.readouterr().out) == {"BudgetBreachesDetected": 1, "EndpointsGuarded": 2}


def test_replayed_message_changes_nothing_twice(settings_env: Env) -> None:
    env = settings_env
    make_endpoint(env, "demo-chat", bounds=(2, 4))
    invoke(budget_message(), message_id="first")
    first_tags = endpoint_tags(env, "demo-chat")
    env.published()
    # Someone raises capacity by hand after the guard acted; a replay must not touch it or the record.
    env.clients.autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/demo-chat/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=1,
        MaxCapacity=2,
    )

    invoke(budget_message(), message_id="replay")

    assert capacity(env, "demo-chat") == {"AllTraffic": (1, 2, 1)}
    assert endpoint_tags(env, "demo-chat") == first_tags
    assert env.published() == []


def test_next_period_guards_again_without_overwriting_the_record(
    settings_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = settings_env
    make_endpoint(env, "demo-chat", bounds=(2, 4))
    invoke(budget_message(notified="June 14, 2025"))

    monkeypatch.setattr(service, "utc_now", lambda: datetime(2025, 7, 20, 9, 0, tzinfo=UTC))
    invoke(budget_message(notified="July 20, 2025"))

    tags = endpoint_tags(env, "demo-chat")
    assert tags[planner.BUDGET_PERIOD] == "2025-07"
    assert (tags[planner.PREVIOUS_MIN], tags[planner.PREVIOUS_MAX], tags[planner.PREVIOUS_DESIRED]) == (
        "AllTraffic=2",
        "AllTraffic=4",
        "AllTraffic=3",
    )


@pytest.mark.parametrize(
    "message",
    [
        ANOMALY_MESSAGE,
        ALARM_MESSAGE,
        budget_message(budget_name="infersave-other"),
        budget_message(alert_type="FORECASTED"),
        budget_message(threshold="> $800.00", amount="$801.00"),
        '{"source": "infersave.budget-guard", "action": "guard", "results": []}',
    ],
    ids=["anomaly", "alarm", "other-project", "forecast", "80-percent", "own-summary"],
)
def test_other_messages_are_ignored(
    settings_env: Env, message: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    env = settings_env
    make_endpoint(env, "demo-chat", bounds=(2, 4))

    result = invoke(message)

    assert result["results"][0]["ignored"]
    assert capacity(env, "demo-chat") == {"AllTraffic": (2, 4, 3)}
    assert planner.BUDGET_PERIOD not in endpoint_tags(env, "demo-chat")
    assert env.published() == []
    assert [r.levelname for r in caplog.records if "ignoring message" in r.getMessage()] == ["INFO"]
    assert emitted_metrics(capsys.readouterr().out) == {"BudgetMessagesIgnored": 1}


def test_dry_run_changes_nothing_but_reports(settings_env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env = settings_env
    monkeypatch.setenv("DRY_RUN", "true")
    make_endpoint(env, "demo-chat", bounds=(2, 4))

    invoke(budget_message())

    assert capacity(env, "demo-chat") == {"AllTraffic": (2, 4, 3)}
    assert planner.BUDGET_PERIOD not in endpoint_tags(env, "demo-chat")
    published = env.published()
    assert published[0]["Subject"].startswith("[DRY RUN]")


def _raise_client_error(operation: str) -> Any:
    def fail(**_: Any) -> Any:
        raise ClientError(
            {"Error": {"Code": "ValidationException", "Message": "Cannot update in-progress endpoint"}},
            operation,
        )

    return fail


def test_aws_error_fails_loudly_and_a_retry_completes(
    settings_env: Env,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = settings_env
    make_endpoint(env, "demo-chat", bounds=(2, 4))
    make_endpoint(env, "demo-embed", variants={"AllTraffic": 2}, bounds=(1, 3))
    real_update = env.clients.sagemaker.update_endpoint_weights_and_capacities
    with monkeypatch.context() as patch:
        patch.setattr(
            env.clients.sagemaker,
            "update_endpoint_weights_and_capacities",
            _raise_client_error("UpdateEndpointWeightsAndCapacities"),
        )
        with pytest.raises(handler.GuardActionError, match="demo-chat, demo-embed"):
            invoke(budget_message())

    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(
        "could not act on endpoint demo-chat" in e and "Cannot update in-progress" in e for e in errors
    )
    assert emitted_metrics(capsys.readouterr().out)["GuardActionFailed"] == 2
    # The previous values were recorded before the failure; the period marker was not.
    tags = endpoint_tags(env, "demo-chat")
    assert tags[planner.PREVIOUS_MAX] == "AllTraffic=4"
    assert planner.BUDGET_PERIOD not in tags
    assert capacity(env, "demo-chat") == {"AllTraffic": (2, 4, 3)}

    assert env.clients.sagemaker.update_endpoint_weights_and_capacities == real_update
    invoke(budget_message())  # Lambda's retry of the same event

    assert capacity(env, "demo-chat") == {"AllTraffic": (1, 1, 1)}
    assert endpoint_tags(env, "demo-chat")[planner.PREVIOUS_MAX] == "AllTraffic=4"
    assert endpoint_tags(env, "demo-chat")[planner.BUDGET_PERIOD] == "2025-06"


def test_endpoint_without_scalable_target_fails_but_others_are_guarded(
    settings_env: Env, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    env = settings_env
    make_endpoint(env, "demo-chat", bounds=(2, 4))
    make_endpoint(env, "demo-fixed", bounds=None)

    with pytest.raises(handler.GuardActionError, match="demo-fixed"):
        invoke(budget_message())

    assert capacity(env, "demo-chat") == {"AllTraffic": (1, 1, 1)}
    assert (
        env.clients.sagemaker.describe_endpoint(EndpointName="demo-fixed")["ProductionVariants"][0][
            "DesiredInstanceCount"
        ]
        == 3
    )
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("no scalable target for endpoint/demo-fixed/variant/AllTraffic" in e for e in errors)
    assert emitted_metrics(capsys.readouterr().out)["GuardActionFailed"] == 1
    summary = json.loads(env.published()[0]["Message"])
    assert {r["endpoint_name"]: r["outcome"] for r in summary["results"]} == {
        "demo-chat": "guarded",
        "demo-fixed": "failed",
    }


def test_discovery_error_fails_loudly(
    settings_env: Env,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = settings_env

    def denied(**_: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, "GetResources")

    monkeypatch.setattr(env.clients.tagging, "get_resources", denied)

    with pytest.raises(handler.GuardActionError, match="denied"):
        invoke(budget_message())

    assert any("could not list the endpoints of project demo" in r.getMessage() for r in caplog.records)
    assert emitted_metrics(capsys.readouterr().out)["GuardActionFailed"] == 1


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_missing_setting_fails_with_its_name(settings_env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUDGET_NAME")

    with pytest.raises(ValueError, match="BUDGET_NAME"):
        invoke(budget_message())


def test_unreadable_sns_timestamp_is_logged_and_now_dates_the_alert(
    settings_env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    make_endpoint(settings_env, "demo-chat", bounds=(2, 4))
    undated = budget_message().replace("AWS Budget Notification June 14, 2025\n", "")

    invoke(undated, timestamp="14/06/2025 09:30", message_id="m-bad-time")

    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "unreadable SNS timestamp '14/06/2025 09:30'" in warnings[0].getMessage()
    assert getattr(warnings[0], "sns_message_id", None) == "m-bad-time"
    assert endpoint_tags(settings_env, "demo-chat")[planner.BUDGET_PERIOD] == f"{NOW:%Y-%m}"
