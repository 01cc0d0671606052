"""Environment settings of the cost reporter, validated once at start-up.

A stdlib dataclass rather than pydantic: the Lambda ships only Powertools, aws-xray-sdk and boto3.
Every error names the variable and what it expects; the parsing rules (blank = default, booleans, numbers)
are those of :mod:`lambdas.common.env`, shared with the breach switch. Powertools reads its own
``POWERTOOLS_*`` variables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from lambdas.common import env as envvars
from lambdas.common import tags
from lambdas.common.env import SettingsError

__all__ = [
    "COST_METRICS",
    "INSTANCE_TYPE_PATTERN",
    "Settings",
    "SettingsError",
    "load_settings",
]  # SettingsError re-exported: callers catch it from here

COST_METRICS = ("UnblendedCost", "AmortizedCost")
#: Where the bill comes from: Cost Explorer (this account) or the organization's CUR 2.0 through Athena.
COST_SOURCES = ("cost_explorer", "athena")
#: Athena workgroup names (Athena API reference, WorkGroup: 1-128 of letters, digits, ".", "_", "-").
_WORKGROUP = re.compile(r"^[a-zA-Z0-9._-]{1,128}$")
#: Glue database and table names as the CUR query accepts them (lower case, digits, "_").
_GLUE_NAME = re.compile(r"^[a-z0-9_]{1,255}$")
#: IAM role names and STS external ids (IAM API reference, CreateRole RoleName; STS AssumeRole ExternalId).
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
INSTANCE_TYPE_PATTERN = re.compile(r"^ml\.[a-z][a-z0-9-]*\.[a-z0-9]+$")
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


@dataclass(frozen=True)
class Settings:
    """Validated configuration of one report run."""

    reports_bucket: str | None
    summary_topic_arn: str | None
    project_name: str | None
    cost_metric: str
    default_baseline_instance_type: str
    default_capacity_ratio: Decimal
    #: Price List client region; None: the one the function's partition serves it from (``billing_api_regions``).
    pricing_region: str | None
    apply_tags: bool
    activate_cost_allocation_tags: bool
    #: ``cost_explorer`` or ``athena`` (then the three names below are set).
    cost_source: str = "cost_explorer"
    athena_workgroup: str | None = None
    cur_database: str | None = None
    cur_table: str | None = None
    #: The member-read role's name and the external id its trust policy requires (both, or no member reads).
    member_role_name: str | None = None
    member_external_id: str | None = None
    #: Endpoints (highest actual cost first) whose report metrics carry their own dimension.
    metrics_top_endpoints: int = 20


def _matching(env: Mapping[str, str], name: str, pattern: re.Pattern[str], default: str, what: str) -> str:
    value = envvars.optional(env, name) or default
    if not pattern.match(value):
        raise SettingsError(f"{name}={value!r} is not {what}")
    return value


def _capacity_ratio(env: Mapping[str, str], name: str) -> Decimal:
    ratio = envvars.decimal(
        env, name, default=Decimal("1.0"), what="baseline instances per Inferentia2 instance"
    )
    if not tags.CAPACITY_RATIO_MIN <= ratio <= tags.CAPACITY_RATIO_MAX:
        raise SettingsError(
            f"{name}={ratio} is outside {tags.CAPACITY_RATIO_MIN}..{tags.CAPACITY_RATIO_MAX} baseline instances "
            "per Inferentia2 instance"
        )
    return ratio


def load_settings(env: Mapping[str, str], *, require_outputs: bool) -> Settings:
    """Read and validate the settings from ``env``.

    ``require_outputs`` is True for the Lambda (it writes to S3 and publishes to SNS) and False for the
    command, which writes files. Raises :class:`SettingsError` naming the first bad variable.
    """
    bucket = envvars.optional(env, "REPORTS_BUCKET")
    topic = envvars.optional(env, "SUMMARY_TOPIC_ARN")
    if require_outputs and bucket is None:
        raise SettingsError("REPORTS_BUCKET is required: the S3 bucket that receives the reports")
    if require_outputs and topic is None:
        raise SettingsError("SUMMARY_TOPIC_ARN is required: the SNS topic that receives the summary")
    if bucket is not None and not _BUCKET.match(bucket):
        raise SettingsError(f"REPORTS_BUCKET={bucket!r} is not an S3 bucket name")
    if topic is not None and not _TOPIC_ARN.match(topic):
        raise SettingsError(f"SUMMARY_TOPIC_ARN={topic!r} is not an SNS topic ARN")
    cost_metric = envvars.optional(env, "COST_METRIC") or "UnblendedCost"
    if cost_metric not in COST_METRICS:
        raise SettingsError(f"COST_METRIC={cost_metric!r} must be one of {', '.join(COST_METRICS)}")
    source = envvars.optional(env, "COST_SOURCE") or "cost_explorer"
    if source not in COST_SOURCES:
        raise SettingsError(f"COST_SOURCE={source!r} must be one of {', '.join(COST_SOURCES)}")
    athena: dict[str, str | None] = {"ATHENA_WORKGROUP": None, "CUR_DATABASE": None, "CUR_TABLE": None}
    if source == "athena":
        if cost_metric != "UnblendedCost":
            raise SettingsError(
                f"COST_METRIC={cost_metric!r} with COST_SOURCE=athena: the CUR query reads UnblendedCost only"
            )
        patterns = {"ATHENA_WORKGROUP": _WORKGROUP, "CUR_DATABASE": _GLUE_NAME, "CUR_TABLE": _GLUE_NAME}
        for name, pattern in patterns.items():
            athena[name] = _matching(
                env, name, pattern, "", f"required with COST_SOURCE=athena ({pattern.pattern})"
            )
    role = envvars.optional(env, "MEMBER_ROLE_NAME")
    external_id = envvars.optional(env, "MEMBER_EXTERNAL_ID")
    if role is not None and not _ROLE_NAME.match(role):
        raise SettingsError(f"MEMBER_ROLE_NAME={role!r} is not an IAM role name")
    if external_id is not None and not _EXTERNAL_ID.match(external_id):
        raise SettingsError(
            "MEMBER_EXTERNAL_ID is not an STS external id (2-1224 of letters, digits, +=,.@:/-)"
        )
    return Settings(
        member_role_name=role,
        member_external_id=external_id,
        cost_source=source,
        athena_workgroup=athena["ATHENA_WORKGROUP"],
        cur_database=athena["CUR_DATABASE"],
        cur_table=athena["CUR_TABLE"],
        reports_bucket=bucket,
        summary_topic_arn=topic,
        project_name=envvars.optional(env, "PROJECT_NAME"),
        cost_metric=cost_metric,
        default_baseline_instance_type=_matching(
            env,
            "DEFAULT_BASELINE_INSTANCE_TYPE",
            INSTANCE_TYPE_PATTERN,
            "ml.g5.2xlarge",
            "a SageMaker instance type such as ml.g5.2xlarge",
        ),
        default_capacity_ratio=_capacity_ratio(env, "DEFAULT_BASELINE_CAPACITY_RATIO"),
        pricing_region=(
            _matching(env, "PRICING_REGION", _REGION, "", "an AWS region such as us-east-1")
            if envvars.optional(env, "PRICING_REGION")
            else None
        ),
        apply_tags=envvars.flag(env, "APPLY_TAGS", default=True),
        activate_cost_allocation_tags=envvars.flag(env, "ACTIVATE_COST_ALLOCATION_TAGS", default=True),
        metrics_top_endpoints=_top_endpoints(env),
    )


def _top_endpoints(env: Mapping[str, str]) -> int:
    value = envvars.integer(
        env, "METRICS_TOP_ENDPOINTS", default=20, what="a whole number of endpoints from 0 to 1000"
    )
    if not 0 <= value <= 1000:
        raise SettingsError(
            f"METRICS_TOP_ENDPOINTS={value} must be from 0 to 1000 (endpoints with own metrics)"
        )
    return value
