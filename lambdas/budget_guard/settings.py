"""Settings of the breach switch, read from the environment once per invocation and validated.

A missing or malformed variable fails with its name, before any event is handled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class SettingsError(ValueError):
    """An environment variable is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Validated configuration of one project's breach switch.

    ``breach_threshold_percent`` is a percentage of the budgeted amount (100 = the whole budget);
    ``floor_instance_count`` is instances per production variant.
    """

    project_name: str
    budget_name: str
    alerts_topic_arn: str
    breach_threshold_percent: Decimal = Decimal(100)
    floor_instance_count: int = 1
    dry_run: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from ``env`` (``os.environ``); raises SettingsError naming the variable."""
        return cls(
            project_name=_required(env, "PROJECT_NAME"),
            budget_name=_required(env, "BUDGET_NAME"),
            alerts_topic_arn=_topic_arn(env, "ALERTS_TOPIC_ARN"),
            breach_threshold_percent=_threshold(env, "BREACH_THRESHOLD_PERCENT", Decimal(100)),
            floor_instance_count=_floor(env, "FLOOR_INSTANCE_COUNT", 1),
            dry_run=_flag(env, "DRY_RUN", default=False),
        )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} must be set (non-empty)")
    return value


def _topic_arn(env: Mapping[str, str], name: str) -> str:
    value = _required(env, name)
    if not value.startswith("arn:") or value.split(":")[2:3] != ["sns"]:
        raise SettingsError(f"{name} must be an SNS topic ARN (arn:<partition>:sns:...), got {value!r}")
    return value


def _threshold(env: Mapping[str, str], name: str, default: Decimal) -> Decimal:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name} must be a number of percent, got {raw!r}") from None
    if not (value.is_finite() and 0 < value <= 1000):
        raise SettingsError(f"{name} must be in (0, 1000] percent of the budget, got {raw!r}")
    return value


def _floor(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number of instances, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must be >= 0, got {value}")
    if value == 0:
        # Scale to zero exists only for inference-component endpoints (dimension
        # sagemaker:inference-component:DesiredCopyCount); this switch manages instance-based variants
        # (sagemaker:variant:DesiredInstanceCount), whose MinCapacity/DesiredInstanceCount must be >= 1.
        raise SettingsError(
            f"{name}=0 is not allowed: only inference-component endpoints can scale to zero, and this "
            "switch lowers instance-based variants, for which SageMaker requires at least 1 instance"
        )
    return value


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")
