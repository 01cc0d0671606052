"""The environment rules shared by both Lambda functions: blank is the default, errors name the variable."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lambdas.common import env
from lambdas.common.env import SettingsError


@pytest.mark.parametrize("raw", [None, "", "   "])
@pytest.mark.parametrize("default", [True, False])
def test_unset_or_blank_boolean_is_the_default(raw: str | None, default: bool) -> None:
    variables = {} if raw is None else {"FLAG": raw}

    assert env.flag(variables, "FLAG", default=default) is default


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("NO", False),
    ],
)
def test_boolean_words(raw: str, expected: bool) -> None:
    assert env.flag({"FLAG": raw}, "FLAG", default=not expected) is expected


def test_other_boolean_names_the_variable() -> None:
    with pytest.raises(SettingsError, match=r"^FLAG='maybe' is not a boolean: use true or false$"):
        env.flag({"FLAG": "maybe"}, "FLAG", default=False)


def test_optional_and_required_strip_and_treat_blank_as_unset() -> None:
    assert env.optional({"A": "  x "}, "A") == "x"
    assert env.optional({"A": " "}, "A") is None
    assert env.required({"A": "x"}, "A") == "x"
    with pytest.raises(SettingsError, match=r"^A must be set"):
        env.required({"A": "  "}, "A")


def test_numbers_blank_is_the_default_and_errors_name_the_variable() -> None:
    assert env.decimal({"N": ""}, "N", default=Decimal("1.5"), what="ratio") == Decimal("1.5")
    assert env.decimal({"N": "2.5"}, "N", default=Decimal(1), what="ratio") == Decimal("2.5")
    assert env.integer({}, "I", default=3, what="instances") == 3
    assert env.integer({"I": " 4 "}, "I", default=3, what="instances") == 4
    with pytest.raises(SettingsError, match=r"^N='ten' is not a number \(ratio\)$"):
        env.decimal({"N": "ten"}, "N", default=Decimal(1), what="ratio")
    with pytest.raises(SettingsError, match=r"^N='Infinity' is not a finite number"):
        env.decimal({"N": "Infinity"}, "N", default=Decimal(1), what="ratio")
    with pytest.raises(SettingsError, match=r"^I='1.5' is not a whole number \(instances\)$"):
        env.integer({"I": "1.5"}, "I", default=1, what="instances")
