"""Classify messages from the project's alerts topic: is this a budget breach the switch must act on?

The topic carries three kinds of message (see the guardrails stack):

* AWS Budgets notifications: plain text, e-mail style, for example::

      AWS Budget Notification June 14, 2025
      AWS Account 111122223333
      ...
      Budget Name: infersave-demo-monthly
      Budget Type: Cost
      Budgeted Amount: $1,000.00
      Alert Type: ACTUAL
      Alert Threshold: > $1,000.00
      ACTUAL Amount: $1,012.34

* Cost Anomaly Detection and CloudWatch alarm notifications: JSON objects.
* The switch's own summaries (JSON with ``"source": "infersave.budget-guard"``), which it must not act on,
  since it is subscribed to the topic it publishes to.

Everything here is pure: text in, a decision out. Amounts are USD.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

#: ``source`` field of the summaries this switch publishes (and ignores when they come back).
SUMMARY_SOURCE = "infersave.budget-guard"

_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_HEADER = re.compile(r"AWS Budget Notification\s+([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})")
_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z ]*?)\s*:\s*(.*?)\s*$")
_AMOUNT = re.compile(r"^(?:USD\s*)?\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:USD)?$")


class IgnoreReason(StrEnum):
    """Why a message needs no action; values are stable (they appear in logs)."""

    OWN_SUMMARY = "own-summary"
    ANOMALY = "cost-anomaly-notification"
    ALARM = "cloudwatch-alarm-notification"
    OTHER_JSON = "other-json-message"
    NOT_BUDGET = "not-a-budget-notification"
    MALFORMED = "malformed-budget-notification"
    OTHER_BUDGET = "other-budget"
    NOT_COST = "not-a-cost-budget"
    NOT_ACTUAL = "not-an-actual-alert"
    BELOW_THRESHOLD = "below-breach-threshold"


@dataclass(frozen=True)
class BudgetNotification:
    """The fields of one AWS Budgets notification. Amounts in USD; ``period`` is the budget month, YYYY-MM."""

    budget_name: str
    budget_type: str
    alert_type: str
    budgeted_amount_usd: Decimal
    alert_threshold: str
    actual_amount_usd: Decimal | None
    notified_on: date

    @property
    def period(self) -> str:
        """Budget period the alert belongs to (monthly budgets: the UTC month of the notification)."""
        return f"{self.notified_on.year:04d}-{self.notified_on.month:02d}"

    @property
    def spent_percent(self) -> Decimal | None:
        """Actual spend as a percentage of the budgeted amount, or None if the message lacks it."""
        if self.actual_amount_usd is None or self.budgeted_amount_usd <= 0:
            return None
        return self.actual_amount_usd * 100 / self.budgeted_amount_usd


@dataclass(frozen=True)
class Breach:
    """An ACTUAL breach of the configured threshold of this project's budget: act on it."""

    notification: BudgetNotification


@dataclass(frozen=True)
class Ignored:
    """A message that needs no action, with the reason and a human-readable detail."""

    reason: IgnoreReason
    detail: str


Decision = Breach | Ignored


class MalformedNotification(ValueError):
    """A Budgets notification that lacks a field the switch needs; the message names it."""


def classify(
    message: str, *, budget_name: str, breach_threshold_percent: Decimal, received_at: datetime
) -> Decision:
    """Decide whether ``message`` (an SNS Message body) is a breach of ``budget_name`` to act on.

    A breach is an ACTUAL alert of a Cost budget named exactly ``budget_name`` whose actual spend is at
    least ``breach_threshold_percent`` % of the budgeted amount. ``received_at`` (the SNS timestamp) dates
    the alert when the message has no date line.
    """
    stripped = message.strip()
    if stripped.startswith("{"):
        return _classify_json(stripped)
    if "Budget Name:" not in message:
        return Ignored(IgnoreReason.NOT_BUDGET, "neither JSON nor an AWS Budgets notification")
    try:
        notification = parse_budget_notification(message, received_at=received_at)
    except MalformedNotification as exc:
        return Ignored(IgnoreReason.MALFORMED, str(exc))
    return _judge(notification, budget_name=budget_name, breach_threshold_percent=breach_threshold_percent)


def parse_budget_notification(message: str, *, received_at: datetime) -> BudgetNotification:
    """Parse the plain-text body AWS Budgets publishes to SNS; raises MalformedNotification."""
    fields: dict[str, str] = {}
    for line in message.splitlines():
        match = _FIELD.match(line)
        if match:
            fields.setdefault(match.group(1).strip().lower(), match.group(2))

    def need(key: str) -> str:
        value = fields.get(key, "").strip()
        if not value:
            raise MalformedNotification(f"budget notification has no '{key.title()}' line")
        return value

    alert_type = need("alert type").upper()
    actual_raw = fields.get(f"{alert_type.lower()} amount", "").strip()
    return BudgetNotification(
        budget_name=need("budget name"),
        budget_type=need("budget type"),
        alert_type=alert_type,
        budgeted_amount_usd=_amount(need("budgeted amount"), "Budgeted Amount"),
        alert_threshold=fields.get("alert threshold", "").strip(),
        actual_amount_usd=_amount(actual_raw, f"{alert_type} Amount") if actual_raw else None,
        notified_on=_notified_on(message) or received_at.date(),
    )


def _judge(
    notification: BudgetNotification, *, budget_name: str, breach_threshold_percent: Decimal
) -> Decision:
    if notification.budget_name != budget_name:
        return Ignored(
            IgnoreReason.OTHER_BUDGET,
            f"budget {notification.budget_name!r} is not this project's budget {budget_name!r}",
        )
    if notification.budget_type.lower() != "cost":
        return Ignored(IgnoreReason.NOT_COST, f"budget type is {notification.budget_type!r}, not Cost")
    if notification.alert_type != "ACTUAL":
        return Ignored(IgnoreReason.NOT_ACTUAL, f"alert type is {notification.alert_type}, not ACTUAL")
    spent = notification.spent_percent
    if spent is None:
        return Ignored(IgnoreReason.MALFORMED, "ACTUAL alert without a usable 'ACTUAL Amount' line")
    if spent < breach_threshold_percent:
        return Ignored(
            IgnoreReason.BELOW_THRESHOLD,
            f"actual spend is {spent:.1f}% of the budget, below the breach threshold "
            f"{breach_threshold_percent}%",
        )
    return Breach(notification)


def _classify_json(text: str) -> Ignored:
    try:
        body = json.loads(text)
    except json.JSONDecodeError:
        return Ignored(IgnoreReason.NOT_BUDGET, "starts like JSON but does not parse")
    if not isinstance(body, dict):
        return Ignored(IgnoreReason.OTHER_JSON, "JSON message that is not an object")
    if body.get("source") == SUMMARY_SOURCE:
        return Ignored(IgnoreReason.OWN_SUMMARY, "summary published by the breach switch itself")
    if "anomalyId" in body or "anomalyStartDate" in body or "monitorArn" in body:
        return Ignored(IgnoreReason.ANOMALY, f"cost anomaly {body.get('anomalyId', '?')}")
    if "AlarmName" in body:
        return Ignored(
            IgnoreReason.ALARM, f"CloudWatch alarm {body['AlarmName']!r} {body.get('NewStateValue')}"
        )
    return Ignored(IgnoreReason.OTHER_JSON, "JSON message of no known kind")


def _amount(raw: str, label: str) -> Decimal:
    match = _AMOUNT.match(raw.strip())
    if not match:
        raise MalformedNotification(f"'{label}' is not a dollar amount: {raw!r}")
    try:
        return Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise MalformedNotification(f"'{label}' is not a dollar amount: {raw!r}") from None


def _notified_on(message: str) -> date | None:
    match = _HEADER.search(message)
    if not match:
        return None
    month = _MONTHS.get(match.group(1).lower())
    if month is None:
        return None
    try:
        return date(int(match.group(3)), month, int(match.group(2)))
    except ValueError:
        return None
