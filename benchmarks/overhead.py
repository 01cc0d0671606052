"""infersave's own monthly running cost at N endpoints, against what those endpoints cost (issue 12).

Prices: ``benchmarks/data/running_prices.json`` (us-east-1, sources and date inside). What infersave runs per
month, for N endpoints in S endpoint stacks with per-endpoint metrics for the top T by cost:

- custom metrics (EMF from the cost reporter): 6 per endpoint for the top T, per scheduled report type, plus
  12 project totals (6 cost figures, untagged cost, endpoints reported and with metrics, warnings, errors,
  Powertools' cold start); billed by the hour in which each is sent: the daily month-to-date report in up
  to 31 hours, the monthly one in 1 (``--whole-months`` bills every metric a whole month: the upper bound);
- alarms: per endpoint 5XX, p90 latency, and at-max-capacity (a metric-math alarm reading 2 metrics): 4 alarm
  metrics; plus errors and on-failure queue alarms of the reporter, the breach switch and the capacity recorder
  (2 each);
- the capacity recorder (``lambdas.capacity_recorder``): ``RECORDER_RUNS_PER_MONTH`` runs (every 5 minutes, 30
  days); its series are custom metrics sent every hour, so each is billed a whole month: one ``InstanceCount`` per
  endpoint (one variant each) plus ``--components`` x 2 (``CopyCount``, ``AcceleratorDevicesAllocated``), and its
  own ``CapacitySamplesWritten``; one PutMetricData request per 1,000 samples per run (USD 0.01 per 1,000
  requests); Lambda at 256 MB for ``RECORDER_SECONDS_FIXED`` + ``RECORDER_SECONDS_PER_ENDPOINT`` per endpoint (a
  DescribeEndpoint call each); about ``RECORDER_LOG_BYTES`` of logs a run. Its X-Ray traces stay within the
  100,000 a month X-Ray does not charge for, and the SageMaker and Tagging API reads cost nothing;
- one dashboard; KMS keys: one volume key per endpoint stack, plus the artifacts, alerts and reports keys;
- Cost Explorer: per report the usage query's pages (DAILY: about 2 groups per endpoint per day, instance hours
  and storage, over up to 31 days; AWS does not document the page size, ``GROUPS_PER_PAGE`` is a conservative
  guess), the non-usage query and one tag-activation call; 32 reports a month (daily + monthly), each counted
  as a whole month of days (an upper bound: a month-to-date report covers the days so far);
- GetMetricData: three metrics per endpoint per report (``Invocations`` Sum; the capacity recorder's
  ``InstanceCount`` Average and SampleCount), for endpoints served by instances (a shared endpoint adds
  ``AcceleratorDevicesAllocated`` and ``Invocations`` per component);
- Lambda: the reporter (512 MB, ``REPORT_SECONDS``) per report, the breach switch's hourly re-check (256 MB,
  1 s, 720 a month); S3: 6 objects per report, kept about 13 months (400 days of non-current versions);
  CloudWatch Logs: about 1 KB per endpoint per report; Budgets (no actions), Cost Anomaly Detection and the
  SNS e-mails (under the 1,000 free a month) cost nothing.

Endpoints cost at least one ``ml.inf2.xlarge`` each around the clock (USD 0.99/h x 730 h = USD 722.70 a month,
the catalog's cheapest Inferentia2 hosting): the share is an upper bound for any real fleet.
Usage: ``python -m benchmarks.overhead [--endpoints 10 100 1000] [--top 20] [--components 0] [--whole-months]``.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from lambdas.common.catalog import load_catalog

PRICES_FILE = Path(__file__).resolve().parent / "data" / "running_prices.json"
HOURS_PER_MONTH = Decimal(730)
#: Hours a month in which each scheduled report type sends its metrics (daily: up to 31 days; monthly: 1).
REPORT_HOURS = {"month_to_date": Decimal(31), "previous_month": Decimal(1)}
REPORTS_PER_MONTH = 32
METRICS_PER_ENDPOINT = 6
TOTAL_METRICS = 12
#: GetMetricData metrics the reporter reads per instance-served endpoint: Invocations, InstanceCount x 2 stats.
METRICS_READ_PER_ENDPOINT = 3
#: Files a report writes (report.json, .csv, .md, .html, daily.csv, components.csv).
REPORT_OBJECTS = 6
ALARM_METRICS_PER_ENDPOINT = 4
FUNCTION_ALARM_METRICS = 6  # reporter, breach switch, capacity recorder: errors and on-failure queue each
SHARED_KEYS = 3  # compile artifacts, alerts topic, reports bucket
GROUPS_PER_ENDPOINT_DAY = 2
DAYS_PER_REPORT = 31
GROUPS_PER_PAGE = 100
RECHECKS_PER_MONTH = 720
REPORT_SECONDS_FIXED = Decimal(2)
REPORT_SECONDS_PER_ENDPOINT = Decimal("0.003")
REPORT_BYTES_FIXED = 20_000
REPORT_BYTES_PER_ENDPOINT = 2_000
LOG_BYTES_PER_ENDPOINT = 1_000
RETAINED_MONTHS = 13
ENDPOINTS_PER_STACK = 30
#: Capacity recorder: every 5 minutes for 30 days (12 x 24 x 30).
RECORDER_RUNS_PER_MONTH = 8640
RECORDER_SERIES_PER_COMPONENT = 2
RECORDER_OWN_METRICS = 1  # CapacitySamplesWritten (the failure counts are sent only when something failed)
RECORDER_SAMPLES_PER_CALL = 1000  # PutMetricData's limit
RECORDER_SECONDS_FIXED = Decimal("0.5")
RECORDER_SECONDS_PER_ENDPOINT = Decimal("0.05")
RECORDER_GB = Decimal("0.25")
RECORDER_LOG_BYTES = 3_000
GB = Decimal(10**9)


@dataclass(frozen=True)
class Overhead:
    """One fleet size: infersave's cost per item and the endpoints' floor cost (USD a month)."""

    endpoints: int
    items: dict[str, Decimal]
    endpoints_usd: Decimal

    @property
    def total_usd(self) -> Decimal:
        return sum(self.items.values(), Decimal(0))

    @property
    def percent(self) -> Decimal:
        return Decimal(100) * self.total_usd / self.endpoints_usd


def load_prices(path: Path = PRICES_FILE) -> dict[str, Decimal]:
    """The price table (USD) from the dated data file."""
    raw = json.loads(path.read_text())
    return {name: Decimal(value) for name, value in raw["prices"].items()}


def endpoint_floor_usd() -> Decimal:
    """One ml.inf2.xlarge for a month: what an endpoint costs at least."""
    price = load_catalog().instances["ml.inf2.xlarge"].hourly_price_usd
    assert price is not None
    return Decimal(str(price)) * HOURS_PER_MONTH


def monthly_overhead(
    endpoints: int,
    prices: dict[str, Decimal],
    *,
    top: int = 20,
    stacks: int | None = None,
    whole_months: bool = False,
    endpoint_usd: Decimal | None = None,
    components: int = 0,
) -> Overhead:
    """infersave's monthly cost for ``endpoints`` endpoints in ``stacks`` endpoint stacks (default: about 30
    per stack) hosting ``components`` inference components in all, per item, unrounded."""
    stacks = stacks if stacks is not None else max(1, math.ceil(endpoints / ENDPOINTS_PER_STACK))
    metrics = Decimal(min(endpoints, top) * METRICS_PER_ENDPOINT + TOTAL_METRICS)
    if whole_months:
        metric_months = metrics * len(REPORT_HOURS)
    else:
        metric_months = metrics * sum(REPORT_HOURS.values()) / HOURS_PER_MONTH
    pages = max(1, math.ceil(endpoints * GROUPS_PER_ENDPOINT_DAY * DAYS_PER_REPORT / GROUPS_PER_PAGE)) + 2
    report_seconds = REPORT_SECONDS_FIXED + REPORT_SECONDS_PER_ENDPOINT * endpoints
    gb_seconds = REPORTS_PER_MONTH * report_seconds * Decimal("0.5") + RECHECKS_PER_MONTH * Decimal("0.25")
    invocations = REPORTS_PER_MONTH + RECHECKS_PER_MONTH
    report_bytes = REPORT_BYTES_FIXED + REPORT_BYTES_PER_ENDPOINT * endpoints
    series = endpoints + RECORDER_SERIES_PER_COMPONENT * components
    recorder_calls = RECORDER_RUNS_PER_MONTH * max(1, math.ceil(series / RECORDER_SAMPLES_PER_CALL))
    recorder_gb_seconds = (
        RECORDER_RUNS_PER_MONTH
        * (RECORDER_SECONDS_FIXED + RECORDER_SECONDS_PER_ENDPOINT * endpoints)
        * RECORDER_GB
    )
    items = {
        "CloudWatch custom metrics": metric_months * prices["custom_metric_month"],
        "CloudWatch alarms": Decimal(ALARM_METRICS_PER_ENDPOINT * endpoints + FUNCTION_ALARM_METRICS)
        * prices["alarm_metric_month"],
        "CloudWatch dashboard": prices["dashboard_month"],
        "KMS keys": Decimal(stacks + SHARED_KEYS) * prices["kms_key_month"],
        "Cost Explorer requests": Decimal(REPORTS_PER_MONTH * pages) * prices["cost_explorer_request"],
        "GetMetricData": Decimal(REPORTS_PER_MONTH * endpoints * METRICS_READ_PER_ENDPOINT)
        / 1000
        * prices["get_metric_data_per_1000_metrics"],
        "Lambda": gb_seconds * prices["lambda_arm_gb_second"]
        + Decimal(invocations) / 1_000_000 * prices["lambda_per_million_requests"],
        "S3": Decimal(REPORTS_PER_MONTH * report_bytes * RETAINED_MONTHS)
        / GB
        * prices["s3_standard_gb_month"]
        + Decimal(REPORTS_PER_MONTH * REPORT_OBJECTS) / 1000 * prices["s3_put_per_1000"],
        "CloudWatch Logs": Decimal(REPORTS_PER_MONTH * LOG_BYTES_PER_ENDPOINT * endpoints)
        / GB
        * prices["logs_ingestion_per_gb"],
        "Budgets, Anomaly Detection, SNS": prices["budget_month"],
        "Capacity recorder metrics (a series per endpoint, 2 per component)": Decimal(
            series + RECORDER_OWN_METRICS
        )
        * prices["custom_metric_month"],
        "Capacity recorder runs (Lambda, PutMetricData, Logs)": recorder_gb_seconds
        * prices["lambda_arm_gb_second"]
        + Decimal(RECORDER_RUNS_PER_MONTH) / 1_000_000 * prices["lambda_per_million_requests"]
        + Decimal(recorder_calls) / 1000 * prices["put_metric_data_per_1000_requests"]
        + Decimal(RECORDER_RUNS_PER_MONTH * RECORDER_LOG_BYTES) / GB * prices["logs_ingestion_per_gb"],
    }
    floor = endpoint_usd if endpoint_usd is not None else endpoint_floor_usd()
    return Overhead(endpoints=endpoints, items=items, endpoints_usd=floor * endpoints)


def _usd(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def render(rows: list[Overhead]) -> str:
    """A Markdown table: one column per fleet size."""
    header = "| item (USD a month) | " + " | ".join(f"{r.endpoints:,} endpoints" for r in rows) + " |"
    lines = [header, "|---|" + "---|" * len(rows)]
    for item in rows[0].items:
        lines.append(f"| {item} | " + " | ".join(_usd(r.items[item]) for r in rows) + " |")
    lines.append("| **infersave total** | " + " | ".join(f"**{_usd(r.total_usd)}**" for r in rows) + " |")
    lines.append(
        "| endpoints (1 x ml.inf2.xlarge each, at least) | "
        + " | ".join(_usd(r.endpoints_usd) for r in rows)
        + " |"
    )
    lines.append("| **share** | " + " | ".join(f"**{r.percent:.3f} %**" for r in rows) + " |")
    return "\n".join(lines)


def main() -> None:
    """Print the table for the fleet sizes asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--top", type=int, default=20, help="reports.metrics_top_endpoints")
    parser.add_argument("--whole-months", action="store_true", help="bill each custom metric a whole month")
    parser.add_argument("--components", type=int, default=0, help="inference components across the endpoints")
    args = parser.parse_args()
    prices = load_prices()
    transcribed = json.loads(PRICES_FILE.read_text())["transcribed"]
    print(f"infersave's own running cost, us-east-1 list prices transcribed {transcribed}")
    print(
        render(
            [
                monthly_overhead(
                    n, prices, top=args.top, whole_months=args.whole_months, components=args.components
                )
                for n in args.endpoints
            ]
        )
    )


if __name__ == "__main__":
    main()
