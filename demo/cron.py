"""A small evaluator of AWS ``cron(...)`` expressions, enough to replay Application Auto Scaling schedules.

AWS cron has six fields: minutes (0-59), hours (0-23), day-of-month (1-31), month (1-12 or JAN-DEC),
day-of-week (1-7 with 1 = Sunday, or SUN-SAT) and year; exactly one of day-of-month and day-of-week is ``?``.
Supported here: ``*``, ``?``, numbers, names, ranges ``a-b``, lists ``a,b`` and steps ``*/n``, ``a/n``,
``a-b/n``. Not supported (raises :class:`CronError`): ``L``, ``W`` and ``#``, which infersave's schedules do
not use. The expression is matched against a wall-clock time in the schedule's time zone; the caller converts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
#: (name, low, high, names mapped to low..)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2199, ()),
)
_EXPRESSION = re.compile(r"^cron\((.*)\)$")


class CronError(ValueError):
    """The expression is not an AWS cron expression this evaluator supports."""


def _value(token: str, low: int, high: int, names: tuple[str, ...], field: str) -> int:
    if token.upper() in names:
        return low + names.index(token.upper())
    if not token.isdigit():
        raise CronError(f"{field}: {token!r} is not a number or name (L, W and # are not supported)")
    number = int(token)
    if not low <= number <= high:
        raise CronError(f"{field}: {number} is outside {low}-{high}")
    return number


def _parse_field(text: str, low: int, high: int, names: tuple[str, ...], field: str) -> frozenset[int] | None:
    """The values a field allows; None for ``*`` or ``?`` (any value)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) < 1:
                raise CronError(f"{field}: step {step_text!r} must be a positive number")
            step = int(step_text)
        if base == "*":
            first, last = low, high
        elif "-" in base:
            start, _, end = base.partition("-")
            first, last = _value(start, low, high, names, field), _value(end, low, high, names, field)
            if last < first:
                raise CronError(f"{field}: range {base!r} runs backwards")
        else:
            first = _value(base, low, high, names, field)
            last = high if step_text else first
        values.update(range(first, last + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A parsed AWS cron expression; :meth:`matches` tells whether it fires at a wall-clock minute."""

    expression: str
    minutes: frozenset[int] | None
    hours: frozenset[int] | None
    days_of_month: frozenset[int] | None
    months: frozenset[int] | None
    days_of_week: frozenset[int] | None
    years: frozenset[int] | None

    @classmethod
    def parse(cls, expression: str) -> Cron:
        """Parse ``cron(m h dom mon dow year)``; raises CronError naming the field that is wrong."""
        match = _EXPRESSION.match(expression.strip())
        if not match:
            raise CronError(f"{expression!r} is not cron(...)")
        texts = match.group(1).split()
        if len(texts) != len(_FIELDS):
            raise CronError(f"{expression!r} has {len(texts)} fields, AWS cron has 6")
        if (texts[2] == "?") == (texts[4] == "?"):
            raise CronError(f"{expression!r}: exactly one of day-of-month and day-of-week must be '?'")
        parsed = [
            _parse_field(text, low, high, names, name)
            for text, (name, low, high, names) in zip(texts, _FIELDS, strict=True)
        ]
        return cls(expression, *parsed)

    def matches(self, local: datetime) -> bool:
        """True if the schedule fires at ``local`` (a wall-clock time in the schedule's zone; seconds ignored)."""
        aws_weekday = (
            local.isoweekday() % 7
        ) + 1  # Python: Monday 1 .. Sunday 7; AWS: Sunday 1 .. Saturday 7
        checks = (
            (self.minutes, local.minute),
            (self.hours, local.hour),
            (self.days_of_month, local.day),
            (self.months, local.month),
            (self.days_of_week, aws_weekday),
            (self.years, local.year),
        )
        return all(allowed is None or value in allowed for allowed, value in checks)
