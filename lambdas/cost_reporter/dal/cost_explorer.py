"""Cost Explorer: two get_cost_and_usage queries per report (following NextPageToken), and tag activation.

The usage query: filter SERVICE = "Amazon SageMaker", RECORD_TYPE in the usage charge types and, when the
report is for one project (``PROJECT_NAME``), tag ``infersave:project`` = the project, so endpoints of other
projects in the account (which carry their own ``infersave:endpoint`` tags) stay out of it; GroupBy TAG
``infersave:endpoint`` and DIMENSION USAGE_TYPE; metrics the cost metric and UsageQuantity; DAILY granularity,
so the report has each endpoint's cost per UTC day, and the period's figures are the sums of the days.
DAILY is still one query: Cost Explorer returns one ResultsByTime entry per day and pages them with
NextPageToken (the page size is not documented; a page costs USD 0.01 like any request). Cost Explorer holds
"the current month and up to the previous 13 months at daily and monthly granularity" (Billing and Cost
Management user guide, "Exploring more data for advanced cost analysis"; only multi-year data, monthly, goes
further), and a Start later than today is a validation error (GetCostAndUsage API reference, TimePeriod):
:func:`validate_request` refuses both before a request is paid for.
The non-usage query: the same filter with RECORD_TYPE negated, GroupBy RECORD_TYPE: credits, refunds, taxes and
fees are reported beside the savings, never inside them (a credit of 1,000 once became "savings" of 126 %).
Each page costs USD 0.01. The requests are validated here because the emulator (moto) validates nothing and
AWS rejects a bad request only after it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.common import tags
from lambdas.common.paging import paginate
from lambdas.common.retry import call_with_backoff, describe_error, error_code
from lambdas.cost_reporter.models import CostData, DayUsage, EndpointUsage, Issue, ReportPeriod

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
RECORD_TYPE = "RECORD_TYPE"
#: Charge types (Cost Explorer dimension RECORD_TYPE, "the different types of charges such as RI fees, usage
#: costs, tax refunds, and credits", GetDimensionValues API reference) that are usage: on-demand usage, usage
#: covered by a reservation, usage covered by a Savings Plan (at on-demand rates under UnblendedCost; the
#: offsetting SavingsPlanNegation is a non-usage type and appears in non_usage_cost).
USAGE_RECORD_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")
#: The only currency of the baseline prices (Price List ``pricePerUnit.USD``, the bundled catalog). Cost
#: Explorer reports in USD; a row in another unit is kept out of every sum, never converted silently.
BASELINE_CURRENCY = "USD"
#: Largest absolute amount or quantity of one row that is read as a figure (USD 1 trillion): anything larger
#: is corrupt data, and keeping it out bounds every later product far inside Decimal's precision.
MAX_ABS_AMOUNT = Decimal("1e12")
MAX_GROUP_BY = 2
#: DAILY and MONTHLY data go back to the first day of the 13th month before the current one (see above).
HISTORY_MONTHS = 13
MAX_TAG_KEYS_PER_CALL = 20
_GRANULARITIES = ("DAILY", "MONTHLY", "HOURLY")
_METRICS = ("AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost", "NormalizedUsageAmount",
            "UnblendedCost", "UsageQuantity")  # fmt: skip
_GROUP_TYPES = ("DIMENSION", "TAG", "COST_CATEGORY")
_FILTER_KEYS = ("And", "Or", "Not", "Dimensions", "Tags", "CostCategories")


class CostRequestError(ValueError):
    """A get_cost_and_usage request that AWS would reject."""


def cost_filter(project_name: str | None, *, usage: bool = True) -> ExpressionTypeDef:
    """SERVICE = Amazon SageMaker, tag ``infersave:project`` = ``project_name`` when one is given, and
    RECORD_TYPE in the usage types (``usage``) or not in them."""
    service: ExpressionTypeDef = {"Dimensions": {"Key": "SERVICE", "Values": [SERVICE]}}
    record: ExpressionTypeDef = {"Dimensions": {"Key": "RECORD_TYPE", "Values": list(USAGE_RECORD_TYPES)}}
    parts: list[ExpressionTypeDef] = [service, record if usage else {"Not": record}]
    if project_name:
        parts.insert(1, {"Tags": {"Key": tags.PROJECT, "Values": [project_name], "MatchOptions": ["EQUALS"]}})
    return {"And": parts}


def describe_filter(project_name: str | None) -> str:
    """The filter of :func:`cost_filter` in words, for the report's assumptions."""
    usage = f"{RECORD_TYPE} in {', '.join(USAGE_RECORD_TYPES)}"
    if not project_name:
        return (
            f"SERVICE = {SERVICE} AND {usage} (PROJECT_NAME not set): every `{tags.ENDPOINT}` tag value in the "
            "account is reported, whatever its project"
        )
    return f"SERVICE = {SERVICE} AND tag `{tags.PROJECT}` = `{project_name}` AND {usage}"


def build_request(
    period: ReportPeriod, cost_metric: str, project_name: str | None = None
) -> GetCostAndUsageRequestTypeDef:
    """The usage query, DAILY: one ResultsByTime entry per UTC day, each grouped by endpoint and usage type."""
    return {
        "TimePeriod": {"Start": period.start.isoformat(), "End": period.end_exclusive.isoformat()},
        "Granularity": "DAILY",
        "Filter": cost_filter(project_name),
        "GroupBy": [{"Type": "TAG", "Key": tags.ENDPOINT}, {"Type": "DIMENSION", "Key": "USAGE_TYPE"}],
        "Metrics": [cost_metric, USAGE_QUANTITY],
    }


def build_non_usage_request(
    period: ReportPeriod, cost_metric: str, project_name: str | None = None
) -> GetCostAndUsageRequestTypeDef:
    """The query of the project's other charges (credits, refunds, taxes, fees), grouped by RECORD_TYPE."""
    return {
        "TimePeriod": {"Start": period.start.isoformat(), "End": period.end_exclusive.isoformat()},
        "Granularity": "MONTHLY",
        "Filter": cost_filter(project_name, usage=False),
        "GroupBy": [{"Type": "DIMENSION", "Key": "RECORD_TYPE"}],
        "Metrics": [cost_metric],
    }


def oldest_start(today: date) -> date:
    """The earliest Start Cost Explorer answers at DAILY or MONTHLY granularity on ``today`` (UTC): the first
    day of the 13th month before the current one."""
    months = today.year * 12 + today.month - 1 - HISTORY_MONTHS
    return date(months // 12, months % 12 + 1, 1)


def validate_request(request: Mapping[str, Any], today: date | None = None) -> None:
    """Raise CostRequestError for what Cost Explorer rejects: dates, granularity, metrics, GroupBy; with
    ``today`` (UTC) also a Start in the future or before the 13 months of history."""
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
    if today is not None and start > today:
        raise CostRequestError(f"TimePeriod Start {start} is after today ({today}): Cost Explorer refuses it")
    if today is not None and start < oldest_start(today):
        raise CostRequestError(
            f"TimePeriod Start {start} is before {oldest_start(today)}: Cost Explorer holds the current month "
            f"and the previous {HISTORY_MONTHS} at daily and monthly granularity"
        )
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


#: The page bound of a query whose size is unknown (the non-usage query: a few charge types a day).
DEFAULT_MAX_PAGES: Final = 100
#: For the usage query's bound: usage types one endpoint bills a day (hosting, storage, data in, data out), and
#: the fewest groups a page is assumed to hold. AWS does not document GetCostAndUsage's page size (the
#: emulator pages at 1,000 groups); 10 keeps the bound above any plausible real page count.
USAGE_TYPES_PER_ENDPOINT_DAY: Final = 4
MIN_GROUPS_PER_PAGE: Final = 10


def usage_page_bound(endpoints: int, days: int) -> int:
    """The most pages the usage query may take for ``endpoints`` tagged endpoints over ``days`` DAILY buckets.

    The bound stops a service answering with new page tokens forever (a repeated token stops at once); it must
    not stop a large project's honest report: its groups are endpoints x usage types x days (62,000 for 1,000
    endpoints with two usage types over 31 days), so it grows with them. Each page costs USD 0.01."""
    expected_groups = max(endpoints, 1) * USAGE_TYPES_PER_ENDPOINT_DAY * max(days, 1)
    return max(DEFAULT_MAX_PAGES, -(-expected_groups // MIN_GROUPS_PER_PAGE))


def fetch_pages(
    client: CostExplorerClient,
    request: GetCostAndUsageRequestTypeDef,
    *,
    today: date | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> list[GetCostAndUsageResponseTypeDef]:
    """Run the query, following NextPageToken; each page is retried with backoff when throttled. With
    ``today`` (UTC) a period outside Cost Explorer's history is refused before the first paid request.
    More than ``max_pages`` pages (USD 0.01 each) is an error (see :func:`usage_page_bound`)."""
    validate_request(request, today)
    pages = paginate(
        client.get_cost_and_usage,
        request,
        page_param="NextPageToken",
        what="Cost Explorer GetCostAndUsage",
        max_pages=max_pages,
    )
    return list(pages)


def _amount(metrics: Mapping[str, Any], name: str) -> tuple[Decimal, str]:
    entry = metrics[name]
    value = Decimal(str(entry["Amount"]))
    if not value.is_finite():
        raise InvalidOperation(f"{name} is {value}")
    if abs(value) > MAX_ABS_AMOUNT:
        raise InvalidOperation(f"{name} {value:.3e} is beyond {MAX_ABS_AMOUNT:.0e}: not a real figure")
    return value, str(entry.get("Unit", ""))


def add_usage(
    usage: EndpointUsage, usage_type: str, cost: Decimal, quantity: Decimal, day: date | None = None
) -> None:
    """Add one row to an endpoint: hosting (``<region>-Host:ml.<type>``, quantity in hours) or other cost,
    and to its ``day`` (Cost Explorer DAILY buckets; CUR 2.0 rows by ``line_item_usage_start_date``'s UTC day).
    Cost Explorer's USAGE_TYPE and CUR 2.0's ``line_item_usage_type`` hold the same values."""
    on_day = DayUsage() if day is None else usage.days.setdefault(day, DayUsage())
    if HOSTING_MARKER in usage_type:
        prefix, _, instance_type = usage_type.partition("Host:")
        usage.instance_hours += quantity
        usage.instance_cost += cost
        on_day.instance_hours += quantity
        on_day.instance_cost += cost
        usage.hours_by_instance_type[instance_type] = (
            usage.hours_by_instance_type.get(instance_type, Decimal(0)) + quantity
        )
        if prefix:
            usage.usage_region_codes.add(prefix.rstrip("-"))
    else:
        usage.other_cost += cost
        on_day.other_cost += cost


def _taint(by_endpoint: dict[str, EndpointUsage], tag_value: str, problem: str) -> None:
    if tag_value:
        by_endpoint.setdefault(tag_value, EndpointUsage()).problems.append(problem)


def _bucket_start(result: Mapping[str, Any]) -> date | None:
    """The start date of a ResultsByTime entry (its UTC day under DAILY), None when unreadable."""
    try:
        return date.fromisoformat(str(result["TimePeriod"]["Start"])[:10])
    except (KeyError, TypeError, ValueError):
        return None


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
    foreign: dict[str, Decimal] = {}
    warnings: list[Issue] = []
    errors: list[Issue] = []
    estimated = False
    page_count = 0
    for page in pages:
        page_count += 1
        for result in page.get("ResultsByTime", []):
            estimated = estimated or bool(result.get("Estimated"))
            day = _bucket_start(result)
            for group in result.get("Groups", []):
                keys = group.get("Keys", [])
                tag_value = keys[tag_index].split("$", 1)[-1] if len(keys) > tag_index else ""
                usage_type = keys[usage_index] if len(keys) > usage_index else ""
                try:
                    if day is None:
                        raise InvalidOperation(f"TimePeriod {result.get('TimePeriod')!r} has no Start date")
                    cost, unit = _amount(group["Metrics"], cost_metric)
                    quantity, _ = _amount(group["Metrics"], USAGE_QUANTITY)
                except (KeyError, TypeError, InvalidOperation) as exc:
                    errors.append(Issue(f"unreadable Cost Explorer row {keys!r}: {exc!r}", tag_value or None))
                    _taint(by_endpoint, tag_value, f"a Cost Explorer row of {usage_type} could not be read")
                    continue
                if unit and unit != BASELINE_CURRENCY:
                    foreign[unit] = foreign.get(unit, Decimal(0)) + cost
                    _taint(
                        by_endpoint, tag_value, f"{usage_type} billed {cost} {unit}, not {BASELINE_CURRENCY}"
                    )
                    continue
                if cost < 0 or quantity < 0:
                    _taint(
                        by_endpoint, tag_value, f"{usage_type} has a negative usage row ({cost}, {quantity})"
                    )
                if not tag_value:
                    untagged += cost
                    continue
                add_usage(by_endpoint.setdefault(tag_value, EndpointUsage()), usage_type, cost, quantity, day)
    currency = BASELINE_CURRENCY
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
    for unit, amount in sorted(foreign.items()):
        errors.append(
            Issue(
                f"{amount} {unit} of {SERVICE} usage is not in {BASELINE_CURRENCY}, the currency of the baseline "
                "prices: kept out of every figure (no exchange rate is applied)"
            )
        )
    data = CostData(
        by_endpoint=by_endpoint,
        untagged_cost=untagged,
        currency=currency,
        pages=page_count,
        foreign_currency=foreign,
    )
    return data, warnings, errors


def parse_non_usage(
    pages: Iterable[Mapping[str, Any]], cost_metric: str
) -> tuple[dict[str, Decimal], list[Issue], list[Issue]]:
    """Sum the non-usage query per RECORD_TYPE: the totals, a warning naming them, errors for bad rows."""
    totals: dict[str, Decimal] = {}
    errors: list[Issue] = []
    for page in pages:
        for result in page.get("ResultsByTime", []):
            for group in result.get("Groups", []):
                keys = group.get("Keys", [])
                record_type = str(keys[0]) if keys else "unknown"
                try:
                    cost, unit = _amount(group["Metrics"], cost_metric)
                except (KeyError, TypeError, InvalidOperation) as exc:
                    errors.append(Issue(f"unreadable Cost Explorer {RECORD_TYPE} row {keys!r}: {exc!r}"))
                    continue
                if unit and unit != BASELINE_CURRENCY:
                    errors.append(
                        Issue(f"{record_type} of {cost} {unit} is not in {BASELINE_CURRENCY}: left out")
                    )
                    continue
                totals[record_type] = totals.get(record_type, Decimal(0)) + cost
    totals = {k: v for k, v in sorted(totals.items()) if v}
    return totals, non_usage_warnings(totals), errors


def non_usage_warnings(totals: Mapping[str, Decimal]) -> list[Issue]:
    """The report's warning that charges which are not usage (credits, refunds, taxes...) stay out of the
    figures, listing them by charge type; none when there are none."""
    if not totals:
        return []
    listed = ", ".join(f"{k} {v:.2f}" for k, v in totals.items())
    return [
        Issue(
            f"charges that are not usage ({listed} {BASELINE_CURRENCY}) are reported as non_usage_cost and "
            "kept out of actual cost, baseline and savings"
        )
    ]


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
