"""Orchestration: guard or restore every endpoint of a project and report what happened to each.

One endpoint's failure (an AWS error, throttling after retries, a bad tag, an endpoint mid-update, or
any other exception) does not stop the others: it becomes that endpoint's result, and the caller (handler
or CLI) fails the run with the per-endpoint summary when there are any. Errors before any endpoint is
known (discovery) propagate.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from lambdas.budget_guard import aws
from lambdas.budget_guard.confirm import Confirmed, NotConfirmed, confirm_breach
from lambdas.budget_guard.messages import SUMMARY_SOURCE
from lambdas.budget_guard.planner import (
    BUDGET_PERIOD,
    RELEASED_PERIOD,
    Bounds,
    EndpointState,
    Plan,
    RestoreRefused,
    Suspension,
    VariantChange,
    plan_guard,
    plan_restore,
    verify_applied,
)
from lambdas.budget_guard.settings import Settings
from lambdas.common import tags as tag_keys
from lambdas.common.aws import TaggedEndpoint
from lambdas.common.retry import describe_error


def utc_now() -> datetime:
    """The clock of the switch (UTC): the budget period is the month of this instant. Tests replace it."""
    return datetime.now(UTC)


Verdict = Confirmed | NotConfirmed


class Outcome(StrEnum):
    """What happened to one endpoint."""

    GUARDED = "guarded"
    RESTORED = "restored"
    WOULD_CHANGE = "would-change"  # dry run
    SKIPPED = "skipped"
    REFUSED = "refused"  # restore: the record is incomplete, edited or out of range; left in place
    FAILED = "failed"


@dataclass(frozen=True)
class EndpointResult:
    """Outcome for one endpoint, with the per-variant changes made (or planned, in a dry run)."""

    endpoint_name: str
    outcome: Outcome
    detail: str = ""
    changes: tuple[VariantChange, ...] = ()


@dataclass
class Report:
    """Results of one run over a project's endpoints."""

    action: str
    project: str
    dry_run: bool
    budget_period: str | None = None
    #: Why the switch acted: what AWS Budgets reported (guard only).
    confirmation: str | None = None
    results: list[EndpointResult] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        """How many endpoints ended with ``outcome``."""
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def failures(self) -> list[EndpointResult]:
        """Endpoints the switch could not act on (failed, or a restore it refused)."""
        return [r for r in self.results if r.outcome in (Outcome.FAILED, Outcome.REFUSED)]

    @property
    def changed(self) -> bool:
        """True when anything was changed, or would be in a dry run, or failed (worth telling people)."""
        return any(r.outcome is not Outcome.SKIPPED for r in self.results)

    def to_message(self) -> str:
        """JSON summary published to the alerts topic (tagged SUMMARY_SOURCE: the switch ignores it)."""
        body = {"source": SUMMARY_SOURCE, **asdict(self)}
        return json.dumps(body, indent=2, default=str)

    def subject(self) -> str:
        """One-line SNS subject."""
        prefix = "[DRY RUN] " if self.dry_run else ""
        verb = "lowered" if self.action == "guard" else "restored"
        done = self.count(Outcome.GUARDED) + self.count(Outcome.RESTORED) + self.count(Outcome.WOULD_CHANGE)
        failed = len(self.failures)
        tail = f", {failed} failed" if failed else ""
        return f"{prefix}infersave {self.project}: budget guard {verb} {done} endpoint(s){tail}"


def check_budget(clients: aws.Clients, settings: Settings, *, account_id: str, now: datetime) -> Verdict:
    """DescribeBudget of the project's budget in ``account_id`` (the caller's own), judged at ``now``.
    AWS errors propagate: without the budget's state nothing may be lowered."""
    budget = aws.describe_budget(clients.budgets, account_id=account_id, budget_name=settings.budget_name)
    return confirm_breach(
        budget,
        budget_name=settings.budget_name,
        project=settings.project_name,
        threshold_percent=settings.breach_threshold_percent,
        now=now,
    )


def guard_confirmed(
    clients: aws.Clients, settings: Settings, confirmed: Confirmed, *, now: datetime
) -> Report:
    """:func:`guard_project` for the period and with the evidence of ``confirmed``."""
    return guard_project(
        clients,
        project=settings.project_name,
        period=confirmed.period,
        floor=settings.floor_instance_count,
        now=now,
        dry_run=settings.dry_run,
        confirmation=confirmed.describe(),
    )


def guard_project(
    clients: aws.Clients,
    *,
    project: str,
    period: str,
    floor: int,
    now: datetime,
    dry_run: bool,
    confirmation: str | None = None,
) -> Report:
    """Lower every endpoint of ``project`` to ``floor`` instances per variant for budget ``period``.

    ``period`` (YYYY-MM) must come from AWS (:func:`lambdas.budget_guard.confirm.confirm_breach`). Endpoints
    whose listed tags already mark the period guarded or released are skipped without reading SageMaker,
    so a scheduled re-check during a breached month costs one listing, not three calls per endpoint.
    """
    report = Report(
        action="guard", project=project, dry_run=dry_run, budget_period=period, confirmation=confirmation
    )
    pending: list[TaggedEndpoint] = []
    for endpoint in aws.find_project_endpoints(clients.tagging, project=project):
        done = _already_done(endpoint.tags, period)
        if done:
            report.results.append(EndpointResult(endpoint.arn_name, Outcome.SKIPPED, done))
        else:
            pending.append(endpoint)

    def plan(state: EndpointState) -> Plan:
        return plan_guard(state, floor=floor, period=period, now=now)

    _run(clients, report, [e.arn_name for e in pending], plan, Outcome.GUARDED)
    return report


def restore_project(
    clients: aws.Clients,
    *,
    project: str,
    endpoint_name: str | None = None,
    dry_run: bool = False,
    bounds: Mapping[str, Bounds] | None = None,
) -> Report:
    """Put back the capacity recorded on the guarded endpoints of ``project`` (or on one endpoint of it).

    ``bounds`` (lower-case endpoint name -> config bounds) refuses recorded values outside them.
    """
    report = Report(action="restore", project=project, dry_run=dry_run)
    names = [e.arn_name for e in aws.find_project_endpoints(clients.tagging, project=project)]
    if endpoint_name is not None:
        wanted = endpoint_name.lower()
        names = [n for n in names if n.lower() == wanted]
        if not names:
            report.results.append(
                EndpointResult(
                    endpoint_name,
                    Outcome.FAILED,
                    f"no endpoint {endpoint_name!r} tagged {tag_keys.PROJECT}={project}",
                )
            )
            return report

    def plan(state: EndpointState) -> Plan:
        return plan_restore(state, bounds=(bounds or {}).get(state.endpoint_name.lower()))

    _run(clients, report, names, plan, Outcome.RESTORED, verify=True)
    return report


def _already_done(tags: Mapping[str, str], period: str) -> str | None:
    if tags.get(BUDGET_PERIOD) == period:
        return f"already guarded for budget period {period} (per its tags)"
    if tags.get(RELEASED_PERIOD) == period:
        return f"restored by an operator for budget period {period}; not lowering it again"
    return None


def _run(
    clients: aws.Clients,
    report: Report,
    names: list[str],
    make_plan: Callable[[EndpointState], Plan],
    done: Outcome,
    *,
    verify: bool = False,
) -> None:
    for name in names:
        try:
            report.results.append(_one(clients, report.dry_run, name, make_plan, done, verify=verify))
        except RestoreRefused as exc:
            report.results.append(EndpointResult(name, Outcome.REFUSED, describe_error(exc, limit=500)))
        except (
            Exception
        ) as exc:  # any error of one endpoint (AWS, paging, a bad tag) must not stop the others
            report.results.append(
                EndpointResult(
                    name, Outcome.FAILED, f"{type(exc).__name__}: {describe_error(exc, limit=500)}"
                )
            )


def _one(
    clients: aws.Clients,
    dry_run: bool,
    name: str,
    make_plan: Callable[[EndpointState], Plan],
    done: Outcome,
    *,
    verify: bool,
) -> EndpointResult:
    state = aws.read_endpoint_state(clients.sagemaker, clients.autoscaling, name)
    plan = make_plan(state)
    if plan.skip_reason is not None:
        return EndpointResult(state.endpoint_name, Outcome.SKIPPED, plan.skip_reason)
    if dry_run:
        return EndpointResult(
            state.endpoint_name, Outcome.WOULD_CHANGE, "dry run: nothing changed", plan.changes
        )
    aws.apply_changes(clients.sagemaker, clients.autoscaling, plan)
    if verify and plan.changes:
        problems = verify_applied(plan, aws.read_endpoint_state(clients.sagemaker, clients.autoscaling, name))
        if problems:
            return EndpointResult(
                state.endpoint_name,
                Outcome.FAILED,
                "changes did not read back as applied; the record is kept: " + "; ".join(problems),
                plan.changes,
            )
    aws.write_marks(clients.sagemaker, plan)
    return EndpointResult(state.endpoint_name, done, _describe(plan), plan.changes)


def _describe(plan: Plan) -> str:
    if not plan.changes:
        return "capacity already as planned; record tags updated"
    parts = [
        f"{c.variant_name}: min {c.min_capacity}, max {c.max_capacity}"
        + (f", desired {c.desired_instance_count}" if c.desired_instance_count is not None else "")
        + (f", suspended {_suspended(c.suspension)}" if c.suspension is not None else "")
        for c in plan.changes
    ]
    return "; ".join(parts)


def _suspended(suspension: Suspension) -> str:
    flags = {
        "scheduled scaling": suspension.scheduled,
        "dynamic scale-in": suspension.dynamic_in,
        "dynamic scale-out": suspension.dynamic_out,
    }
    return " + ".join(name for name, on in flags.items() if on) or "nothing"
