"""Settings validation: every error names its variable."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lambdas.budget_guard.settings import Settings, SettingsError

BASE = {
    "PROJECT_NAME": "demo",
    "BUDGET_NAME": "infersave-demo",
    "ALERTS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:infersave-demo-alerts",
}


def test_defaults() -> None:
    settings = Settings.from_env(BASE)

    assert settings.breach_threshold_percent == Decimal(100)
    assert settings.floor_instance_count == 1
    assert settings.dry_run is False


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"BREACH_THRESHOLD_PERCENT": "80", "FLOOR_INSTANCE_COUNT": "2", "DRY_RUN": "TRUE"},
            (Decimal(80), 2, True),
        ),
        # blank is the default (lambdas.common.env), for the boolean too
        (
            {"BREACH_THRESHOLD_PERCENT": " ", "FLOOR_INSTANCE_COUNT": "", "DRY_RUN": ""},
            (Decimal(100), 1, False),
        ),
    ],
    ids=["all-set", "blank"],
)
def test_values_are_read(change: dict[str, str], expected: tuple[Decimal, int, bool]) -> None:
    settings = Settings.from_env({**BASE, **change})

    assert (settings.breach_threshold_percent, settings.floor_instance_count, settings.dry_run) == expected


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"PROJECT_NAME": ""}, "PROJECT_NAME"),
        ({"BUDGET_NAME": "  "}, "BUDGET_NAME"),
        ({"BUDGET_NAME": "infersave-other"}, "BUDGET_NAME must be infersave-demo"),
        ({"ALERTS_TOPIC_ARN": "infersave-demo-alerts"}, "ALERTS_TOPIC_ARN"),
        ({"ALERTS_TOPIC_ARN": "arn:aws:sqs:us-east-1:1:q"}, "ALERTS_TOPIC_ARN"),
        ({"BREACH_THRESHOLD_PERCENT": "0"}, "BREACH_THRESHOLD_PERCENT"),
        ({"BREACH_THRESHOLD_PERCENT": "1001"}, "BREACH_THRESHOLD_PERCENT"),
        ({"BREACH_THRESHOLD_PERCENT": "NaN"}, "BREACH_THRESHOLD_PERCENT"),
        ({"BREACH_THRESHOLD_PERCENT": "ten"}, "BREACH_THRESHOLD_PERCENT"),
        ({"FLOOR_INSTANCE_COUNT": "-1"}, "FLOOR_INSTANCE_COUNT"),
        ({"FLOOR_INSTANCE_COUNT": "1.5"}, "FLOOR_INSTANCE_COUNT"),
        ({"DRY_RUN": "maybe"}, "DRY_RUN"),
    ],
)
def test_invalid_values_name_the_variable(change: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env({**BASE, **change})


def test_missing_variable_is_named() -> None:
    with pytest.raises(SettingsError, match="BUDGET_NAME must be set"):
        Settings.from_env({k: v for k, v in BASE.items() if k != "BUDGET_NAME"})


def test_floor_zero_explains_inference_components() -> None:
    with pytest.raises(SettingsError, match="inference-component"):
        Settings.from_env({**BASE, "FLOOR_INSTANCE_COUNT": "0"})
