"""Orchestration: guard or restore every endpoint of a project and report what happened to each.

One endpoint's failure does not stop the others; the report lists failures and the caller (handler or CLI)
fails the run when there are any. Errors before any endpoint is known (discovery) propagate.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.budget_guard import aws
from lambdas.budget_guard.messages import SUMMARY_SOURCE, BudgetNotification
from lambdas.budget_guard.planner import (
    EndpointState,
    Plan,
    PlanError,
    Suspension,
    VariantChange,
    plan_guard,
    plan_restore,
)
from lambdas.common import tags as tag_keys
from lambdas.common.retry import describe_error


class Outcome(StrEnum):
    """What happened to one endpoint."""

    GUARDED = "guarded"
    RESTORED = "restored"
    WOULD_CHANGE = "would-change"  # dry run
    SKIPPED = "skipped"
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
    results: list[EndpointResult] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        """How many endpoints ended with ``outcome``."""
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def failures(self) -> list[EndpointResult]:
        """Endpoints the switch could not act on."""
        return [r for r in self.results if r.outcome is Outcome.FAILED]

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


def guard_project(
    clients: aws.Clients,
    *,
    project: str,
    notification: BudgetNotification,
    floor: int,
    now: datetime,
    dry_run: bool,
) -> Report:
    """Lower every endpoint of ``project`` to ``floor`` instances per variant for the alert's period."""
    report = Report(action="guard", project=project, dry_run=dry_run, budget_period=notification.period)

    def plan(state: EndpointState) -> Plan:
        return plan_guard(state, floor=floor, period=notification.period, now=now)

    _run(
        clients,
        report,
        aws.find_project_endpoints(clients.tagging, project=project),
        plan,
        Outcome.GUARDED,
    )
    return report


def restore_project(
    clients: aws.Clients, *, project: str, endpoint_name: str | None = None, dry_run: bool = False
) -> Report:
    """Put back the capacity recorded on the guarded endpoints of ``project`` (or on one endpoint of it)."""
    report = Report(action="restore", project=project, dry_run=dry_run)
    names = aws.find_project_endpoints(clients.tagging, project=project)
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
    _run(clients, report, names, plan_restore, Outcome.RESTORED)
    return report


def _run(
    clients: aws.Clients,
    report: Report,
    names: list[str],
    make_plan: Callable[[EndpointState], Plan],
    done: Outcome,
) -> None:
    for name in names:
        try:
            state = aws.read_endpoint_state(clients.sagemaker, clients.autoscaling, name)
            plan = make_plan(state)
            if plan.skip_reason is not None:
                report.results.append(EndpointResult(state.endpoint_name, Outcome.SKIPPED, plan.skip_reason))
                continue
            if report.dry_run:
                report.results.append(
                    EndpointResult(
                        state.endpoint_name, Outcome.WOULD_CHANGE, "dry run: nothing changed", plan.changes
                    )
                )
                continue
            aws.execute_plan(clients.sagemaker, clients.autoscaling, plan)
            report.results.append(EndpointResult(state.endpoint_name, done, _describe(plan), plan.changes))
        except (ClientError, BotoCoreError, PlanError) as exc:
            report.results.append(
                EndpointResult(name, Outcome.FAILED, f"{type(exc).__name__}: {describe_error(exc)}")
            )


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
