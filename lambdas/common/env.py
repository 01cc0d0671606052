"""Reading settings from the environment, with one set of rules for every Lambda function.

A variable that is unset, empty or only white space takes its default (for booleans too: ``DRY_RUN=""``
is the default, not false). Every error is a :class:`SettingsError` that names the variable and what it
expects. Standard library only: the functions ship boto3 and Powertools, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """An environment variable is missing or malformed; the message names it."""


def optional(env: Mapping[str, str], name: str) -> str | None:
    """The stripped value of ``name``, or None when it is unset or blank."""
    value = env.get(name, "").strip()
    return value or None


def required(env: Mapping[str, str], name: str) -> str:
    """The stripped value of ``name``; raises SettingsError when it is unset or blank."""
    value = optional(env, name)
    if value is None:
        raise SettingsError(f"{name} must be set (non-empty)")
    return value


def flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """A boolean: 1/true/yes/on or 0/false/no/off, any case; unset or blank gives ``default``."""
    raw = optional(env, name)
    if raw is None:
        return default
    value = raw.lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean: use true or false")


def decimal(env: Mapping[str, str], name: str, *, default: Decimal, what: str) -> Decimal:
    """A finite decimal number (``what`` says what it counts, for the error); unset or blank: ``default``."""
    raw = optional(env, name)
    if raw is None:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name}={raw!r} is not a number ({what})") from None
    if not value.is_finite():
        raise SettingsError(f"{name}={raw!r} is not a finite number ({what})")
    return value


def integer(env: Mapping[str, str], name: str, *, default: int, what: str) -> int:
    """A whole number (``what`` says what it counts, for the error); unset or blank: ``default``."""
    raw = optional(env, name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number ({what})") from None
