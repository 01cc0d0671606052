"""Validation of AWS cron expressions and IANA time zones, shared by autoscaling and report schedules."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# One field of an AWS cron expression: numbers, names, ranges, lists, steps and the wildcards *, ?, L, W, #.
_FIELD = re.compile(r"^[0-9A-Za-z*?/,#LW-]+$")
_FIELD_NAMES = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")


def cron_problem(expression: str) -> str | None:
    """Why ``expression`` is not an AWS ``cron(...)`` expression with six fields, or None if it is.

    AWS cron (Application Auto Scaling, EventBridge Scheduler): ``cron(Minutes Hours Day-of-month Month
    Day-of-week Year)``; exactly one of day-of-month and day-of-week must be ``?``.
    """
    match = re.fullmatch(r"cron\((.*)\)", expression.strip())
    if not match:
        return "must look like cron(0 20 ? * MON-FRI *) (AWS cron: six fields inside cron(...))"
    fields = match.group(1).split()
    if len(fields) != 6:
        return (
            f"has {len(fields)} fields; AWS cron needs six: {' '.join(_FIELD_NAMES)}, "
            "e.g. cron(0 20 ? * MON-FRI *)"
        )
    for name, value in zip(_FIELD_NAMES, fields, strict=True):
        if not _FIELD.match(value):
            return f"field {name} {value!r} has characters AWS cron does not accept"
    minutes, hours = fields[0], fields[1]
    if minutes.isdigit() and not 0 <= int(minutes) <= 59:
        return f"minutes {minutes} is outside 0-59"
    if hours.isdigit() and not 0 <= int(hours) <= 23:
        return f"hours {hours} is outside 0-23"
    if (fields[2] == "?") == (fields[4] == "?"):
        return "exactly one of day-of-month (3rd field) and day-of-week (5th field) must be '?'"
    return None


def time_zone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone (e.g. Europe/Berlin, UTC), or None if it is."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "is not an IANA time zone name such as UTC, Europe/Berlin or America/New_York"
    return None
