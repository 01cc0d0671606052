"""The demo's AWS cron evaluator: the fields infersave's schedules use, in the schedule's wall-clock time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from demo.cron import Cron, CronError

WALL = ZoneInfo("Europe/Berlin")  # the schedule's zone: the evaluator reads wall-clock fields


def test_weekday_evening_fires_only_at_that_minute_on_weekdays() -> None:
    cron = Cron.parse("cron(0 20 ? * MON-FRI *)")
    assert cron.matches(datetime(2026, 10, 19, 20, 0, tzinfo=WALL))  # a Monday
    assert cron.matches(datetime(2026, 10, 23, 20, 0, tzinfo=WALL))  # a Friday
    assert not cron.matches(datetime(2026, 10, 19, 20, 1, tzinfo=WALL))
    assert not cron.matches(datetime(2026, 10, 19, 19, 0, tzinfo=WALL))
    assert not cron.matches(datetime(2026, 10, 24, 20, 0, tzinfo=WALL))  # a Saturday
    assert not cron.matches(datetime(2026, 10, 25, 20, 0, tzinfo=WALL))  # a Sunday


def test_day_of_week_numbers_start_at_sunday_as_in_aws() -> None:
    sunday = Cron.parse("cron(30 6 ? * 1 *)")
    assert sunday.matches(datetime(2026, 10, 25, 6, 30, tzinfo=WALL))
    assert not sunday.matches(datetime(2026, 10, 26, 6, 30, tzinfo=WALL))
    saturday = Cron.parse("cron(30 6 ? * 7 *)")
    assert saturday.matches(datetime(2026, 10, 24, 6, 30, tzinfo=WALL))


@pytest.mark.parametrize(
    ("expression", "moment", "fires"),
    [
        ("cron(*/15 * * * ? *)", datetime(2026, 10, 1, 3, 45, tzinfo=WALL), True),
        ("cron(*/15 * * * ? *)", datetime(2026, 10, 1, 3, 46, tzinfo=WALL), False),
        ("cron(0 8-18/2 ? * * *)", datetime(2026, 10, 1, 10, 0, tzinfo=WALL), True),
        ("cron(0 8-18/2 ? * * *)", datetime(2026, 10, 1, 11, 0, tzinfo=WALL), False),
        ("cron(0 0 1,15 * ? *)", datetime(2026, 10, 15, 0, 0, tzinfo=WALL), True),
        ("cron(0 0 1,15 * ? *)", datetime(2026, 10, 16, 0, 0, tzinfo=WALL), False),
        ("cron(0 6 ? JAN-MAR MON 2027)", datetime(2027, 2, 1, 6, 0, tzinfo=WALL), True),
        ("cron(0 6 ? JAN-MAR MON 2027)", datetime(2026, 2, 2, 6, 0, tzinfo=WALL), False),
        ("cron(5 0 1 * ? *)", datetime(2026, 11, 1, 0, 5, tzinfo=WALL), True),
    ],
)
def test_fields(expression: str, moment: datetime, fires: bool) -> None:
    assert Cron.parse(expression).matches(moment) is fires


@pytest.mark.parametrize(
    "expression",
    [
        "0 20 ? * MON-FRI *",  # not wrapped in cron(...)
        "cron(0 20 ? * MON-FRI)",  # five fields
        "cron(0 20 * * MON-FRI *)",  # neither day field is '?'
        "cron(0 20 L * ? *)",  # L: not supported by the evaluator
        "cron(0 20 ? * 6#3 *)",  # #: not supported
        "cron(61 20 ? * MON *)",  # minute out of range
        "cron(0 20 ? * FRI-MON *)",  # backwards range
    ],
)
def test_unsupported_or_malformed_expressions_raise(expression: str) -> None:
    with pytest.raises(CronError):
        Cron.parse(expression)
