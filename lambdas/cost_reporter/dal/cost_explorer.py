"""Cost Explorer: ONE get_cost_and_usage query per report (following NextPageToken), and tag activation.

The query: filter SERVICE = "Amazon SageMaker" and, when the report is for one project (``PROJECT_NAME``),
tag ``infersave:project`` = the project, so endpoints of other projects in the account (which carry their
own ``infersave:endpoint`` tags) stay out of it; GroupBy TAG ``infersave:endpoint`` and DIMENSION USAGE_TYPE;
metrics the cost metric and UsageQuantity. Each page costs USD 0.01. The request is validated here because
the emulator (moto) validates nothing and AWS rejects a bad request only after it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.common import tags
from lambdas.common.paging import follow_pages
from lambdas.common.retry import call_with_backoff, describe_error, error_code
from lambdas.cost_reporter.models import CostData, EndpointUsage, Issue, ReportPeriod

if TYPE_CHECKING:
    from mypy_boto3_ce import CostExplorerClient
    from mypy_boto3_ce.type_defs import (
        ExpressionTypeDef,
        GetCostAndUsageRequestTypeDef,
        GetCostAndUsageResponseTypeDef,
    )

SERVICE = "Amazon SageMaker"
USAGE_QUANTITY = "UsageQuantity"
HOSTING_MARKER = "Host:ml."
MAX_GROUP_BY = 2
MAX_TAG_KEYS_PER_CALL = 20
_GRANULARITIES = ("DAILY", "MONTHLY", "HOURLY")
_METRICS = ("AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost", "NormalizedUsageAmount",
            "UnblendedCost", "UsageQuantity")  # fmt: skip
_GROUP_TYPES = ("DIMENSION", "TAG", "COST_CATEGORY")
_FILTER_KEYS = ("And", "Or", "Not", "Dimensions", "Tags", "CostCategories")


class CostRequestError(ValueError):
    """A get_cost_and_usage request that AWS would reject."""


def cost_filter(project_name: str | None) -> ExpressionTypeDef:
    """SERVICE = Amazon SageMaker, and tag ``infersave:project`` = ``project_name`` when one is given."""
    service: ExpressionTypeDef = {"Dimensions": {"Key": "SERVICE", "Values": [SERVICE]}}
    if not project_name:
        return service
    project: ExpressionTypeDef = {
        "Tags": {"Key": tags.PROJECT, "Values": [project_name], "MatchOptions": ["EQUALS"]}
    }
    return {"And": [service, project]}


def describe_filter(project_name: str | None) -> str:
    """The filter of :func:`cost_filter` in words, for the report's assumptions."""
    if not project_name:
        return (
            f"SERVICE = {SERVICE} only (PROJECT_NAME not set): every `{tags.ENDPOINT}` tag value in the "
            "account is reported, whatever its project"
        )
    return f"SERVICE = {SERVICE} AND tag `{tags.PROJECT}` = `{project_name}`"


def build_request(
    period: ReportPeriod, cost_metric: str, project_name: str | None = None
) -> GetCostAndUsageRequestTypeDef:
    """The report's single query (MONTHLY: fewest results; the parser sums whatever the granularity)."""
    return {
        "TimePeriod": {"Start": period.start.isoformat(), "End": period.end_exclusive.isoformat()},
        "Granularity": "MONTHLY",
        "Filter": cost_filter(project_name),
        "GroupBy": [{"Type": "TAG", "Key": tags.ENDPOINT}, {"Type": "DIMENSION", "Key": "USAGE_TYPE"}],
        "Metrics": [cost_metric, USAGE_QUANTITY],
    }


def validate_request(request: Mapping[str, Any]) -> None:
    """Raise CostRequestError for what Cost Explorer rejects: dates, granularity, metrics, GroupBy."""
    period = request.get("TimePeriod", {})
    try:
        start, end = date.fromisoformat(period["Start"]), date.fromisoformat(period["End"])
    except (KeyError, TypeError, ValueError):
        raise CostRequestError(f"TimePeriod must hold Start and End as YYYY-MM-DD, got {period!r}") from None
    if start >= end:
        raise CostRequestError(f"TimePeriod Start {start} must be before End {end} (End is exclusive)")
    if request.get("Granularity") not in _GRANULARITIES:
        raise CostRequestError(f"Granularity must be one of {_GRANULARITIES}")
    if request.get("Granularity") == "HOURLY" and (end - start).days > 14:
        raise CostRequestError("HOURLY granularity covers at most 14 days")
    metrics = request.get("Metrics") or []
    unknown = [m for m in metrics if m not in _METRICS]
    if not metrics or unknown:
        raise CostRequestError(f"Metrics must be a non-empty subset of {_METRICS}, got {metrics!r}")
    if "Filter" in request:
        _validate_filter(request["Filter"], "Filter")
    group_by = request.get("GroupBy") or []
    if len(group_by) > MAX_GROUP_BY:
        raise CostRequestError(f"at most {MAX_GROUP_BY} GroupBy, got {len(group_by)}")
    for group in group_by:
        if group.get("Type") not in _GROUP_TYPES or not group.get("Key"):
            raise CostRequestError(f"GroupBy needs Type in {_GROUP_TYPES} and a Key, got {group!r}")


def _validate_filter(expression: Any, path: str) -> None:
    """An Expression holds exactly one operator; And/Or join at least two expressions (AWS rejects one)."""
    keys = list(expression) if isinstance(expression, Mapping) else []
    if len(keys) != 1 or keys[0] not in _FILTER_KEYS:
        raise CostRequestError(f"{path} must hold exactly one of {_FILTER_KEYS}, got {expression!r}")
    key = keys[0]
    if key in ("And", "Or"):
        parts = expression[key]
        if not isinstance(parts, list) or len(parts) < 2:
            raise CostRequestError(f"{path}.{key} must join at least two expressions, got {parts!r}")
        for i, part in enumerate(parts):
            _validate_filter(part, f"{path}.{key}[{i}]")
    elif key == "Not":
        _validate_filter(expression[key], f"{path}.Not")


def fetch_pages(
    client: CostExplorerClient, request: GetCostAndUsageRequestTypeDef
) -> list[GetCostAndUsageResponseTypeDef]:
    """Run the query, following NextPageToken; each page is retried with backoff when throttled."""
    validate_request(request)

    def fetch(token: str | None) -> GetCostAndUsageResponseTypeDef:
        page_request: GetCostAndUsageRequestTypeDef = (
            {**request, "NextPageToken": token} if token else request
        )
        return call_with_backoff(partial(client.get_cost_and_usage, **page_request))

    # Each page costs USD 0.01: the bound is low. 100 pages hold far more groups than one project's endpoints
    # x usage types.
    return list(
        follow_pages(
            fetch, lambda page: page.get("NextPageToken"), what="Cost Explorer GetCostAndUsage", max_pages=100
        )
    )


def _amount(metrics: Mapping[str, Any], name: str) -> tuple[Decimal, str]:
    entry = metrics[name]
    value = Decimal(str(entry["Amount"]))
    if not value.is_finite():
        raise InvalidOperation(f"{name} is {value}")
    return value, str(entry.get("Unit", ""))


def parse_pages(
    pages: Iterable[Mapping[str, Any]], cost_metric: str, group_by: Sequence[Mapping[str, object]]
) -> tuple[CostData, list[Issue], list[Issue]]:
    """Sum every group of every ResultsByTime entry into usage per ``infersave:endpoint`` value.

    Returns the data, warnings (untagged cost, estimated figures) and errors (rows that cannot be read:
    skipped, and named, so one endpoint's bad row does not lose the report).
    """
    tag_index = next(i for i, g in enumerate(group_by) if g["Type"] == "TAG")
    usage_index = next(i for i, g in enumerate(group_by) if g["Key"] == "USAGE_TYPE")
    by_endpoint: dict[str, EndpointUsage] = {}
    untagged = Decimal(0)
    currencies: set[str] = set()
    warnings: list[Issue] = []
    errors: list[Issue] = []
    estimated = False
    page_count = 0
    for page in pages:
        page_count += 1
        for result in page.get("ResultsByTime", []):
            estimated = estimated or bool(result.get("Estimated"))
            for group in result.get("Groups", []):
                keys = group.get("Keys", [])
                tag_value = keys[tag_index].split("$", 1)[-1] if len(keys) > tag_index else ""
                usage_type = keys[usage_index] if len(keys) > usage_index else ""
                try:
                    cost, unit = _amount(group["Metrics"], cost_metric)
                    quantity, _ = _amount(group["Metrics"], USAGE_QUANTITY)
                except (KeyError, TypeError, InvalidOperation) as exc:
                    errors.append(Issue(f"unreadable Cost Explorer row {keys!r}: {exc!r}", tag_value or None))
                    continue
                if unit:
                    currencies.add(unit)
                if not tag_value:
                    untagged += cost
                    continue
                usage = by_endpoint.setdefault(tag_value, EndpointUsage())
                if HOSTING_MARKER in usage_type:
                    prefix, _, instance_type = usage_type.partition("Host:")
                    usage.instance_hours += quantity
                    usage.instance_cost += cost
                    usage.hours_by_instance_type[instance_type] = (
                        usage.hours_by_instance_type.get(instance_type, Decimal(0)) + quantity
                    )
                    if prefix:
                        usage.usage_region_codes.add(prefix.rstrip("-"))
                else:
                    usage.other_cost += cost
    currency = min(currencies) if currencies else "USD"
    if untagged:
        warnings.append(
            Issue(
                f"{currency} {untagged:.2f} of {SERVICE} cost carries no {tags.ENDPOINT} tag (other "
                "SageMaker resources, or usage before the tag was activated): reported as untagged_cost"
            )
        )
    if estimated:
        warnings.append(
            Issue("Cost Explorer marks figures of this period as estimated: the bill is not final")
        )
    if len(currencies) > 1:
        errors.append(
            Issue(f"Cost Explorer returned several currencies {sorted(currencies)}: sums are mixed")
        )
    data = CostData(by_endpoint=by_endpoint, untagged_cost=untagged, currency=currency, pages=page_count)
    return data, warnings, errors


def activate_cost_allocation_tags(client: CostExplorerClient, keys: Sequence[str]) -> list[Issue]:
    """Activate ``keys`` as cost allocation tags (20 per call); keys that fail become warnings.

    Only the management (or a standalone) account may activate, and a new key is activatable only about
    24 h after it first appears, so failures are expected and never fail the report.
    """
    warnings: list[Issue] = []
    for i in range(0, len(keys), MAX_TAG_KEYS_PER_CALL):
        batch = list(keys[i : i + MAX_TAG_KEYS_PER_CALL])
        try:
            answer = call_with_backoff(
                partial(
                    client.update_cost_allocation_tags_status,
                    CostAllocationTagsStatus=[{"TagKey": key, "Status": "Active"} for key in batch],
                )
            )
        except ClientError as exc:
            warnings.append(
                Issue(
                    f"could not activate cost allocation tags {batch}: {error_code(exc)}: {describe_error(exc)}"
                )
            )
            continue
        except BotoCoreError as exc:  # no answer at all (connection, timeout): the same warning
            warnings.append(Issue(f"could not activate cost allocation tags {batch}: {describe_error(exc)}"))
            continue
        for failure in answer.get("Errors", []):
            warnings.append(
                Issue(
                    f"could not activate cost allocation tag {failure.get('TagKey')!r}: "
                    f"{failure.get('Code', '')} {failure.get('Message', '')}".strip()
                )
            )
    return warnings
