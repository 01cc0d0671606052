"""The bill from CUR 2.0 (an AWS Data Export in Parquet): one SQL text (``cur_query.sql``), run by Amazon Athena
in AWS (:mod:`lambdas.cost_reporter.dal.athena`) or DuckDB locally (:mod:`lambdas.cost_reporter.dal.cur_duckdb`),
summed here into the same :class:`CostResult` the Cost Explorer path gives.

Differences from the Cost Explorer path, by design:
- rows carry the usage account (``line_item_usage_account_id``) and the resource (``line_item_resource_id``,
  the endpoint ARN for SageMaker hosting), so cost is attributed per endpoint and account **tagged or not**: a
  row without the ``infersave:endpoint`` tag is attributed to the endpoint named in its ARN (with a warning
  naming it); only rows with neither are ``untagged_cost``;
- with a project name, rows tagged with *another* project are left out (as Cost Explorer's tag filter does),
  rows without a project tag are kept (the organization's untagged endpoints are what this mode is for);
- only ``UnblendedCost`` (``line_item_unblended_cost``): amortized cost in CUR is spread over reservation and
  Savings Plan columns, and the config refuses ``AmortizedCost`` with ``organization`` (see
  ``stacks/config/organization.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lambdas.common import tags
from lambdas.cost_reporter.dal.cost_explorer import (
    BASELINE_CURRENCY,
    MAX_ABS_AMOUNT,
    SERVICE,
    USAGE_RECORD_TYPES,
    add_usage,
    non_usage_warnings,
)
from lambdas.cost_reporter.models import CostData, CostResult, EndpointUsage, Issue, ReportPeriod

QUERY_FILE = Path(__file__).with_name("cur_query.sql")
#: ``line_item_product_code`` of SageMaker in the CUR (Cost Explorer's SERVICE dimension calls it
#: "Amazon SageMaker"); AWS Price List service code, as in the legacy CUR's lineItem/ProductCode.
PRODUCT_CODE = "AmazonSageMaker"
#: The cost metric this source reads.
COST_METRIC = "UnblendedCost"
#: Glue database and table names Athena accepts without quoting trouble: lower-case letters, digits, "_"
#: (Athena "Names for tables, databases, and columns").
_GLUE_NAME = re.compile(r"^[a-z0-9_]{1,255}$")
#: A local (DuckDB) view name.
_VIEW_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_ENDPOINT_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:(\d{12}):endpoint/([A-Za-z0-9-]{1,63})$")
_ACCOUNT = re.compile(r"^\d{12}$")
_COLUMNS = (
    "account_id", "resource_id", "endpoint_tag", "project_tag", "usage_date", "usage_type", "line_item_type",
    "currency", "cost", "usage_amount",
)  # fmt: skip

#: Runs the SQL text and returns its rows as column name -> text (None for NULL).
QueryRunner = Callable[[str], list[dict[str, str | None]]]


class CurQueryError(ValueError):
    """A table name or period the query refuses to be built from."""


def cur_tag_key(key: str) -> str:
    """The ``resource_tags`` map key of a cost allocation tag in CUR 2.0: ``user_`` and the key with every
    character other than a letter, digit or ``_`` as ``_`` (``infersave:endpoint`` -> ``user_infersave_endpoint``;
    AWS's own tags, e.g. ``karpenter.sh/nodepool``, appear as ``user_karpenter_sh_nodepool``)."""
    return "user_" + re.sub(r"[^A-Za-z0-9_]", "_", key)


def athena_table(database: str, table: str) -> str:
    """``"database"."table"`` for Athena, after checking both are Glue names."""
    for what, name in (("database", database), ("table", table)):
        if not _GLUE_NAME.match(name):
            raise CurQueryError(f"CUR {what} {name!r} is not a Glue name (lower-case letters, digits, _)")
    return f'"{database}"."{table}"'


def local_table(view: str) -> str:
    """A DuckDB view name, checked."""
    if not _VIEW_NAME.match(view):
        raise CurQueryError(f"CUR view {view!r} is not a plain lower-case identifier")
    return view


def billing_periods(period: ReportPeriod) -> list[str]:
    """The ``billing_period`` partitions (``YYYY-MM``) that hold ``period``'s days: the query reads no other."""
    months: list[str] = []
    cursor = period.start.replace(day=1)
    while cursor < period.end_exclusive:
        months.append(f"{cursor.year:04d}-{cursor.month:02d}")
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return months


def build_query(table: str, period: ReportPeriod) -> str:
    """The SQL of ``cur_query.sql`` for ``table`` (from :func:`athena_table` or :func:`local_table`) and
    ``period``. Every placeholder is a checked identifier, an ISO date or a constant."""
    if not (_GLUE_NAME.match(table) or re.match(r'^"[a-z0-9_]+"\."[a-z0-9_]+"$', table)):
        raise CurQueryError(f"CUR table {table!r}: build it with athena_table() or local_table()")
    text = QUERY_FILE.read_text(encoding="utf-8")
    sql_lines = [line for line in text.splitlines() if not line.startswith("--")]
    return "\n".join(sql_lines).format(
        table=table,
        endpoint_tag=cur_tag_key(tags.ENDPOINT),
        project_tag=cur_tag_key(tags.PROJECT),
        billing_periods=", ".join(f"'{month}'" for month in billing_periods(period)),
        product_code=PRODUCT_CODE,
        start=period.start.isoformat(),
        end_exclusive=period.end_exclusive.isoformat(),
    )


def describe_filter(project_name: str | None) -> str:
    """The rows read, in words, for the report's assumptions."""
    scope = (
        f"rows tagged `{tags.PROJECT}` = `{project_name}` or without that tag"
        if project_name
        else "every account's rows"
    )
    return (
        f"CUR 2.0 line_item_product_code = {PRODUCT_CODE}, {scope}; usage = line item types "
        f"{', '.join(USAGE_RECORD_TYPES)}; endpoint from the `{tags.ENDPOINT}` tag, else from the resource ARN"
    )


def endpoint_from_arn(resource_id: str) -> tuple[str, str] | None:
    """(account, endpoint name) of a SageMaker endpoint ARN, else None."""
    match = _ENDPOINT_ARN.match(resource_id)
    return (match.group(1), match.group(2)) if match else None


def _decimal(value: str | None, name: str) -> Decimal:
    number = Decimal(value or "0")
    if not number.is_finite() or abs(number) > MAX_ABS_AMOUNT:
        raise InvalidOperation(f"{name} {value!r} is not a real figure")
    return number


def summarize(rows: Iterable[Mapping[str, str | None]], project_name: str | None) -> CostResult:
    """Sum the query's rows into usage per endpoint (with accounts), untagged cost, non-usage charges and the
    daily series; rows that cannot be read are errors naming them, never a lost report."""
    by_endpoint: dict[str, EndpointUsage] = {}
    untagged = Decimal(0)
    non_usage: dict[str, Decimal] = {}
    foreign: dict[str, Decimal] = {}
    by_arn_only: dict[str, Decimal] = {}
    errors: list[Issue] = []
    warnings: list[Issue] = []
    for row in rows:
        missing = [column for column in _COLUMNS if column not in row]
        if missing:
            errors.append(Issue(f"CUR row without columns {missing}: the query and the table disagree"))
            continue
        try:
            cost = _decimal(row["cost"], "cost")
            quantity = _decimal(row["usage_amount"], "usage_amount")
            day = date.fromisoformat(str(row["usage_date"])[:10])
        except (InvalidOperation, ValueError) as exc:
            errors.append(Issue(f"unreadable CUR row {dict(row)!r}: {exc}"))
            continue
        project = row["project_tag"] or None
        if project_name and project is not None and project != project_name:
            continue
        line_type = row["line_item_type"] or "unknown"
        currency = row["currency"] or BASELINE_CURRENCY
        if currency != BASELINE_CURRENCY:
            foreign[currency] = foreign.get(currency, Decimal(0)) + cost
            continue
        if line_type not in USAGE_RECORD_TYPES:
            non_usage[line_type] = non_usage.get(line_type, Decimal(0)) + cost
            continue
        resource = row["resource_id"] or ""
        from_arn = endpoint_from_arn(resource)
        name = row["endpoint_tag"] or (from_arn[1] if from_arn else None)
        if not name:
            untagged += cost
            continue
        if not row["endpoint_tag"]:
            by_arn_only[name] = by_arn_only.get(name, Decimal(0)) + cost
        usage = by_endpoint.setdefault(name, EndpointUsage())
        add_usage(usage, row["usage_type"] or "", cost, quantity, day)
        account = row["account_id"] or ""
        if _ACCOUNT.match(account):
            usage.account_ids.add(account)
    for name, amount in sorted(by_arn_only.items()):
        warnings.append(
            Issue(
                f"{BASELINE_CURRENCY} {amount:.2f} of its cost carries no {tags.ENDPOINT} tag: attributed from "
                "the resource ARN (tag the endpoint, or activate the tag as a cost allocation tag)",
                name,
            )
        )
    for name, usage in by_endpoint.items():
        if len(usage.account_ids) > 1:
            warnings.append(Issue(f"billed in several accounts {sorted(usage.account_ids)}", name))
    if untagged:
        warnings.append(
            Issue(
                f"{BASELINE_CURRENCY} {untagged:.2f} of {SERVICE} cost is neither tagged {tags.ENDPOINT} nor on an "
                "endpoint ARN (notebooks, training, storage of other resources): reported as untagged_cost"
            )
        )
    for unit, amount in sorted(foreign.items()):
        errors.append(
            Issue(f"{amount} {unit} of {SERVICE} is not in {BASELINE_CURRENCY}: kept out of every figure")
        )
    non_usage = {k: v for k, v in sorted(non_usage.items()) if v}
    warnings += non_usage_warnings(non_usage)
    data = CostData(
        by_endpoint=by_endpoint,
        untagged_cost=untagged,
        currency=BASELINE_CURRENCY,
        pages=1,
        foreign_currency=foreign,
    )
    return CostResult(
        data=data,
        non_usage=non_usage,
        warnings=warnings,
        errors=errors,
        partial=False,
        description=describe_filter(project_name),
        source="cur",
    )


def read_cur(run: QueryRunner, table: str, period: ReportPeriod, project_name: str | None) -> CostResult:
    """Build the query for ``table`` and ``period``, run it, and sum its rows."""
    return summarize(run(build_query(table, period)), project_name)
