"""Settings of the breach switch, read from the environment once per invocation and validated.

A missing or malformed variable fails with its name, before any event is handled. The parsing rules
(blank = default, booleans, numbers) are those of :mod:`lambdas.common.env`, shared with the cost reporter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from lambdas.common import env as envvars
from lambdas.common.env import SettingsError

__all__ = ["Settings", "SettingsError"]  # SettingsError re-exported: callers catch it from here


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
        project_name = envvars.required(env, "PROJECT_NAME")
        return cls(
            project_name=project_name,
            budget_name=_budget_name(env, "BUDGET_NAME", project_name),
            alerts_topic_arn=_topic_arn(env, "ALERTS_TOPIC_ARN"),
            breach_threshold_percent=_threshold(env, "BREACH_THRESHOLD_PERCENT", Decimal(100)),
            floor_instance_count=_floor(env, "FLOOR_INSTANCE_COUNT", 1),
            dry_run=envvars.flag(env, "DRY_RUN", default=False),
        )


def _budget_name(env: Mapping[str, str], name: str, project: str) -> str:
    """The project's budget is ``infersave-<project>`` (stacks.cost_budget.budget_name): no other budget's
    state may lower this project's endpoints."""
    value = envvars.required(env, name)
    if value != f"infersave-{project}":
        raise SettingsError(
            f"{name} must be infersave-{project} (this project's budget), got {value[:100]!r}"
        )
    return value


def _topic_arn(env: Mapping[str, str], name: str) -> str:
    value = envvars.required(env, name)
    if not value.startswith("arn:") or value.split(":")[2:3] != ["sns"]:
        raise SettingsError(f"{name} must be an SNS topic ARN (arn:<partition>:sns:...), got {value!r}")
    return value


def _threshold(env: Mapping[str, str], name: str, default: Decimal) -> Decimal:
    value = envvars.decimal(env, name, default=default, what="percent of the budget")
    if not 0 < value <= 1000:
        raise SettingsError(f"{name} must be in (0, 1000] percent of the budget, got {value}")
    return value


def _floor(env: Mapping[str, str], name: str, default: int) -> int:
    value = envvars.integer(env, name, default=default, what="instances per variant")
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
