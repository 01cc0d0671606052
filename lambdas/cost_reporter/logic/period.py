"""Report windows. Dates are UTC calendar days; ``end`` is exclusive, as in Cost Explorer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from lambdas.cost_reporter.models import ReportPeriod

MONTH_TO_DATE = "month_to_date"
PREVIOUS_MONTH = "previous_month"
CUSTOM = "custom"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class PeriodError(ValueError):
    """The requested report window is malformed or not allowed."""


def previous_month(today: date) -> ReportPeriod:
    """The closed calendar month before ``today``'s month."""
    first_of_this_month = today.replace(day=1)
    start = (first_of_this_month - timedelta(days=1)).replace(day=1)
    return ReportPeriod(start=start, end_exclusive=first_of_this_month, kind=PREVIOUS_MONTH)


def month_to_date(today: date) -> ReportPeriod:
    """From the 1st of ``today``'s month to ``today`` (exclusive: today's bill is still moving).

    On the 1st the month to date is empty; the month that just ended is reported instead (kind
    ``previous_month``), so the daily schedule never fails on an empty window.
    """
    if today.day == 1:
        return previous_month(today)
    return ReportPeriod(start=today.replace(day=1), end_exclusive=today, kind=MONTH_TO_DATE)


def parse_date(value: object, name: str) -> date:
    """A ``YYYY-MM-DD`` string as a date; PeriodError naming ``name`` otherwise."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PeriodError(f"{name}={value!r} is not a YYYY-MM-DD date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PeriodError(f"{name}={value!r} is not a valid date") from None


def explicit_period(start: date, end_exclusive: date, today: date) -> ReportPeriod:
    """A custom window; rejects an empty or reversed window and one that ends after tomorrow."""
    if end_exclusive <= start:
        raise PeriodError(f"end {end_exclusive} must be after start {start} (end is exclusive)")
    if end_exclusive > today + timedelta(days=1):
        raise PeriodError(f"end {end_exclusive} is in the future (today is {today})")
    return ReportPeriod(start=start, end_exclusive=end_exclusive, kind=CUSTOM)


def period_from_event(event: Mapping[str, Any], today: date) -> ReportPeriod:
    """The window a Lambda event asks for.

    Accepted events: ``{"period": "month_to_date"}``, ``{"period": "previous_month"}`` or
    ``{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}``. Anything else raises PeriodError.
    """
    if not isinstance(event, Mapping):
        raise PeriodError(f"event must be a JSON object, got {type(event).__name__}")
    keys = set(event)
    if keys == {"period"}:
        if event["period"] == MONTH_TO_DATE:
            return month_to_date(today)
        if event["period"] == PREVIOUS_MONTH:
            return previous_month(today)
        raise PeriodError(f"period must be {MONTH_TO_DATE!r} or {PREVIOUS_MONTH!r}, got {event['period']!r}")
    if keys == {"start", "end"}:
        return explicit_period(parse_date(event["start"], "start"), parse_date(event["end"], "end"), today)
    raise PeriodError(
        'event must be {"period": "month_to_date"}, {"period": "previous_month"} or '
        f'{{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}}; got keys {sorted(keys)}'
    )
