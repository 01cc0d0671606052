"""Report rendering: JSON (schema_version 4), CSV, daily CSV, components CSV, Markdown, the command's table and
the SNS summary.

This is the edge where Decimal becomes numbers: amounts are rounded to cents (half up), rates per
instance-hour and per 1,000 invocations to 4 decimals, hours to 4 decimals, percentages to 2.
Totals are rounded from unrounded sums, so they can differ from the sum of rounded rows by a cent.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal
from typing import Any

from lambdas.cost_reporter.logic import savings, tokens
from lambdas.cost_reporter.logic.savings import per_thousand
from lambdas.cost_reporter.models import DayTotal, EndpointDay, EndpointLine, Issue, Report

#: 2: ``status`` (complete | partial), ``non_usage_cost`` (by record type) and ``non_usage_total`` added;
#: actual cost counts usage record types only. 3: ``daily`` (the project per UTC day) and each endpoint's
#: ``daily`` added (with ``cost_source`` and ``endpoints[].account_id`` of the CUR report); per endpoint the capacity ratio's source (issue 10: ``capacity_ratio_source``,
#: ``capacity_ratio_measured_on``, ``objective_ttft_p90_s``, ``objective_itl_p90_s``) and tokens with cost per
#: 1M tokens (``input_tokens``, ``output_tokens``, ``tokens_source``, ``cost_per_1m_input_tokens``,
#: ``cost_per_1m_output_tokens`` and their ``baseline_`` twins); ``cold_starts`` (scale to zero, issue 11); idle
#: capacity per endpoint (``idle_instance_hours``, ``idle_cost``, ``idle_share``, ``hours_at_zero``) and in the
#: totals (``idle_cost``, ``idle_instance_hours``); no schema-2 field removed or renamed. 4: per endpoint
#: ``idle_source`` (``recorded`` | ``spread``), ``capacity_coverage`` (0..1) and ``components``
#: (inference components and ``(unallocated)``, money in cents like every amount, adding up to the endpoint's
#: ``actual_cost`` and ``baseline_cost``); no schema-3 field removed or renamed.
SCHEMA_VERSION = 4
_CENT = Decimal("0.01")
#: Half-up rounding with room for any figure the reporter accepts (rows are bounded at 1e12, ratios at 100,
#: prices at 1e4 per hour): quantizing never raises for lack of digits, as the default 28 digits could.
_ROUNDING = Context(prec=60, rounding=ROUND_HALF_UP)
_RATE = Decimal("0.0001")
_HUNDRED = Decimal(100)

#: Field order of an endpoint in the JSON and the columns of the CSV.
ENDPOINT_FIELDS = (
    "endpoint_name",
    "instance_type",
    "instance_hours",
    "actual_cost",
    "other_cost",
    "baseline_instance_type",
    "capacity_ratio",
    "baseline_hourly_price",
    "price_source",
    "baseline_cost",
    "savings",
    "savings_pct",
    "invocations",
    "cost_per_1k_invocations",
    "baseline_cost_per_1k_invocations",
    "account_id",
    "capacity_ratio_source",
    "capacity_ratio_measured_on",
    "objective_ttft_p90_s",
    "objective_itl_p90_s",
    "input_tokens",
    "output_tokens",
    "tokens_source",
    "cost_per_1m_input_tokens",
    "cost_per_1m_output_tokens",
    "baseline_cost_per_1m_input_tokens",
    "baseline_cost_per_1m_output_tokens",
    "idle_instance_hours",
    "idle_cost",
    "idle_share",
    "hours_at_zero",
    "idle_source",
    "capacity_coverage",
)


def round_money(amount: Decimal) -> Decimal:
    """``amount`` rounded to cents, half up."""
    return amount.quantize(_CENT, context=_ROUNDING)


def _number(value: Decimal | None, step: Decimal) -> float | None:
    return None if value is None else float(value.quantize(step, context=_ROUNDING))


def _money(value: Decimal | None) -> float | None:
    return _number(value, _CENT)


def endpoint_document(line: EndpointLine) -> dict[str, Any]:
    """One endpoint as the JSON object of the contract."""
    return {
        "endpoint_name": line.endpoint_name,
        "instance_type": line.instance_type,
        "instance_hours": _number(line.instance_hours, _RATE),
        "actual_cost": _money(line.actual_cost),
        "other_cost": _money(line.other_cost),
        "baseline_instance_type": line.baseline_instance_type,
        "capacity_ratio": float(line.capacity_ratio),
        "baseline_hourly_price": _number(line.baseline_hourly_price, _RATE),
        "price_source": line.price_source,
        "baseline_cost": _money(line.baseline_cost),
        "savings": _money(line.savings),
        "savings_pct": _number(line.savings_pct, _CENT),
        "invocations": line.invocations,
        "cost_per_1k_invocations": _number(line.cost_per_1k_invocations, _RATE),
        "baseline_cost_per_1k_invocations": _number(line.baseline_cost_per_1k_invocations, _RATE),
        "account_id": line.account_id,
        "capacity_ratio_source": line.provenance.capacity_ratio_source,
        "capacity_ratio_measured_on": (
            None if line.provenance.measured_on is None else line.provenance.measured_on.isoformat()
        ),
        "objective_ttft_p90_s": line.provenance.objective_ttft_p90_s,
        "objective_itl_p90_s": line.provenance.objective_itl_p90_s,
        "input_tokens": _count(line.input_tokens),
        "output_tokens": _count(line.output_tokens),
        "tokens_source": line.tokens_source,
        "cost_per_1m_input_tokens": _number(line.cost_per_1m_input_tokens, _RATE),
        "cost_per_1m_output_tokens": _number(line.cost_per_1m_output_tokens, _RATE),
        "baseline_cost_per_1m_input_tokens": _number(line.baseline_cost_per_1m_input_tokens, _RATE),
        "baseline_cost_per_1m_output_tokens": _number(line.baseline_cost_per_1m_output_tokens, _RATE),
        "idle_instance_hours": _number(line.idle_instance_hours, _RATE),
        "idle_cost": _money(line.idle_cost),
        "idle_share": _number(line.idle_share, _RATE),
        "hours_at_zero": line.hours_at_zero,
        "idle_source": line.idle_source,
        "capacity_coverage": _number(line.capacity_coverage, _RATE),
    }


#: Columns of components.csv: a row per component of each inference-component endpoint, then its
#: ``(unallocated)`` row.
COMPONENT_FIELDS = (
    "endpoint_name",
    "name",
    "model_id",
    "chip_hours",
    "share",
    "cost",
    "baseline_cost",
    "invocations",
    "cost_per_1k_invocations",
)


def _cents_down(amounts: Sequence[Decimal], whole: Decimal) -> list[Decimal]:
    """``amounts`` (the components, then ``(unallocated)`` last) in cents adding up to ``whole`` rounded half
    up: each component rounded down, the remainder, never below the unrounded rest, to the last entry."""
    cents = [a.quantize(_CENT, context=Context(prec=60, rounding=ROUND_DOWN)) for a in amounts[:-1]]
    return [*cents, round_money(whole) - sum(cents, Decimal(0))]


def component_documents(line: EndpointLine) -> list[dict[str, Any]]:
    """The ``components`` of one endpoint as schema 4 objects (empty for an instance-served endpoint)."""
    entries = line.components
    if not entries:
        return []
    costs = _cents_down([e.cost for e in entries], line.actual_cost)
    baselines: list[Decimal | None] = [None] * len(entries)
    if line.baseline_cost is not None:
        baselines = list(_cents_down([e.baseline_cost or Decimal(0) for e in entries], line.baseline_cost))
    return [
        {
            "name": entry.name,
            "model_id": entry.model_id,
            "chip_hours": _number(entry.chip_hours, _RATE),
            "share": _number(entry.cost / line.actual_cost if line.actual_cost else None, _RATE),
            "cost": _money(cost),
            "baseline_cost": _money(baseline),
            "invocations": entry.invocations,
            "cost_per_1k_invocations": _number(per_thousand(entry.cost, entry.invocations), _RATE),
        }
        for entry, cost, baseline in zip(entries, costs, baselines, strict=True)
    ]


def _count(value: Decimal | None) -> int | None:
    return None if value is None else int(value.quantize(Decimal(1), context=_ROUNDING))


#: Columns of daily.csv: a row per endpoint and day, then a ``(total)`` row per day.
DAILY_FIELDS = (
    "date",
    "endpoint_name",
    "instance_hours",
    "actual_cost",
    "baseline_cost",
    "savings",
    "invocations",
)


def day_document(day: EndpointDay) -> dict[str, Any]:
    """One endpoint's day as the JSON object of schema 3."""
    saved = None if day.baseline_cost is None else day.baseline_cost - day.actual_cost
    return {
        "date": day.day.isoformat(),
        "instance_hours": _number(day.instance_hours, _RATE),
        "actual_cost": _money(day.actual_cost),
        "baseline_cost": _money(day.baseline_cost),
        "savings": _money(saved),
        "invocations": day.invocations,
    }


def day_total_document(day: DayTotal) -> dict[str, Any]:
    """The project's day as the JSON object of schema 3 (baseline and savings: endpoints with a baseline)."""
    return {
        "date": day.day.isoformat(),
        "instance_hours": _number(day.instance_hours, _RATE),
        "actual_cost": _money(day.actual_cost),
        "baseline_cost": _money(day.baseline_cost),
        "savings": _money(day.savings),
        "invocations": day.invocations,
    }


def _issue(issue: Issue) -> dict[str, Any]:
    return {"endpoint_name": issue.endpoint_name, "message": issue.message}


def report_document(report: Report) -> dict[str, Any]:
    """The report as the JSON document of the contract (``schema_version`` 4)."""
    totals = report.totals
    endpoints = []
    for line in report.endpoints:
        document = endpoint_document(line)
        document["daily"] = [day_document(day) for day in line.daily]
        document["components"] = component_documents(line)
        endpoints.append(document)
    return {
        "schema_version": SCHEMA_VERSION,
        "status": status(report),
        "period": {"start": report.period.start.isoformat(), "end": report.period.end_exclusive.isoformat()},
        "currency": report.currency,
        "cost_metric": report.cost_metric,
        "cost_source": report.cost_source,
        "endpoints": endpoints,
        "untagged_cost": _money(report.untagged_cost),
        "non_usage_cost": {kind: _money(amount) for kind, amount in report.non_usage_cost.items()},
        "non_usage_total": _money(sum(report.non_usage_cost.values(), Decimal(0))),
        "totals": {
            "actual_cost": _money(totals.actual_cost),
            "baseline_cost": _money(totals.baseline_cost),
            "savings": _money(totals.savings),
            "savings_pct": _number(totals.savings_pct, _CENT),
            "instance_hours": _number(totals.instance_hours, _RATE),
            "invocations": totals.invocations,
            "idle_cost": _money(totals.idle_cost),
            "idle_instance_hours": _number(totals.idle_instance_hours, _RATE),
        },
        "daily": [day_total_document(day) for day in savings.daily_totals(report.endpoints)],
        "warnings": [_issue(issue) for issue in report.warnings],
        "errors": [_issue(issue) for issue in report.errors],
        # 3 added: scale to zero (lambdas.cost_reporter.dal.cold_starts), endpoints with any cold start only.
        "cold_starts": {
            name: {
                "count": figures.count,
                "refused_requests": figures.refused_requests,
                "periods_refusing_5min": figures.periods_refusing,
            }
            for name, figures in sorted(report.cold_starts.items())
        },
    }


def status(report: Report) -> str:
    """``partial`` when data that should be there is missing (the scheduled run then fails and is retried)."""
    return "partial" if report.partial else "complete"


def render_json(report: Report) -> str:
    """report.json."""
    return json.dumps(report_document(report), indent=2) + "\n"


def render_csv(report: Report) -> str:
    """report.csv: a row per endpoint, then ``(untagged)`` and ``(total)`` rows (names SageMaker forbids)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ENDPOINT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for line in report.endpoints:
        writer.writerow(endpoint_document(line))
    document = report_document(report)
    writer.writerow({"endpoint_name": "(untagged)", "actual_cost": document["untagged_cost"]})
    totals = document["totals"]
    writer.writerow(
        {
            "endpoint_name": "(total)",
            "instance_hours": totals["instance_hours"],
            "actual_cost": totals["actual_cost"],
            "baseline_cost": totals["baseline_cost"],
            "savings": totals["savings"],
            "savings_pct": totals["savings_pct"],
            "invocations": totals["invocations"],
            "idle_instance_hours": totals["idle_instance_hours"],
            "idle_cost": totals["idle_cost"],
        }
    )
    return buffer.getvalue()


def render_components_csv(report: Report) -> str:
    """components.csv: a row per component of each inference-component endpoint, then its ``(unallocated)``
    row (the figures of ``endpoints[].components``); only the header when no endpoint has components."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COMPONENT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for line in report.endpoints:
        for document in component_documents(line):
            writer.writerow({"endpoint_name": line.endpoint_name, **document})
    return buffer.getvalue()


def render_daily_csv(report: Report) -> str:
    """daily.csv: a row per endpoint and UTC day, then a ``(total)`` row per day (the figures of ``daily``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=DAILY_FIELDS, lineterminator="\n")
    writer.writeheader()
    for line in report.endpoints:
        for day in line.daily:
            writer.writerow({"endpoint_name": line.endpoint_name, **day_document(day)})
    for total in savings.daily_totals(report.endpoints):
        writer.writerow({"endpoint_name": "(total)", **day_total_document(total)})
    return buffer.getvalue()


def fmt(value: Decimal | None, step: Decimal = _CENT) -> str:
    """A figure for people: rounded half up to ``step`` (cents by default), thousands separated; ``n/a`` for None."""
    return "n/a" if value is None else f"{value.quantize(step, context=_ROUNDING):,}"


def pct(value: Decimal | None) -> str:
    """A percentage for people: two decimals and ``%``; ``n/a`` for None."""
    return "n/a" if value is None else f"{fmt(value)}%"


def table_rows(report: Report) -> list[list[str]]:
    """Header and rows of the summary table (command output and Markdown)."""
    cur = report.currency
    rows = [
        [
            "endpoint",
            "instance",
            "hours",
            f"actual {cur}",
            "baseline",
            f"baseline {cur}",
            f"savings {cur}",
            "savings %",
            "invocations",
            f"{cur}/1k req",
            f"{cur}/1M out tok",
            "ratio",
            "idle %",
        ]
    ]
    for line in report.endpoints:
        rows.append(
            [
                line.endpoint_name,
                line.instance_type or "n/a",
                fmt(line.instance_hours),
                fmt(line.actual_cost),
                f"{line.baseline_instance_type} x{line.capacity_ratio}",
                fmt(line.baseline_cost),
                fmt(line.savings),
                pct(line.savings_pct),
                "n/a" if line.invocations is None else f"{line.invocations:,}",
                fmt(line.cost_per_1k_invocations, _RATE),
                fmt(line.cost_per_1m_output_tokens, _RATE),
                tokens.source_words(line.provenance),
                idle_words(line),
            ]
        )
    t = report.totals
    rows.append(
        [
            "TOTAL",
            "",
            fmt(t.instance_hours),
            fmt(t.actual_cost),
            "",
            fmt(t.baseline_cost),
            fmt(t.savings),
            pct(t.savings_pct),
            f"{t.invocations:,}",
            "",
            "",
            "",
            f"{fmt(t.idle_cost)} {cur} idle",
        ]
    )
    return rows


def share(value: Decimal | None) -> str:
    """A fraction for people as a percentage with two decimals; ``n/a`` for None."""
    return "n/a" if value is None else pct(_HUNDRED * value)


def idle_words(line: EndpointLine) -> str:
    """The idle share of an endpoint, ``recorded`` when taken from the capacity recording (otherwise spread over
    the day: an upper bound), and, where it scaled to zero, its hours at zero."""
    words = share(line.idle_share)
    if line.idle_share is not None and line.idle_source == "recorded":
        words += " recorded"
    return words if line.hours_at_zero is None else f"{words}, {line.hours_at_zero:,} h at 0"


def component_rows(report: Report, line: EndpointLine) -> list[list[str]]:
    """Header and rows of one shared endpoint's split per component (Markdown and HTML)."""
    cur = report.currency
    rows = [
        [
            "component",
            "model",
            "chip-hours",
            "share",
            f"cost {cur}",
            f"baseline {cur}",
            "invocations",
            f"{cur}/1k req",
        ]
    ]
    for document in component_documents(line):
        rows.append(
            [
                document["name"],
                document["model_id"] or "",
                fmt(Decimal(str(document["chip_hours"]))),
                "n/a" if document["share"] is None else share(Decimal(str(document["share"]))),
                fmt(Decimal(str(document["cost"]))),
                "n/a" if document["baseline_cost"] is None else fmt(Decimal(str(document["baseline_cost"]))),
                "n/a" if document["invocations"] is None else f"{document['invocations']:,}",
                "n/a"
                if document["cost_per_1k_invocations"] is None
                else fmt(Decimal(str(document["cost_per_1k_invocations"])), _RATE),
            ]
        )
    return rows


def shared_endpoints(report: Report) -> list[EndpointLine]:
    """The endpoints split per component (inference components recorded), in report order."""
    return [line for line in report.endpoints if line.components]


def summary_table(report: Report) -> str:
    """Fixed-width text table for a terminal."""
    rows = table_rows(report)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    footer = [
        f"period {report.period.start} to {report.period.end_exclusive} (end exclusive), "
        f"{report.cost_metric}, untagged {fmt(report.untagged_cost)} {report.currency}",
        f"{len(report.warnings)} warning(s), {len(report.errors)} error(s)",
    ]
    return "\n".join([*lines, *footer]) + "\n"


PARTIAL_NOTICE = "PARTIAL REPORT: data is missing (see Errors); the scheduled run is retried."


def period_words(report: Report) -> str:
    """The period, cost metric and currency in one sentence (Markdown and HTML)."""
    return (
        f"Period: {report.period.start} (inclusive) to {report.period.end_exclusive} (exclusive), UTC days. "
        f"Cost metric: {report.cost_metric}. Currency: {report.currency}."
    )


def headline(report: Report) -> str:
    """The totals in one sentence."""
    t = report.totals
    return (
        f"Actual {fmt(t.actual_cost)}, baseline {fmt(t.baseline_cost)}, "
        f"savings {fmt(t.savings)} ({pct(t.savings_pct)})."
    )


def money_notes(report: Report) -> str:
    """What the totals leave out: untagged cost and charges that are not usage."""
    return (
        f"Untagged SageMaker cost: {fmt(report.untagged_cost)}. "
        f"Charges that are not usage (credits, refunds, taxes, fees), kept out of the figures: "
        f"{_non_usage_words(report)}."
    )


def assumptions(report: Report) -> list[str]:
    """How the figures are computed, one item each; inline code between backticks (Markdown and HTML)."""
    sources = sorted({line.price_source for line in report.endpoints if line.price_source})
    return [
        "Actual cost: what Cost Explorer billed each `infersave:endpoint` tag value (Amazon SageMaker).",
        f"Cost Explorer filter: {report.cost_filter}.",
        "Instance hours: UsageQuantity of the usage types containing `Host:ml.`; other cost: its other "
        "usage types (storage...).",
        "Baseline cost = instance hours x capacity ratio x baseline on-demand hourly price + other cost. "
        "The capacity ratio is the number of baseline (GPU) instances needed per Inferentia2 instance for "
        "the same throughput: an assumption set per endpoint (tag `infersave:baseline-capacity-ratio`), to be "
        "measured on your own workload.",
        "Savings = baseline cost - actual cost; savings % = 100 x savings / baseline cost.",
        "Cost per 1,000 requests = 1000 x cost / CloudWatch `AWS/SageMaker` `Invocations` of the period.",
        "Idle: an hour without `Invocations` (Sum, 1-hour period) is idle. Idle cost = idle instance-hours x the "
        "endpoint's hourly price (instance cost / instance-hours); idle % = idle cost / instance cost. The bill "
        "gives instance-hours per UTC day only: where the capacity recorder's `InstanceCount` (`infersave/Capacity`, "
        "a sample every 5 minutes) holds at least 90 % of the samples of the billed days (`capacity_coverage`), "
        "each hour gets the instances recorded in it, reconciled with its day's bill (`idle % ... recorded`); "
        "otherwise each day's instance-hours are spread evenly over its 24 hours, an upper bound: it overstates "
        "idle on a day that scaled, whose instances ran in the busy hours. Hours at zero (`h at 0`, endpoints "
        "that scaled to zero): hours recorded at zero instances, or, spread, whole UTC days without "
        "instance-hours x 24.",
        *_component_assumptions(report),
        "Capacity ratio source: `measured <date>` when the endpoint's tag `infersave:capacity-ratio-source` says "
        "a calibration (`make calibrate`) measured it that day, with that run's latency objective (p90 time to "
        "first token, p90 inter-token latency); otherwise `assumed`.",
        "Tokens (estimate:calibration) = invocations x the calibration's mean tokens per request (tags "
        "`infersave:input-tokens-per-request`, `infersave:output-tokens-per-request`): SageMaker publishes no "
        "token metric these endpoints' containers fill. Cost per 1M output tokens = 1,000,000 x cost / output "
        "tokens (the same for input tokens; each charges the whole cost to that kind of token); n/a without "
        "tokens.",
        f"Baseline prices: {', '.join(sources) or 'none'} (`price-list-api` = AWS Price List API, "
        "on-demand SageMaker hosting in the endpoint's region; `catalog:` = the bundled catalog and its dated "
        "source).",
        "Cost Explorer data of recent days is estimated and can change; tags count only from their "
        "activation as cost allocation tags.",
    ]


def _component_assumptions(report: Report) -> list[str]:
    """How shared endpoints are split (only when one is), and where the recording is not read (CUR)."""
    items = []
    shared = shared_endpoints(report)
    if shared:
        coverage = ", ".join(
            f"`{line.endpoint_name}` {pct(_HUNDRED * line.capacity_coverage)}" for line in shared
        )
        items.append(
            "Shared endpoints (inference components): SageMaker bills instances, so each component is "
            "allocated, per UTC day, the day's cost x the chip-hours its copies held (`AcceleratorDevicesAllocated`, "
            "copies x Inferentia2 chips per copy) / the capacity chip-hours (billed instance-hours x chips of the "
            "instance type), scaled down pro rata where the recorded chip-hours exceed the capacity; the baseline "
            "is split by the same shares. `(unallocated)` is the rest: instances no copy held (idle, placement "
            "slack) and hours the recorder did not sample (samples present: "
            + coverage
            + "). Each component "
            "is rounded down to the cent and `(unallocated)` takes the remainder, so they add up to the "
            "endpoint's cost."
        )
    if report.cost_source == "cur":
        items.append(
            "Endpoints billed in member accounts: their capacity series are written in those accounts, which the "
            "reporter does not read; their idle is spread over the day (an upper bound) and they are not split "
            "per component."
        )
    return items


def _issues_markdown(title: str, issues: list[Issue]) -> list[str]:
    if not issues:
        return []
    lines = ["", f"## {title}", ""]
    lines += [f"- {f'`{i.endpoint_name}`: ' if i.endpoint_name else ''}{i.message}" for i in issues]
    return lines


def _markdown_table(rows: list[list[str]]) -> list[str]:
    table = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    return table + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows[1:]]


def _components_markdown(report: Report) -> list[str]:
    lines: list[str] = []
    for line in shared_endpoints(report):
        lines += [
            f"## `{line.endpoint_name}` per inference component",
            "",
            *_markdown_table(component_rows(report, line)),
            "",
        ]
    return lines


def render_markdown(report: Report) -> str:
    """report.md: the table, the totals, every assumption, warnings and errors."""
    table = _markdown_table(table_rows(report))
    lines = [
        f"# infersave cost report {report.period.start} to {report.period.end_exclusive}",
        "",
        period_words(report),
        "",
        f"**{headline(report)}** {money_notes(report)}",
        *(["", f"**{PARTIAL_NOTICE}**"] if report.partial else []),
        "",
        *table,
        "",
        *_components_markdown(report),
        "## How the figures are computed",
        "",
        *(f"- {item}" for item in assumptions(report)),
    ]
    lines += _issues_markdown("Warnings", report.warnings)
    lines += _issues_markdown("Errors", report.errors)
    return "\n".join(lines) + "\n"


def _non_usage_words(report: Report) -> str:
    if not report.non_usage_cost:
        return "none"
    return ", ".join(f"{kind} {fmt(amount)}" for kind, amount in report.non_usage_cost.items())


def sns_summary(report: Report, location: str | Sequence[str], top: int = 10) -> tuple[str, str]:
    """Subject and body of the e-mail summary: totals, the biggest endpoints, where the report is
    (``location``: one line, or the lines of the links to the page)."""
    t = report.totals
    cur = report.currency
    subject = (
        f"{'PARTIAL ' if report.partial else ''}"
        f"infersave {report.period.start}..{report.period.end_exclusive}: saved {fmt(t.savings)} {cur} "
        f"({pct(t.savings_pct)})"
    )
    body = [
        f"infersave cost report, {report.period.start} to {report.period.end_exclusive} (end exclusive)",
        "",
        f"Actual:   {fmt(t.actual_cost)} {cur}",
        f"Baseline: {fmt(t.baseline_cost)} {cur}",
        f"Savings:  {fmt(t.savings)} {cur} ({pct(t.savings_pct)})",
        f"Invocations: {t.invocations:,}   Instance hours: {fmt(t.instance_hours)}",
        f"Untagged SageMaker cost: {fmt(report.untagged_cost)} {cur}",
        f"Not usage (kept out): {_non_usage_words(report)}",
        "",
    ]
    biggest = sorted(report.endpoints, key=lambda line: line.actual_cost, reverse=True)[:top]
    for line in biggest:
        body.append(
            f"- {line.endpoint_name}: actual {fmt(line.actual_cost)}, baseline {fmt(line.baseline_cost)}, "
            f"savings {pct(line.savings_pct)}; capacity ratio {line.capacity_ratio} "
            f"{tokens.source_words(line.provenance)}"
            + (
                ""
                if line.cost_per_1m_output_tokens is None
                else f"; {fmt(line.cost_per_1m_output_tokens, _RATE)} {cur} per 1M output tokens (estimate)"
            )
        )
    if len(report.endpoints) > top:
        body.append(f"- ... and {len(report.endpoints) - top} more endpoint(s)")
    shared = shared_endpoints(report)
    if shared:
        parts = []
        for line in shared[:top]:
            documents = component_documents(line)
            parts.append(
                f"{line.endpoint_name}: "
                + ", ".join(f"{d['name']} {fmt(Decimal(str(d['cost'])))}" for d in documents)
            )
        body.append(
            "Per component (" + cur + "): " + "; ".join(parts) + ("; ..." if len(shared) > top else "")
        )
    body += ["", f"{len(report.warnings)} warning(s), {len(report.errors)} error(s)."]
    if isinstance(location, str):
        body.append(f"Full report: {location}")
    else:
        body += ["", "The full report (report.html, the page with charts; report.md, report.json, report.csv and "
                 "daily.csv beside it):", *location]  # fmt: skip
    return subject, "\n".join(body) + "\n"
