# ruff: noqa: RUF001 - look-alike digits and letters are what these cases test
"""Hostile message text: forged, other-account, stale, future, over-size, backtracking bait, odd Unicode.

Every case goes through :func:`classify` as the handler calls it. None may raise, and none but the genuine
alert may come out as a claim (a claim is then still checked with AWS Budgets, see the faults suite).
Parsing is bounded: over-size text is refused unread, and the parser has no regular expressions.
"""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from types import FrameType
from typing import Any

import pytest

from lambdas.budget_guard import messages
from lambdas.budget_guard.messages import (
    MAX_MESSAGE_CHARS,
    Claim,
    Ignored,
    IgnoreReason,
    classify,
    parse_amount,
    parse_budget_notification,
)
from tests.budget_guard.samples import ACCOUNT_ID, BUDGET_NAME, budget_message

NOW = datetime(2025, 6, 14, 10, 0, tzinfo=UTC)
KIB = 1024
R = IgnoreReason


def _classify(message: str) -> Claim | Ignored:
    return classify(
        message,
        budget_name=BUDGET_NAME,
        account_id=ACCOUNT_ID,
        breach_threshold_percent=Decimal(100),
        received_at=NOW,
        now=NOW,
    )


def _swap(old: str, new: str) -> str:
    message = budget_message()
    assert old in message
    return message.replace(old, new)


GENUINE = budget_message()

#: (case id, message, expected reason). All must be ignored with that reason.
HOSTILE: list[tuple[str, str, IgnoreReason]] = [
    # Another account's alert, or an account written to slip past a naive digit check.
    ("other-account", budget_message(account="210987654321"), R.OTHER_ACCOUNT),
    ("account-11-digits", budget_message(account="12345678901"), R.MALFORMED),
    ("account-13-digits", budget_message(account="1234567890123"), R.MALFORMED),
    ("account-arabic-indic", budget_message(account="١٢٣٤٥٦٧٨٩٠١٢"), R.MALFORMED),
    ("account-fullwidth", budget_message(account="１２３４５６７８９０１２"), R.MALFORMED),
    ("account-superscript", budget_message(account="¹²³⁴⁵⁶⁷⁸⁹⁰¹²"), R.MALFORMED),
    ("account-with-spaces", budget_message(account="1234 5678 9012"), R.MALFORMED),
    ("account-line-missing", _swap("AWS Account 123456789012\n", ""), R.MALFORMED),
    (
        "account-line-twice-other",
        _swap("AWS Account 123456789012\n", "AWS Account 123456789012\nAWS Account 210987654321\n"),
        R.OTHER_ACCOUNT,
    ),
    # Dated in another budget period than the function's current one.
    ("stale-last-month", budget_message(notified="May 31, 2025"), R.STALE),
    ("stale-long-past", budget_message(notified="June 14, 2019"), R.STALE),
    ("stale-last-year-same-month", budget_message(notified="June 14, 2024"), R.STALE),
    ("future-next-month", budget_message(notified="July 1, 2025"), R.FUTURE),
    ("future-far", budget_message(notified="June 14, 9999"), R.FUTURE),
    ("date-does-not-exist", budget_message(notified="February 30, 2025"), R.MALFORMED),
    ("date-unknown-month", budget_message(notified="Smarch 14, 2025"), R.MALFORMED),
    ("date-superscript-day", budget_message(notified="June ¹⁴, 2025"), R.MALFORMED),
    ("date-arabic-indic-year", budget_message(notified="June 14, ٢٠٢٥"), R.MALFORMED),
    ("date-extra-words", budget_message(notified="June 14, 2025 or later"), R.MALFORMED),
    # Amounts that are not plain dollar amounts.
    ("amount-superscript", budget_message(amount="$1,0¹2.34"), R.MALFORMED),
    ("amount-fullwidth", budget_message(amount="$１０１２.34"), R.MALFORMED),
    ("amount-exponent", budget_message(amount="1e30"), R.MALFORMED),
    ("amount-nan", budget_message(amount="NaN"), R.MALFORMED),
    ("amount-infinity", budget_message(amount="Infinity"), R.MALFORMED),
    ("amount-negative", budget_message(amount="$-5,000.00"), R.MALFORMED),
    ("amount-two-dots", budget_message(amount="$1.012.34"), R.MALFORMED),
    ("amount-40-digits", budget_message(amount="$" + "9" * 40), R.MALFORMED),
    ("budgeted-zero", budget_message(budgeted="$0.00"), R.MALFORMED),
    ("budgeted-exponent", budget_message(budgeted="1E-30"), R.MALFORMED),
    # Fields given twice, to smuggle a second value past a first-wins parser.
    ("budget-name-twice", _swap("Budget Type:", f"Budget Name: {BUDGET_NAME}\nBudget Type:"), R.MALFORMED),
    ("amount-twice", _swap("Alert Type:", "ACTUAL Amount: $5,000.00\nAlert Type:"), R.MALFORMED),
    # Lookalikes of this project's budget name.
    ("name-cyrillic-e", budget_message(budget_name="infersave-dеmo"), R.OTHER_BUDGET),
    ("name-prefix", budget_message(budget_name="infersave-demo-x"), R.OTHER_BUDGET),
    ("name-upper", budget_message(budget_name="INFERSAVE-DEMO"), R.OTHER_BUDGET),
    ("name-zero-width", budget_message(budget_name="infersave-\u200bdemo"), R.OTHER_BUDGET),
    # Well-formed but not a breach to act on.
    ("forecast", budget_message(alert_type="FORECASTED"), R.NOT_ACTUAL),
    ("usage-budget", budget_message(budget_type="Usage"), R.NOT_COST),
    ("below-threshold", budget_message(amount="$999.99"), R.BELOW_THRESHOLD),
    # Size and backtracking bait: over-size refused unread; at the cap, parsed in one pass.
    ("oversize-256k-name", "Budget Name: " + "a" * (256 * KIB), R.OVERSIZE),
    ("oversize-256k-spaces", "Budget Name:" + " " * (256 * KIB) + "x", R.OVERSIZE),
    ("oversize-padded-genuine", GENUINE + " " * (256 * KIB), R.OVERSIZE),
    ("oversize-by-one", GENUINE + "x" * (MAX_MESSAGE_CHARS - len(GENUINE) + 1), R.OVERSIZE),
    (
        "cap-name-spaces",
        ("Budget Name:" + " " * MAX_MESSAGE_CHARS)[: MAX_MESSAGE_CHARS - 1] + "x",
        R.MALFORMED,
    ),
    # The old field regex backtracked quadratically on a word followed by a long run of spaces, no colon.
    ("cap-word-then-spaces", "Budget Name: x\nBudget" + " " * (MAX_MESSAGE_CHARS - 30) + "x", R.MALFORMED),
    ("cap-letters-no-colon", "Budget Name:\n" + "A" * (MAX_MESSAGE_CHARS - 20), R.MALFORMED),
    ("cap-word-space-run", "Budget Name: " + "a " * (MAX_MESSAGE_CHARS // 2 - 8), R.MALFORMED),
    ("cap-colons", "Budget Name:" + ":" * (MAX_MESSAGE_CHARS - 20), R.MALFORMED),
    (
        "cap-header-spaces",
        "Budget Name: x\nAWS Budget Notification " + " " * (MAX_MESSAGE_CHARS - 60),
        R.MALFORMED,
    ),
    (
        "cap-many-lines",
        "Budget Name: x\n" + "Alert Type: ACTUAL\n" * 10 + "\n" * (MAX_MESSAGE_CHARS - 400),
        R.MALFORMED,
    ),
    ("cap-amount-digits", budget_message(amount="$" + "1" * (MAX_MESSAGE_CHARS // 2 - 1200)), R.MALFORMED),
    # JSON that is not what it claims, or that would blow the parser's stack.
    ("json-deep-arrays", "{" + '"a":[' * 2000 + "]" * 2000 + "}", R.NOT_BUDGET),
    ("json-deep-objects", '{"a":' * 2000 + "1" + "}" * 2000, R.NOT_BUDGET),
    (
        "json-own-summary-with-budget-text",
        '{"source": "infersave.budget-guard", "text": "Budget Name: infersave-demo"}',
        R.OWN_SUMMARY,
    ),
    ("json-list", "[" + GENUINE.__repr__() + "]", R.MALFORMED),
    # Text around the fields.
    ("no-fields", "Dear customer, your Budget Name: is exceeded", R.MALFORMED),
    ("nul-bytes", GENUINE.replace("Budget Name:", "Budget\x00Name:"), R.NOT_BUDGET),
    ("empty", "", R.NOT_BUDGET),
    ("whitespace", " \n\t\r\n ", R.NOT_BUDGET),
]


@pytest.mark.parametrize(
    ("message", "expected"), [(m, e) for _, m, e in HOSTILE], ids=[c for c, _, _ in HOSTILE]
)
def test_hostile_message_is_ignored_with_its_reason(message: str, expected: IgnoreReason) -> None:
    decision = _classify(message)

    assert isinstance(decision, Ignored), decision
    assert decision.reason is expected, decision.detail
    assert decision.detail
    assert len(decision.detail) < 400  # logged: never echoes a large input back


@pytest.mark.parametrize(
    "message",
    [
        GENUINE,
        GENUINE.replace("\n", "\r\n"),
        GENUINE.replace("\n", "\u2028"),  # Unicode line separators: str.splitlines splits on them too
        "\ufeff" + GENUINE,
        GENUINE + " " * (MAX_MESSAGE_CHARS - len(GENUINE)),  # exactly at the cap
        _swap("$1,012.34", "1012.34 USD"),
    ],
    ids=["lf", "crlf", "u2028", "bom", "at-cap", "usd-suffix"],
)
def test_genuine_alert_in_any_dress_is_a_claim(message: str) -> None:
    decision = _classify(message)

    assert isinstance(decision, Claim), decision
    assert decision.notification.account_id == ACCOUNT_ID
    assert decision.notification.period == "2025-06"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("$1,012.34", Decimal("1012.34")),
        ("1012.34 USD", Decimal("1012.34")),
        ("USD 7", Decimal(7)),
        ("$0.5", Decimal("0.5")),
        ("$1,0¹2.34", None),
        ("٣", None),
        ("1e3", None),
        ("sNaN", None),
        ("-1", None),
        ("1.", None),
        (".5", None),
        ("", None),
        ("9" * 33, None),
    ],
)
def test_amounts_are_ascii_decimals_only(raw: str, value: Decimal | None) -> None:
    assert parse_amount(raw) == value


def test_the_parser_has_no_regular_expressions() -> None:
    # A regex is where a long budget name made the old parser take 49 s on 256 KB: none may come back.
    tree = ast.parse(inspect.getsource(messages))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {"re", "regex"} & imported


def _line_events(call: Callable[[], Any]) -> int:
    """Python line events executed inside lambdas.budget_guard.messages during ``call()``: a count of the
    parser's steps that does not depend on the machine's speed."""
    count = 0
    target = messages.__file__

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        if frame.f_code.co_filename != target:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return count


def test_parse_steps_grow_linearly_with_the_number_of_lines() -> None:
    def padded(lines: int) -> str:
        return budget_message().replace("Budget Name:", "x: y\n" * lines + "Budget Name:")

    small = _line_events(lambda: parse_budget_notification(padded(500), received_at=NOW))
    large = _line_events(lambda: parse_budget_notification(padded(2000), received_at=NOW))

    # Four times the lines, at most about four times the steps (a quadratic parser would take ~16 x).
    assert large <= 4.2 * small, (small, large)


def test_a_long_line_costs_the_same_number_of_steps_as_a_short_one() -> None:
    def bait(spaces: int) -> str:
        return "Budget Name: x\nBudget" + " " * spaces + "x"

    short = _line_events(lambda: _classify(bait(1000)))
    long = _line_events(lambda: _classify(bait(MAX_MESSAGE_CHARS - 30)))

    assert short == long


def test_an_oversize_message_costs_a_constant_number_of_steps() -> None:
    small = _line_events(lambda: _classify("Budget Name: " + "a" * (MAX_MESSAGE_CHARS + 1)))
    large = _line_events(lambda: _classify("Budget Name: " + "a" * (256 * KIB)))

    assert small == large
