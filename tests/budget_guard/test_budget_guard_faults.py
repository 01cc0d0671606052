"""The handler against moto under attack and under faults: forged, replayed, other-account, stale and future
alerts; Budgets API errors; throttling; repeated page tokens; odd tags; endpoints mid-update; the re-check.

What must hold: nothing is lowered unless AWS Budgets confirms a breach for the current period; one
endpoint's trouble never stops the others; a run that could not act everywhere fails with a per-endpoint
summary, and a later run in the same period finishes the job.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.sagemaker.models import sagemaker_backends

from emulator.budgets import set_actual_spend
from lambdas.budget_guard import handler, planner, service
from lambdas.budget_guard.messages import RECHECK_EVENT
from tests.budget_guard.conftest import REGION, Env, capacity, endpoint_tags, make_budget, make_endpoint
from tests.budget_guard.samples import ACCOUNT_ID, BUDGET_NAME, TOPIC_ARN, budget_message, sns_event
from tests.budget_guard.test_budget_guard_handler import FakeContext, emitted_metrics

UNTOUCHED = {"AllTraffic": (2, 4, 3)}
LOWERED = {"AllTraffic": (1, 1, 1)}


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, env: Env) -> Env:
    """Settings, the clients, two endpoints of the project at 2..4 (3 running), and its budget; AWS reports
    it NOT breached (100 USD of 1,000) until a test says otherwise."""
    for key, value in {
        "PROJECT_NAME": "demo",
        "BUDGET_NAME": BUDGET_NAME,
        "ALERTS_TOPIC_ARN": TOPIC_ARN,
        "FLOOR_INSTANCE_COUNT": "1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(handler, "get_clients", lambda: env.clients)
    monkeypatch.setattr("lambdas.common.retry.time.sleep", lambda _s: None)
    make_budget(env, spent="100")
    make_endpoint(env, "demo-chat", bounds=(2, 4))
    make_endpoint(env, "demo-embed", bounds=(2, 4))
    return env


def breach(env: Env, spent: str = "1012.34") -> None:
    set_actual_spend(ACCOUNT_ID, BUDGET_NAME, spent)


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = handler.lambda_handler(event, FakeContext())
    return result


def alert(message: str | None = None) -> dict[str, Any]:
    return invoke(sns_event(message or budget_message()))


def recheck() -> dict[str, Any]:
    return invoke(dict(RECHECK_EVENT))


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def client_error(code: str, operation: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message or code}}, operation)


def _failing(code: str, operation: str) -> Callable[..., Any]:
    def fail(**_: Any) -> Any:
        raise client_error(code, operation)

    return fail


# --- Forged, replayed, other-account, stale and future alerts ------------------------------------------


def test_forged_alert_that_aws_does_not_confirm_changes_nothing_and_is_logged(
    world: Env, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    # A five-line text published to the topic by any principal of the account: well formed, our account,
    # this month, 200 % spent. AWS Budgets says 100 USD of 1,000.
    forged = budget_message(amount="$2,000.00")

    result = alert(forged)

    assert result["results"][0]["not_confirmed"].startswith("AWS Budgets reports 100 USD spent of 1000 USD")
    assert capacity(world, "demo-chat") == UNTOUCHED
    assert capacity(world, "demo-embed") == UNTOUCHED
    assert planner.PREVIOUS_MAX not in endpoint_tags(world, "demo-chat")
    assert world.published() == []
    assert any("not lowering anything (alert message)" in w for w in warnings_of(caplog))
    assert emitted_metrics(capsys.readouterr().out) == {"BreachNotConfirmed": 1}


def test_genuine_alert_that_aws_confirms_lowers_every_endpoint(world: Env) -> None:
    breach(world)

    alert()

    assert capacity(world, "demo-chat") == LOWERED
    assert capacity(world, "demo-embed") == LOWERED
    summary = json.loads(world.published()[0]["Message"])
    assert summary["budget_period"] == "2025-06"
    assert summary["confirmation"].startswith("AWS Budgets reports 1012.34 USD")


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (budget_message(account="210987654321"), "other-account"),
        (budget_message(notified="March 3, 2024"), "stale-period"),
        (budget_message(notified="May 31, 2025"), "stale-period"),
        (budget_message(notified="July 2, 2025"), "future-period"),
        (budget_message(notified="June 14, 2031"), "future-period"),
        ("Budget Name: " + "x" * (256 * 1024), "oversize-message"),
    ],
    ids=["other-account", "long-past", "last-month", "next-month", "future-year", "oversize-256k"],
)
def test_alert_that_cannot_be_current_for_this_account_is_refused_without_asking_aws(
    world: Env,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    message: str,
    reason: str,
) -> None:
    breach(world)  # even when the budget IS breached: the message itself is refused, and logged
    monkeypatch.setattr(world.clients.budgets, "describe_budget", _failing("AccessDenied", "DescribeBudget"))

    result = alert(message)

    assert result["results"][0]["ignored"] == reason
    assert capacity(world, "demo-chat") == UNTOUCHED
    assert any(f"ignoring message: {reason}" in w for w in warnings_of(caplog))


def test_replayed_alert_after_restore_does_not_lower_again(
    world: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    breach(world)
    alert()
    report = service.restore_project(world.clients, project="demo")
    assert not report.failures
    world.published()

    alert()  # the same alert, delivered again
    recheck()  # and the hourly re-check, budget still breached

    assert capacity(world, "demo-chat") == UNTOUCHED
    assert world.published() == []


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_alert_from_a_context_without_a_readable_account_fails(world: Env) -> None:
    breach(world)
    context = FakeContext(invoked_function_arn="not-an-arn")

    with pytest.raises(handler.GuardActionError, match="cannot read this function's account"):
        handler.lambda_handler(sns_event(budget_message()), context)  # type: ignore[arg-type]

    assert capacity(world, "demo-chat") == UNTOUCHED


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
@pytest.mark.parametrize(
    "event",
    [
        {},
        {"Records": []},
        {"Records": [{}]},
        {"Records": [{"Sns": {"Message": 5, "MessageId": "m", "Timestamp": "t"}}]},
        {"action": "recheck"},
        {"source": "aws.events"},
    ],
)
def test_unrecognised_event_fails_with_one_line(world: Env, event: dict[str, Any]) -> None:
    with pytest.raises(handler.GuardActionError, match="unrecognised event"):
        invoke(event)


# --- Budgets API faults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["AccessDeniedException", "NotFoundException", "InternalErrorException", "ThrottlingException"]
)
def test_budget_that_cannot_be_read_lowers_nothing_and_fails_the_run(
    world: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], code: str
) -> None:
    breach(world)
    monkeypatch.setattr(world.clients.budgets, "describe_budget", _failing(code, "DescribeBudget"))

    with pytest.raises(handler.GuardActionError, match=code):
        alert()

    assert capacity(world, "demo-chat") == UNTOUCHED
    assert emitted_metrics(capsys.readouterr().out)["GuardActionFailed"] == 1


def test_budget_read_throttled_once_is_retried_and_acts(world: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    breach(world)
    real = world.clients.budgets.describe_budget
    calls: list[int] = []

    def throttled_once(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise client_error("ThrottlingException", "DescribeBudget")
        return real(**kwargs)

    monkeypatch.setattr(world.clients.budgets, "describe_budget", throttled_once)

    alert()

    assert len(calls) == 2
    assert capacity(world, "demo-chat") == LOWERED


def test_missing_budget_from_moto_is_a_failure_not_a_breach(world: Env) -> None:
    world.clients.budgets.delete_budget(AccountId=ACCOUNT_ID, BudgetName=BUDGET_NAME)

    with pytest.raises(handler.GuardActionError):
        alert()

    assert capacity(world, "demo-chat") == UNTOUCHED


# --- Repeated page tokens --------------------------------------------------------------------------


def _repeating(real: Callable[..., Any], key: str, limit: int = 50) -> Callable[..., Any]:
    """``real`` with its answer's page token forced to the same value: an API that pages forever. Raises
    after ``limit`` calls so a loop without a guard fails the test instead of hanging it."""
    calls: list[int] = []

    def call(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > limit:
            raise AssertionError(f"paged {limit} times on a repeated token")
        kwargs.pop(key, None)
        return {**real(**kwargs), key: "same-token"}

    return call


def test_repeated_token_in_the_endpoint_listing_fails_the_run_and_lowers_nothing(
    world: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    breach(world)
    tagging = world.clients.tagging
    monkeypatch.setattr(tagging, "get_resources", _repeating(tagging.get_resources, "PaginationToken"))

    with pytest.raises(handler.GuardActionError, match="came back again"):
        alert()

    assert capacity(world, "demo-chat") == UNTOUCHED


@pytest.mark.parametrize(
    ("client", "method", "key"),
    [("sagemaker", "list_tags", "NextToken"), ("autoscaling", "describe_scalable_targets", "NextToken")],
)
def test_repeated_token_on_one_endpoint_fails_that_endpoint_only(
    world: Env, monkeypatch: pytest.MonkeyPatch, client: str, method: str, key: str
) -> None:
    breach(world)
    target = getattr(world.clients, client)
    real = getattr(target, method)
    looping = _repeating(real, key)

    def selective(**kwargs: Any) -> Any:
        about = json.dumps(kwargs)
        return looping(**kwargs) if "demo-chat" in about else real(**kwargs)

    monkeypatch.setattr(target, method, selective)

    with pytest.raises(
        handler.GuardActionError, match=r"could not act on: demo-chat \(demo-chat: PagingError"
    ):
        alert()

    assert capacity(world, "demo-chat") == UNTOUCHED
    assert capacity(world, "demo-embed") == LOWERED


# --- Odd tags, throttling and endpoints mid-update on one endpoint ---------------------------------


@pytest.mark.parametrize(
    "value", ["AllTraffic=²", "AllTraffic=٣", "AllTraffic=4 AllTraffic=5", "AllTraffic=" + "9" * 40]
)
def test_odd_record_tag_on_one_endpoint_does_not_leave_the_others_unguarded(
    world: Env, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    breach(world)
    arn = world.clients.sagemaker.describe_endpoint(EndpointName="demo-chat")["EndpointArn"]
    world.clients.sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": planner.PREVIOUS_MAX, "Value": value}])

    with pytest.raises(handler.GuardActionError, match="infersave:guard-previous-max"):
        alert()

    assert capacity(world, "demo-embed") == LOWERED
    assert capacity(world, "demo-chat") == UNTOUCHED
    summary = json.loads(world.published()[0]["Message"])
    assert {r["endpoint_name"]: r["outcome"] for r in summary["results"]} == {
        "demo-chat": "failed",
        "demo-embed": "guarded",
    }
    assert emitted_metrics(capsys.readouterr().out)["GuardActionFailed"] == 1


def test_throttled_update_on_one_endpoint_does_not_stop_the_others(
    world: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    breach(world)
    real = world.clients.sagemaker.update_endpoint_weights_and_capacities

    def throttled_for_chat(**kwargs: Any) -> Any:
        if kwargs["EndpointName"] == "demo-chat":
            raise client_error("ThrottlingException", "UpdateEndpointWeightsAndCapacities")
        return real(**kwargs)

    monkeypatch.setattr(world.clients.sagemaker, "update_endpoint_weights_and_capacities", throttled_for_chat)

    with pytest.raises(handler.GuardActionError, match="demo-chat"):
        alert()

    assert capacity(world, "demo-embed") == LOWERED
    assert capacity(world, "demo-chat") == UNTOUCHED


def _set_status(name: str, status: str) -> None:
    sagemaker_backends[ACCOUNT_ID][REGION].endpoints[name].endpoint_status = status


def test_endpoint_mid_update_is_lowered_by_the_next_recheck_of_the_same_period(
    world: Env, caplog: pytest.LogCaptureFixture
) -> None:
    breach(world)
    _set_status("demo-chat", "Updating")

    with pytest.raises(handler.GuardActionError, match="demo-chat is Updating, not InService"):
        alert()
    assert capacity(world, "demo-embed") == LOWERED
    assert capacity(world, "demo-chat") == UNTOUCHED
    world.published()

    _set_status("demo-chat", "InService")
    recheck()  # the hourly schedule, same period

    assert capacity(world, "demo-chat") == LOWERED
    summary = json.loads(world.published()[0]["Message"])
    assert {r["endpoint_name"]: r["outcome"] for r in summary["results"]} == {
        "demo-chat": "guarded",
        "demo-embed": "skipped",
    }


def test_recheck_without_a_breach_reads_only_the_budget(world: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(world.clients.tagging, "get_resources", _failing("AccessDenied", "GetResources"))

    result = recheck()

    assert "below the breach threshold" in result["results"][0]["not_confirmed"]
    assert world.published() == []


def test_recheck_of_a_guarded_period_reads_no_endpoint(world: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    breach(world)
    alert()
    world.published()
    monkeypatch.setattr(
        world.clients.sagemaker, "describe_endpoint", _failing("AccessDenied", "DescribeEndpoint")
    )

    recheck()

    assert world.published() == []


def test_a_breach_aws_reports_without_any_alert_is_acted_on_by_the_recheck(world: Env) -> None:
    # The alert was lost or unparsable; the budget is breached all the same.
    breach(world)

    recheck()

    assert capacity(world, "demo-chat") == LOWERED


def test_next_period_is_guarded_again_after_a_restore(world: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    breach(world)
    alert()
    assert not service.restore_project(world.clients, project="demo").failures
    monkeypatch.setattr(service, "utc_now", lambda: datetime(2025, 7, 3, 8, 0, tzinfo=UTC))

    recheck()

    tags = endpoint_tags(world, "demo-chat")
    assert (capacity(world, "demo-chat"), tags[planner.BUDGET_PERIOD]) == (LOWERED, "2025-07")


def test_recheck_of_an_endpoint_that_keeps_failing_fails_without_mailing_every_hour(world: Env) -> None:
    breach(world)
    make_endpoint(world, "demo-fixed", bounds=None)  # no scalable target: cannot be lowered, ever
    with pytest.raises(handler.GuardActionError, match="demo-fixed"):
        alert()
    assert world.published()  # the alert's run reports, failure included

    with pytest.raises(handler.GuardActionError, match="demo-fixed"):
        recheck()

    assert world.published() == []  # the error alarm and the on-failure queue carry it from here
