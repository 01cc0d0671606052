"""Classify messages from the project's alerts topic: does one claim a budget breach worth checking with AWS?

The topic carries three kinds of message (see the guardrails stack):

* AWS Budgets notifications: plain text, e-mail style, one field per line after a prose paragraph (layout
  validated against two captured messages, /work/shared/reference/inferentia-facts.md "Budgets
  notification text"), for example::

      AWS Budget Notification June 14, 2025
      AWS Account 111122223333
      ...
      Budget Name: infersave-demo
      Budget Type: Cost
      Budgeted Amount: $1,000.00
      Alert Type: ACTUAL
      Alert Threshold: > $1,000.00
      ACTUAL Amount: $1,012.34

* Cost Anomaly Detection and CloudWatch alarm notifications: JSON objects.
* The switch's own summaries (JSON with ``"source": "infersave.budget-guard"``), which it must not act on,
  since it is subscribed to the topic it publishes to.

The text is not signed and any principal allowed to publish to the topic can write it, so nothing here is
trusted: a message that passes every check is only a :class:`Claim`, which the handler confirms with the
Budgets API (:mod:`lambdas.budget_guard.confirm`) before anything is lowered. The checks only drop what
cannot be a current breach of this project's budget in this account without spending an API call.

Parsing is linear in the message length and bounded: messages over :data:`MAX_MESSAGE_CHARS` are refused
unread; lines are split once and read with ``str.partition`` (no regular expressions, so nothing can
backtrack); digits are ASCII digits only (``str.isdigit`` also accepts superscripts and other scripts).
Everything here is pure: text in, a decision out. Amounts are USD.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

#: ``source`` field of the summaries this switch publishes (and ignores when they come back).
SUMMARY_SOURCE: Final = "infersave.budget-guard"
#: The event the re-check schedule sends: check the budget with AWS and guard what is not guarded yet.
RECHECK_EVENT: Final = {"source": SUMMARY_SOURCE, "action": "recheck"}

#: A Budgets notification is about 1.2 KB; SNS allows 256 KB. Longer messages are refused unread.
MAX_MESSAGE_CHARS: Final = 16_384
#: Field names are a few words ("Budgeted Amount"); a longer text before the first colon is prose.
_MAX_FIELD_NAME_CHARS: Final = 32
#: Amounts as text: "$1,234,567,890.12" is 17 characters; longer is not a budget amount.
_MAX_AMOUNT_CHARS: Final = 32
_ASCII_DIGITS: Final = frozenset("0123456789")
_NAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ")
_HEADER_PREFIX: Final = "AWS Budget Notification "
_ACCOUNT_PREFIX: Final = "AWS Account "
#: Field lines read (lower case); others are ignored. A field given twice makes the message malformed.
_FIELDS: Final = frozenset(
    {
        "budget name",
        "budget type",
        "budgeted amount",
        "alert type",
        "alert threshold",
        "actual amount",
        "forecasted amount",
    }
)

_MONTHS: Final = {
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


class IgnoreReason(StrEnum):
    """Why a message needs no action; values are stable (they appear in logs)."""

    OWN_SUMMARY = "own-summary"
    ANOMALY = "cost-anomaly-notification"
    ALARM = "cloudwatch-alarm-notification"
    OTHER_JSON = "other-json-message"
    NOT_BUDGET = "not-a-budget-notification"
    OVERSIZE = "oversize-message"
    MALFORMED = "malformed-budget-notification"
    OTHER_BUDGET = "other-budget"
    OTHER_ACCOUNT = "other-account"
    STALE = "stale-period"
    FUTURE = "future-period"
    NOT_COST = "not-a-cost-budget"
    NOT_ACTUAL = "not-an-actual-alert"
    BELOW_THRESHOLD = "below-breach-threshold"


#: Reasons logged as warnings: a message that looks like a Budgets alert for us but cannot be one.
SUSPICIOUS: Final = frozenset(
    {
        IgnoreReason.OVERSIZE,
        IgnoreReason.MALFORMED,
        IgnoreReason.OTHER_ACCOUNT,
        IgnoreReason.STALE,
        IgnoreReason.FUTURE,
    }
)


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
    account_id: str | None = None

    @property
    def period(self) -> str:
        """Budget period the alert belongs to (monthly budgets: the UTC month of the notification)."""
        return period_of(self.notified_on)

    @property
    def spent_percent(self) -> Decimal | None:
        """Actual spend as a percentage of the budgeted amount, or None if the message lacks it."""
        if self.actual_amount_usd is None or self.budgeted_amount_usd <= 0:
            return None
        return self.actual_amount_usd * 100 / self.budgeted_amount_usd


@dataclass(frozen=True)
class Claim:
    """A message that claims an ACTUAL breach of this project's budget in this account for the current
    period. Not proof: the handler acts only once the Budgets API confirms it."""

    notification: BudgetNotification


@dataclass(frozen=True)
class Ignored:
    """A message that needs no action, with the reason and a human-readable detail."""

    reason: IgnoreReason
    detail: str


Decision = Claim | Ignored


class MalformedNotification(ValueError):
    """A Budgets notification that lacks a field the switch needs; the message names it."""


def period_of(day: date | datetime) -> str:
    """The monthly budget period (``YYYY-MM``) containing ``day``."""
    return f"{day.year:04d}-{day.month:02d}"


def classify(
    message: str,
    *,
    budget_name: str,
    account_id: str,
    breach_threshold_percent: Decimal,
    received_at: datetime,
    now: datetime,
) -> Decision:
    """Decide whether ``message`` (an SNS Message body) claims a breach of ``budget_name`` worth confirming.

    A claim is an ACTUAL alert of a Cost budget named exactly ``budget_name``, in account ``account_id``
    (the function's own account, never the message's), dated in the budget period of ``now`` (UTC), whose
    stated spend is at least ``breach_threshold_percent`` % of the stated budget. ``received_at`` (the SNS
    timestamp) dates the alert when the message has no date line.
    """
    if len(message) > MAX_MESSAGE_CHARS:
        return Ignored(
            IgnoreReason.OVERSIZE,
            f"message of {len(message)} characters, over the {MAX_MESSAGE_CHARS} a Budgets notification "
            "can take; not read",
        )
    stripped = message.strip()
    if stripped.startswith("{"):
        return _classify_json(stripped)
    if "Budget Name:" not in message:
        return Ignored(IgnoreReason.NOT_BUDGET, "neither JSON nor an AWS Budgets notification")
    try:
        notification = parse_budget_notification(message, received_at=received_at)
    except MalformedNotification as exc:
        return Ignored(IgnoreReason.MALFORMED, str(exc))
    return _judge(
        notification,
        budget_name=budget_name,
        account_id=account_id,
        breach_threshold_percent=breach_threshold_percent,
        current_period=period_of(now),
    )


def parse_budget_notification(message: str, *, received_at: datetime) -> BudgetNotification:
    """Parse the plain-text body AWS Budgets publishes to SNS; raises MalformedNotification.

    Linear in ``len(message)``; callers cap the length first (:func:`classify` does).
    """
    fields: dict[str, str] = {}
    notified_on: date | None = None
    account_id: str | None = None
    for raw_line in message.splitlines():
        line = raw_line.strip()
        if line.startswith(_HEADER_PREFIX):
            notified_on = _notified_on(line.removeprefix(_HEADER_PREFIX))
            continue
        if line.startswith(_ACCOUNT_PREFIX):
            account_id = _account(line.removeprefix(_ACCOUNT_PREFIX))
            continue
        name, sep, value = line.partition(":")
        key = name.strip().lower()
        if not sep or len(name) > _MAX_FIELD_NAME_CHARS or key not in _FIELDS or not set(name) <= _NAME_CHARS:
            continue
        if key in fields:
            raise MalformedNotification(f"budget notification has two '{key.title()}' lines")
        fields[key] = value.strip()

    def need(key: str) -> str:
        value = fields.get(key, "")
        if not value:
            raise MalformedNotification(f"budget notification has no '{key.title()}' line")
        return value

    alert_type = need("alert type").upper()
    actual_raw = fields.get(f"{alert_type.lower()} amount", "")
    return BudgetNotification(
        budget_name=need("budget name"),
        budget_type=need("budget type"),
        alert_type=alert_type,
        budgeted_amount_usd=_amount(need("budgeted amount"), "Budgeted Amount"),
        alert_threshold=fields.get("alert threshold", ""),
        actual_amount_usd=_amount(actual_raw, f"{alert_type} Amount") if actual_raw else None,
        notified_on=notified_on or received_at.date(),
        account_id=account_id,
    )


def parse_amount(raw: str) -> Decimal | None:
    """A non-negative decimal written with ASCII digits, optional thousands commas, an optional ``$`` and
    ``USD``: ``$1,012.34``, ``1012.34 USD``. None for anything else (exponents, NaN, other scripts' digits,
    more than 32 characters), so the Decimal arithmetic that follows cannot overflow."""
    text = raw.strip()
    if len(text) > _MAX_AMOUNT_CHARS:
        return None
    text = text.removeprefix("USD").strip().removeprefix("$").strip().removesuffix("USD").strip()
    digits = text.replace(",", "")
    whole, _, fraction = digits.partition(".")
    if not whole or not set(whole) <= _ASCII_DIGITS or not set(fraction) <= _ASCII_DIGITS:
        return None
    if digits.endswith(".") or text.startswith(","):
        return None
    try:
        return Decimal(digits)
    except InvalidOperation:  # pragma: no cover - only ASCII digits and one dot reach here
        return None


def _judge(
    notification: BudgetNotification,
    *,
    budget_name: str,
    account_id: str,
    breach_threshold_percent: Decimal,
    current_period: str,
) -> Decision:
    if notification.budget_name != budget_name:
        return Ignored(
            IgnoreReason.OTHER_BUDGET,
            f"budget {notification.budget_name[:100]!r} is not this project's budget {budget_name!r}",
        )
    if notification.account_id is None:
        return Ignored(IgnoreReason.MALFORMED, "budget notification has no 'AWS Account <12 digits>' line")
    if notification.account_id != account_id:
        return Ignored(
            IgnoreReason.OTHER_ACCOUNT,
            f"notification names account {notification.account_id}, this function runs in {account_id}",
        )
    if notification.period < current_period:
        return Ignored(
            IgnoreReason.STALE,
            f"notification dated {notification.notified_on} (period {notification.period}); the current "
            f"budget period is {current_period}",
        )
    if notification.period > current_period:
        return Ignored(
            IgnoreReason.FUTURE,
            f"notification dated {notification.notified_on} (period {notification.period}), after the "
            f"current budget period {current_period}",
        )
    if notification.budget_type.lower() != "cost":
        return Ignored(IgnoreReason.NOT_COST, f"budget type is {notification.budget_type[:40]!r}, not Cost")
    if notification.alert_type != "ACTUAL":
        return Ignored(IgnoreReason.NOT_ACTUAL, f"alert type is {notification.alert_type[:40]}, not ACTUAL")
    spent = notification.spent_percent
    if spent is None:
        return Ignored(IgnoreReason.MALFORMED, "ACTUAL alert without a usable 'ACTUAL Amount' line")
    if spent < breach_threshold_percent:
        return Ignored(
            IgnoreReason.BELOW_THRESHOLD,
            f"actual spend is {spent:.1f}% of the budget, below the breach threshold "
            f"{breach_threshold_percent}%",
        )
    return Claim(notification)


def _classify_json(text: str) -> Ignored:
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError; deep nesting recurses
        return Ignored(IgnoreReason.NOT_BUDGET, "starts like JSON but does not parse")
    if not isinstance(body, dict):
        return Ignored(IgnoreReason.OTHER_JSON, "JSON message that is not an object")
    if body.get("source") == SUMMARY_SOURCE:
        return Ignored(IgnoreReason.OWN_SUMMARY, "summary published by the breach switch itself")
    if "anomalyId" in body or "anomalyStartDate" in body or "monitorArn" in body:
        return Ignored(IgnoreReason.ANOMALY, f"cost anomaly {str(body.get('anomalyId', '?'))[:100]}")
    if "AlarmName" in body:
        return Ignored(
            IgnoreReason.ALARM,
            f"CloudWatch alarm {str(body['AlarmName'])[:255]!r} {str(body.get('NewStateValue'))[:20]}",
        )
    return Ignored(IgnoreReason.OTHER_JSON, "JSON message of no known kind")


def _amount(raw: str, label: str) -> Decimal:
    value = parse_amount(raw)
    if value is None:
        raise MalformedNotification(f"'{label}' is not a dollar amount: {raw[:40]!r}")
    return value


def _account(text: str) -> str:
    account = text.strip()
    if len(account) != 12 or not set(account) <= _ASCII_DIGITS:
        raise MalformedNotification(f"'AWS Account' is not 12 digits: {account[:40]!r}")
    return account


def _notified_on(text: str) -> date:
    """``June 14, 2025`` as a date; raises MalformedNotification otherwise."""
    words = text.replace(",", " ").split()
    month = _MONTHS.get(words[0].lower()) if len(words) == 3 else None
    day, year = (words[1], words[2]) if len(words) == 3 else ("", "")
    valid = month is not None and 1 <= len(day) <= 2 and len(year) == 4
    if not valid or not set(day + year) <= _ASCII_DIGITS:
        raise MalformedNotification(f"'AWS Budget Notification' date is not 'Month DD, YYYY': {text[:40]!r}")
    try:
        return date(int(year), month or 0, int(day))
    except ValueError:
        raise MalformedNotification(f"'AWS Budget Notification' date does not exist: {text[:40]!r}") from None
