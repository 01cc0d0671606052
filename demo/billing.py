"""The scenario's bill, as Cost Explorer's ``get_cost_and_usage`` would answer the reporter's query.

Cost Explorer itself is not emulated: moto answers ``get_cost_and_usage`` with results queued in advance,
one per call, in order. This module builds those answers for a given request (the reporter's one query:
filter SERVICE = Amazon SageMaker, GroupBy TAG ``infersave:endpoint`` and DIMENSION ``USAGE_TYPE``), shaped
like real answers:

- one ``ResultsByTime`` entry per time bucket of the request's granularity (DAILY: each UTC day, MONTHLY:
  each calendar month, clipped to the period), ``Total`` empty (as with GroupBy), ``Estimated`` false (the
  month is closed);
- one group per endpoint and usage type with usage in the bucket, ``Keys`` like
  ``["infersave:endpoint$demo-llm-llama31-8b", "USE1-Host:ml.inf2.xlarge"]``;
- metrics as strings with their unit: cost metrics in ``USD``, ``UsageQuantity`` in ``Hrs`` (hosting) or
  ``GB-Mo`` (storage).

Hosting: instance-hours x the bundled catalog's on-demand price. Storage: each instance's ML volume
(``volume_size_gb`` of the config) at ``STORAGE_PRICE_USD_PER_GB_MONTH``, prorated by the hours it ran
(GB-month = GB x hours / hours in the month), usage type ``<region>-Host:VolumeUsage.gp2``.
A long answer is split into pages of ``groups_per_page`` groups linked by ``NextPageToken``.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from demo.scenario import EndpointScenario, Scenario, hourly_price_usd
from lambdas.common import tags
from lambdas.common.catalog import Catalog, load_catalog

#: SageMaker ML storage (general purpose SSD) in us-east-1, USD per GB-month (AWS SageMaker pricing page,
#: "ML storage"); a scenario figure: the reporter takes whatever Cost Explorer says.
STORAGE_PRICE_USD_PER_GB_MONTH = Decimal("0.14")
STORAGE_USAGE_TYPE = "VolumeUsage.gp2"
COST_METRICS = ("UnblendedCost", "AmortizedCost", "BlendedCost", "NetUnblendedCost", "NetAmortizedCost")
USAGE_QUANTITY = "UsageQuantity"
#: Region prefix of SageMaker usage types.
USAGE_TYPE_PREFIX = {
    "us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2",
    "ca-central-1": "CAN1", "eu-west-1": "EUW1", "eu-west-2": "EUW2", "eu-west-3": "EUW3",
    "eu-central-1": "EUC1", "eu-north-1": "EUN1", "ap-northeast-1": "APN1", "ap-southeast-1": "APS1",
    "ap-southeast-2": "APS2", "ap-south-1": "APS3", "sa-east-1": "SAE1",
}  # fmt: skip
_AMOUNT_STEP = Decimal("1E-10")


class UnsupportedQueryError(ValueError):
    """A request this stand-in for Cost Explorer does not answer (another GroupBy or granularity)."""


@dataclass(frozen=True)
class UsageLine:
    """One endpoint's usage of one usage type in one time bucket."""

    endpoint_name: str
    usage_type: str
    quantity: Decimal
    unit: str
    cost_usd: Decimal


def _days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def usage_lines(
    endpoint: EndpointScenario, region: str, days: set[date], catalog: Catalog
) -> list[UsageLine]:
    """Hosting and storage lines of ``endpoint`` over ``days`` (lines without usage are left out)."""
    prefix = USAGE_TYPE_PREFIX.get(region)
    if prefix is None:
        raise UnsupportedQueryError(f"no usage-type prefix known for region {region}")
    hours = Decimal(0)
    gb_months = Decimal(0)
    for usage in endpoint.days:
        if usage.day in days:
            hours += usage.instance_hours
            gb_months += (
                Decimal(endpoint.volume_size_gb) * usage.instance_hours / (24 * _days_in_month(usage.day))
            )
    if not hours:
        return []
    price = hourly_price_usd(endpoint.instance_type, catalog)
    return [
        UsageLine(
            endpoint.endpoint_name, f"{prefix}-Host:{endpoint.instance_type}", hours, "Hrs", hours * price
        ),
        UsageLine(
            endpoint.endpoint_name,
            f"{prefix}-Host:{STORAGE_USAGE_TYPE}",
            gb_months,
            "GB-Mo",
            gb_months * STORAGE_PRICE_USD_PER_GB_MONTH,
        ),
    ]


def time_buckets(start: date, end_exclusive: date, granularity: str) -> list[tuple[date, date]]:
    """Cost Explorer's buckets of ``[start, end_exclusive)``: days, or calendar months clipped to the period."""
    if granularity == "DAILY":
        return [
            (start + timedelta(days=i), start + timedelta(days=i + 1))
            for i in range((end_exclusive - start).days)
        ]
    if granularity == "MONTHLY":
        buckets, cursor = [], start
        while cursor < end_exclusive:
            next_month = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
            buckets.append((cursor, min(next_month, end_exclusive)))
            cursor = next_month
        return buckets
    raise UnsupportedQueryError(f"granularity {granularity!r} is not answered (DAILY or MONTHLY)")


def _amount(value: Decimal) -> str:
    return str(value.quantize(_AMOUNT_STEP))


def _metrics(line: UsageLine, metrics: list[str]) -> dict[str, dict[str, str]]:
    answer = {}
    for metric in metrics:
        if metric in COST_METRICS:
            answer[metric] = {"Amount": _amount(line.cost_usd), "Unit": "USD"}
        elif metric == USAGE_QUANTITY:
            answer[metric] = {"Amount": _amount(line.quantity), "Unit": line.unit}
        else:
            raise UnsupportedQueryError(f"metric {metric!r} is not answered")
    return answer


def _check_group_by(request: Mapping[str, Any]) -> list[str]:
    group_by = request.get("GroupBy") or []
    wanted = {("TAG", tags.ENDPOINT), ("DIMENSION", "USAGE_TYPE")}
    if {(g.get("Type"), g.get("Key")) for g in group_by} != wanted or len(group_by) != 2:
        raise UnsupportedQueryError(f"only GroupBy TAG {tags.ENDPOINT} + DIMENSION USAGE_TYPE is answered")
    return [str(g["Type"]) for g in group_by]


def cost_and_usage_pages(
    request: Mapping[str, Any],
    scenario: Scenario,
    *,
    groups_per_page: int | None = None,
    catalog: Catalog | None = None,
) -> list[dict[str, Any]]:
    """The pages Cost Explorer would return for ``request`` over the scenario's bill, in call order."""
    catalog = catalog or load_catalog()
    order = _check_group_by(request)
    period = request["TimePeriod"]
    start, end_exclusive = date.fromisoformat(period["Start"]), date.fromisoformat(period["End"])
    metrics = list(request["Metrics"])
    definitions = [{"Type": g["Type"], "Key": g["Key"]} for g in request["GroupBy"]]
    entries: list[tuple[dict[str, str], dict[str, Any]]] = []
    for bucket_start, bucket_end in time_buckets(start, end_exclusive, str(request["Granularity"])):
        days = {bucket_start + timedelta(days=i) for i in range((bucket_end - bucket_start).days)}
        time_period = {"Start": bucket_start.isoformat(), "End": bucket_end.isoformat()}
        for endpoint in scenario.endpoints:
            for line in usage_lines(endpoint, scenario.region, days, catalog):
                keys = {"TAG": f"{tags.ENDPOINT}${line.endpoint_name}", "DIMENSION": line.usage_type}
                entries.append(
                    (time_period, {"Keys": [keys[t] for t in order], "Metrics": _metrics(line, metrics)})
                )
        if not any(tp is time_period for tp, _ in entries):
            entries.append((time_period, {}))  # a bucket without usage still appears, with no groups
    size = groups_per_page or max(1, len(entries))
    chunks = [entries[i : i + size] for i in range(0, len(entries), size)] or [[]]
    pages: list[dict[str, Any]] = []
    for number, chunk in enumerate(chunks, start=1):
        results: list[dict[str, Any]] = []
        for time_period, group in chunk:
            if not results or results[-1]["TimePeriod"] != time_period:
                results.append({"TimePeriod": time_period, "Total": {}, "Groups": [], "Estimated": False})
            if group:
                results[-1]["Groups"].append(group)
        page: dict[str, Any] = {
            "GroupDefinitions": definitions,
            "ResultsByTime": results,
            "DimensionValueAttributes": [],
        }
        if number < len(chunks):
            page["NextPageToken"] = f"demo-page-{number + 1}"
        pages.append(page)
    return pages


@dataclass(frozen=True)
class ExpectedCost:
    """What the scenario's bill holds for one endpoint over the whole month (USD, exact)."""

    instance_hours: Decimal
    instance_cost_usd: Decimal
    other_cost_usd: Decimal

    @property
    def actual_cost_usd(self) -> Decimal:
        """Instance cost plus storage."""
        return self.instance_cost_usd + self.other_cost_usd


def expected_costs(scenario: Scenario, catalog: Catalog | None = None) -> dict[str, ExpectedCost]:
    """Per endpoint name: the month's instance-hours, instance cost and other cost, straight from the scenario."""
    catalog = catalog or load_catalog()
    days = {scenario.start + timedelta(days=i) for i in range(scenario.days)}
    answer = {}
    for endpoint in scenario.endpoints:
        lines = usage_lines(endpoint, scenario.region, days, catalog)
        hosting = [line for line in lines if line.unit == "Hrs"]
        answer[endpoint.endpoint_name] = ExpectedCost(
            instance_hours=sum((line.quantity for line in hosting), Decimal(0)),
            instance_cost_usd=sum((line.cost_usd for line in hosting), Decimal(0)),
            other_cost_usd=sum((line.cost_usd for line in lines if line.unit != "Hrs"), Decimal(0)),
        )
    return answer


#: The demo account (moto's default), whose endpoints the CUR rows bill.
DEMO_ACCOUNT_ID = "123456789012"
#: Name of the CUR 2.0 Parquet file of one billing period (Data Exports names files ``<export>-<part>.parquet``).
CUR_FILE_NAME = "infersave-cur-00001.parquet"
#: The CUR 2.0 columns the demo writes, with their Parquet types (CUR 2.0 table dictionary: identifiers and
#: types as strings, dates as timestamps, amounts as doubles, resource_tags a map of strings).
CUR_COLUMNS = {
    "line_item_usage_account_id": "VARCHAR",
    "line_item_resource_id": "VARCHAR",
    "line_item_line_item_type": "VARCHAR",
    "line_item_product_code": "VARCHAR",
    "line_item_usage_type": "VARCHAR",
    "line_item_usage_start_date": "TIMESTAMP",
    "line_item_usage_end_date": "TIMESTAMP",
    "line_item_unblended_cost": "DOUBLE",
    "line_item_usage_amount": "DOUBLE",
    "line_item_currency_code": "VARCHAR",
    "resource_tags": "MAP(VARCHAR, VARCHAR)",
}


def cur_rows(
    scenario: Scenario, account_id: str = DEMO_ACCOUNT_ID, catalog: Catalog | None = None
) -> list[tuple[Any, ...]]:
    """The scenario's bill as CUR 2.0 line items, one per endpoint, usage type and UTC day (a Data Export at
    DAILY granularity; HOURLY ones sum to the same days), from the same :func:`usage_lines` as the Cost
    Explorer answers, so both paths read one bill. Columns in :data:`CUR_COLUMNS` order."""
    from lambdas.cost_reporter.dal.cur import PRODUCT_CODE, cur_tag_key  # noqa: PLC0415 - demo-only import

    catalog = catalog or load_catalog()
    rows: list[tuple[Any, ...]] = []
    for endpoint in scenario.endpoints:
        arn = f"arn:aws:sagemaker:{scenario.region}:{account_id}:endpoint/{endpoint.endpoint_name.lower()}"
        resource_tags = {
            cur_tag_key(tags.PROJECT): scenario.project,
            cur_tag_key(tags.ENDPOINT): endpoint.endpoint_name,
        }
        for offset in range(scenario.days):
            day = scenario.start + timedelta(days=offset)
            start = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - CUR timestamps: UTC, no zone
            for line in usage_lines(endpoint, scenario.region, {day}, catalog):
                rows.append(
                    (
                        account_id, arn, "Usage", PRODUCT_CODE, line.usage_type, start,
                        start + timedelta(days=1), float(_amount(line.cost_usd)), float(_amount(line.quantity)),
                        "USD", resource_tags,
                    )
                )  # fmt: skip
    return rows


def write_cur_parquet(root: Path, scenario: Scenario, account_id: str = DEMO_ACCOUNT_ID) -> list[Path]:
    """Write the scenario's CUR rows as a Data Export lays them out: ``root/data/BILLING_PERIOD=YYYY-MM/``
    (AWS Data Exports user guide, "Understanding export delivery"), one Parquet file per billing period."""
    import duckdb  # noqa: PLC0415 - the local engine, a development dependency

    rows = cur_rows(scenario, account_id)
    by_period: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_period.setdefault(row[5].strftime("%Y-%m"), []).append(row)
    written = []
    columns = ", ".join(f"{name} {kind}" for name, kind in CUR_COLUMNS.items())
    placeholders = ", ".join("?" for _ in CUR_COLUMNS)
    for month, month_rows in sorted(by_period.items()):
        folder = root / "data" / f"BILLING_PERIOD={month}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / CUR_FILE_NAME
        with duckdb.connect(":memory:") as connection:
            connection.execute(f"CREATE TABLE cur ({columns})")
            connection.executemany(f"INSERT INTO cur VALUES ({placeholders})", month_rows)  # noqa: S608 - "?" only
            path = str(target).replace("'", "''")
            connection.execute(f"COPY cur TO '{path}' (FORMAT parquet)")
        written.append(target)
    return written
