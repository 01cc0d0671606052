"""report.html: the report as one self-contained page for people (issue 13). Pure: a Report in, text out.

The page needs no network and no script: styles are inline, charts are SVG drawn here, so it opens from S3,
from a mail attachment or from ``out/`` and prints as it shows. Every chart has a title and, below it, the
table of its figures (for print, screen readers and copying). Every string from the report (endpoint names
come from tags anyone with tag permissions can set) goes through :func:`html.escape`; figures are formatted
by :mod:`lambdas.cost_reporter.logic.render`, so the page states the same numbers as report.md.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from lambdas.cost_reporter.logic import render, savings
from lambdas.cost_reporter.models import Calibration, DayTotal, EndpointLine, Issue, Report

#: Chart geometry, in SVG user units (the SVG scales to the page width).
_WIDTH = 960
_LABEL_WIDTH = 190
_BAR = 14
_GAP = 10
_TOP = 28
_PANEL_GAP = 24
#: Endpoints drawn at most (the most expensive): past that, bars are too thin to read and the page too long.
MAX_CHARTED = 40
#: Longest endpoint name drawn in a chart; the full name is in the bar's tooltip and in the table.
_MAX_LABEL = 26

_COLOURS = {
    "actual": "#1f6fb2",
    "baseline": "#9aa5b1",
    "savings": "#2e8540",
    "loss": "#c0392b",
    "hours": "#7b4fa8",
    "invocations": "#e67e22",
}


def esc(text: object) -> str:
    """``text`` safe inside HTML and SVG text and attribute values."""
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Series:
    """One bar per endpoint: label, colour key, values (None: unknown, no bar) and how to print a value."""

    label: str
    colour: str
    values: Sequence[Decimal | None]
    text: Callable[[Decimal | None], str] = render.fmt


@dataclass(frozen=True)
class Panel:
    """A column of the chart with its own scale; its series share it."""

    title: str
    series: Sequence[Series]


def _scale(values: Sequence[Decimal | None]) -> tuple[float, float]:
    known = [float(v) for v in values if v is not None]
    low, high = min([0.0, *known]), max([0.0, *known])
    return low, (high if high > low else low + 1.0)


def _short(name: str) -> str:
    return name if len(name) <= _MAX_LABEL else name[: _MAX_LABEL - 1] + "\u2026"


def _panel_svg(panel: Panel, names: Sequence[str], x0: float, width: float, row: float) -> list[str]:
    values = [v for series in panel.series for v in series.values]
    low, high = _scale(values)
    text_room = 70.0  # value labels right of the longest bar
    span = width - text_room

    def x_of(value: float) -> float:
        return x0 + (value - low) / (high - low) * span

    zero = x_of(0.0)
    parts = [
        f'<text x="{x0:.1f}" y="16" class="panel">{esc(panel.title)}</text>',
        f'<line x1="{zero:.1f}" y1="{_TOP - 4}" x2="{zero:.1f}" y2="{_TOP + row * len(names)}" class="axis"/>',
    ]
    for i, name in enumerate(names):
        for j, series in enumerate(panel.series):
            value = series.values[i]
            y = _TOP + i * row + j * _BAR
            shown = series.text(value)
            if value is None:
                parts.append(f'<text x="{zero + 4:.1f}" y="{y + _BAR - 3}" class="value">n/a</text>')
                continue
            colour = _COLOURS["loss"] if series.colour == "savings" and value < 0 else _COLOURS[series.colour]
            left, right = sorted((zero, x_of(float(value))))
            parts.append(
                f'<rect x="{left:.1f}" y="{y}" width="{max(right - left, 0.5):.1f}" height="{_BAR - 2}" '
                f'fill="{colour}"><title>{esc(name)}: {esc(series.label)} {esc(shown)}</title></rect>'
            )
            parts.append(f'<text x="{right + 4:.1f}" y="{y + _BAR - 3}" class="value">{esc(shown)}</text>')
    return parts


def bar_chart(chart_id: str, title: str, names: Sequence[str], panels: Sequence[Panel]) -> str:
    """An inline SVG of horizontal bars, a row per endpoint, a column per panel, then its table fallback."""
    per_row = max(len(panel.series) for panel in panels)
    row = per_row * _BAR + _GAP
    legended = [s for panel in panels if len(panel.series) > 1 for s in panel.series]
    height = _TOP + row * max(len(names), 1) + (24 if legended else 4)
    legend_y = height - 8
    panel_width = (_WIDTH - _LABEL_WIDTH - _PANEL_GAP * (len(panels) - 1)) / len(panels)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" class="chart" id="{chart_id}">',
        f'<title id="{chart_id}-title">{esc(title)}</title>',
    ]
    for i, name in enumerate(names):
        y = _TOP + i * row + per_row * _BAR / 2 + 4
        parts.append(f'<text x="{_LABEL_WIDTH - 8}" y="{y:.1f}" class="label">{esc(_short(name))}</text>')
    for k, panel in enumerate(panels):
        x0 = _LABEL_WIDTH + k * (panel_width + _PANEL_GAP)
        parts += _panel_svg(panel, names, x0, panel_width, row)
    x = float(_LABEL_WIDTH)
    for series in legended:  # a single series is named by its panel title
        colour = _COLOURS[series.colour]
        parts.append(f'<rect x="{x:.1f}" y="{legend_y - 10}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="{legend_y}" class="legend">{esc(series.label)}</text>')
        x += 30 + 7 * len(series.label)
    parts.append("</svg>")
    header = ["endpoint", *(series.label for panel in panels for series in panel.series)]
    rows = [
        [name, *(series.text(series.values[i]) for panel in panels for series in panel.series)]
        for i, name in enumerate(names)
    ]
    return (
        f"<figure><figcaption><h3>{esc(title)}</h3></figcaption>\n{''.join(parts)}\n"
        f"<details open><summary>Figures of this chart</summary>{table(header, rows, 'fallback')}</details>"
        "</figure>"
    )


def table(header: Sequence[str], rows: Sequence[Sequence[str]], css_class: str) -> str:
    """An HTML table; first column text, the others numbers (right-aligned)."""
    head = "".join(f"<th>{esc(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _inline(text: str) -> str:
    """Escaped text with the backtick spans of the shared wording as ``<code>``."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", esc(text))


def _issues(title: str, issues: list[Issue]) -> str:
    if not issues:
        return ""
    items = "".join(
        f"<li>{f'<code>{esc(i.endpoint_name)}</code>: ' if i.endpoint_name else ''}{esc(i.message)}</li>"
        for i in issues
    )
    return f"<h2>{esc(title)}</h2><ul>{items}</ul>"


def _per_hour(line: EndpointLine) -> Decimal | None:
    if line.invocations is None or line.instance_hours <= 0:
        return None
    return Decimal(line.invocations) / line.instance_hours


def _count(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def charts(report: Report) -> str:
    """The charts of the endpoints: cost against baseline, savings, instance-hours against traffic. Past
    :data:`MAX_CHARTED` endpoints only the most expensive are drawn (the endpoint table has them all)."""
    lines = report.endpoints
    note = ""
    if len(lines) > MAX_CHARTED:
        lines = sorted(lines, key=lambda line: line.actual_cost, reverse=True)[:MAX_CHARTED]
        note = (
            f"<p>The charts show the {MAX_CHARTED} endpoints of highest actual cost of {len(report.endpoints)}; "
            "the endpoint table above lists them all.</p>"
        )
    names = [line.endpoint_name for line in lines]
    cur = report.currency
    cost = bar_chart(
        "chart-cost",
        f"Actual cost against the GPU baseline, per endpoint ({cur})",
        names,
        [
            Panel(
                cur,
                [
                    Series(f"actual {cur}", "actual", [line.actual_cost for line in lines]),
                    Series(f"baseline {cur}", "baseline", [line.baseline_cost for line in lines]),
                ],
            )
        ],
    )
    saved = bar_chart(
        "chart-savings",
        f"Savings per endpoint ({cur}; negative: Inferentia2 cost more)",
        names,
        [
            Panel(f"savings {cur}", [Series(f"savings {cur}", "savings", [line.savings for line in lines])]),
            Panel(
                "savings %",
                [Series("savings %", "savings", [line.savings_pct for line in lines], render.pct)],
            ),
        ],
    )
    idle = bar_chart(
        "chart-idle",
        "Instance-hours against invocations per endpoint (many hours, few invocations: idle capacity)",
        names,
        [
            Panel(
                "instance-hours", [Series("instance-hours", "hours", [line.instance_hours for line in lines])]
            ),
            Panel(
                "invocations",
                [
                    Series(
                        "invocations",
                        "invocations",
                        [None if line.invocations is None else Decimal(line.invocations) for line in lines],
                        _count,
                    )
                ],
            ),
            Panel(
                "invocations per instance-hour",
                [
                    Series(
                        "invocations per instance-hour",
                        "invocations",
                        [_per_hour(line) for line in lines],
                        _count,
                    )
                ],
            ),
            Panel(
                "idle % (cost of hours without invocations)",
                [Series("idle %", "hours", [line.idle_share for line in lines], render.share)],
            ),
        ],
    )
    return note + cost + saved + idle


#: Geometry of a calibration panel (throughput against a p90 latency), in SVG user units.
_CURVE_PLOT = (380.0, 200.0)
_SIDE_COLOURS = {"inf2": "actual", "baseline": "baseline"}


def _curve_panel(calibration: Calibration, x0: float, metric: str, title: str, objective: float) -> list[str]:
    width, height = _CURVE_PLOT
    top = 24.0
    points = {
        side: sorted(calibration.sides.get(side, ()), key=lambda p: p.output_tokens_per_s)
        for side in _SIDE_COLOURS
    }
    xs = [p.output_tokens_per_s for side in points.values() for p in side] or [1.0]
    ys = [getattr(p, metric) for side in points.values() for p in side] + [objective]
    x_high, y_high = max(xs) * 1.05 or 1.0, max(ys) * 1.1 or 1.0

    def at(x: float, y: float) -> tuple[float, float]:
        return x0 + x / x_high * width, top + height - y / y_high * height

    parts = [
        f'<text x="{x0:.1f}" y="16" class="panel">{esc(title)}</text>',
        f'<line x1="{x0}" y1="{top + height}" x2="{x0 + width}" y2="{top + height}" class="axis"/>',
        f'<line x1="{x0}" y1="{top}" x2="{x0}" y2="{top + height}" class="axis"/>',
        f'<text x="{x0 + width}" y="{top + height + 16}" class="label">output tokens/s per instance '
        f"(0 to {x_high:,.0f})</text>",
        f'<text x="{x0 - 4}" y="{top + 8}" class="label">{y_high:.3g} s</text>',
    ]
    _, y_obj = at(0, objective)
    parts.append(
        f'<line x1="{x0}" y1="{y_obj:.1f}" x2="{x0 + width}" y2="{y_obj:.1f}" class="objective">'
        f"<title>objective: p90 at most {objective:g} s</title></line>"
    )
    for side, side_points in points.items():
        colour = _COLOURS[_SIDE_COLOURS[side]]
        coords = [at(p.output_tokens_per_s, getattr(p, metric)) for p in side_points]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        for point, (x, y) in zip(side_points, coords, strict=True):
            mark = "" if point.meets_objective else ' class="missed"'
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}" stroke="{colour}"{mark}><title>{esc(side)}: '
                f"{point.output_tokens_per_s:,.0f} output tokens/s, p90 {getattr(point, metric):.3g} s"
                "</title></circle>"
            )
    return parts


def calibration_chart(name: str, calibration: Calibration, index: int) -> str:
    """Throughput against p90 time to first token and p90 inter-token latency, Inferentia2 against the GPU
    baseline, from the endpoint's latest calibration, with the objective as a dashed line, then its table."""
    chart_id = f"chart-calibration-{index}"
    types = calibration.instance_types
    title = (
        f"Calibration of {name}, {calibration.measured_on}: throughput against p90 latency, "
        f"{types.get('inf2', 'Inferentia2')} against {types.get('baseline', 'the GPU baseline')}"
    )
    height = 24 + _CURVE_PLOT[1] + 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title" class="chart calibration" id="{chart_id}">',
        f'<title id="{chart_id}-title">{esc(title)}</title>',
        *_curve_panel(
            calibration,
            70,
            "ttft_p90_s",
            "p90 time to first token (s)",
            calibration.objective_ttft_p90_s,
        ),
        *_curve_panel(
            calibration,
            70 + _CURVE_PLOT[0] + 90,
            "itl_p90_s",
            "p90 inter-token latency (s)",
            calibration.objective_itl_p90_s,
        ),
    ]
    legend_y = height - 8
    for k, (side, key) in enumerate(_SIDE_COLOURS.items()):
        x = 70 + k * 190
        label = f"{side} ({types.get(side, '?')})"
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{_COLOURS[key]}"/>')
        parts.append(f'<text x="{x + 14}" y="{legend_y}" class="legend">{esc(label)}</text>')
    parts.append(
        f'<text x="{70 + 2 * 190}" y="{legend_y}" class="legend">dashed: objective; hollow: level missed it</text>'
    )
    parts.append("</svg>")
    header = [
        "side",
        "offered req/s",
        "achieved req/s",
        "output tokens/s",
        "p90 TTFT s",
        "p90 ITL s",
        "meets objective",
    ]
    rows = [
        [
            side,
            f"{p.offered_rps:,.3g}",
            f"{p.achieved_rps:,.3g}",
            f"{p.output_tokens_per_s:,.0f}",
            f"{p.ttft_p90_s:.3g}",
            f"{p.itl_p90_s:.3g}",
            "yes" if p.meets_objective else "no",
        ]
        for side in _SIDE_COLOURS
        for p in calibration.sides.get(side, ())
    ]
    return (
        f"<figure><figcaption><h3>{esc(title)}</h3></figcaption>\n{''.join(parts)}\n"
        f"<p>Objective: p90 time to first token at most {calibration.objective_ttft_p90_s:g} s, p90 inter-token "
        f"latency at most {calibration.objective_itl_p90_s:g} s. Measured ratio: "
        f"{'n/a' if calibration.capacity_ratio is None else f'{calibration.capacity_ratio:.3g}'} "
        f"(from <code>{esc(calibration.key)}</code>).</p>"
        f"<details open><summary>Figures of this chart</summary>{table(header, rows, 'fallback')}</details>"
        "</figure>"
    )


def calibration_charts(report: Report) -> str:
    """The calibration curves of the endpoints whose latest calibration result was read (at most
    :data:`MAX_CHARTED`, the most expensive first); empty when none was."""
    lines = sorted(report.endpoints, key=lambda line: line.actual_cost, reverse=True)
    charted = [line.endpoint_name for line in lines if line.endpoint_name in report.calibrations][
        :MAX_CHARTED
    ]
    if not charted:
        return ""
    return "<h2>Calibration curves</h2>" + "".join(
        calibration_chart(name, report.calibrations[name], i) for i, name in enumerate(charted, start=1)
    )


#: Height of the plot area of the daily chart, in SVG user units.
_DAY_PLOT = 220


def daily_chart(days: Sequence[DayTotal], currency: str) -> str:
    """Daily actual cost against the baseline for the whole project (one pair of columns per UTC day), then
    its table. Baseline and savings cover the endpoints with a baseline, as the totals do."""
    if not days:
        return "<p>No daily figures in this period: nothing to chart.</p>"
    title = f"Daily actual cost against the GPU baseline, all endpoints ({currency})"
    left, top, bottom = 70.0, 24.0, 44.0
    height = top + _DAY_PLOT + bottom + 20
    high = max(float(max(d.actual_cost, d.baseline_cost)) for d in days) or 1.0
    slot = (_WIDTH - left - 10) / len(days)
    bar = max(min(slot / 2 - 1, 14.0), 0.5)

    def y_of(value: Decimal) -> float:
        return top + _DAY_PLOT - float(value) / high * _DAY_PLOT

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height:.0f}" role="img" '
        'aria-labelledby="chart-daily-title" class="chart" id="chart-daily">',
        f'<title id="chart-daily-title">{esc(title)}</title>',
        f'<line x1="{left}" y1="{top + _DAY_PLOT}" x2="{_WIDTH - 10}" y2="{top + _DAY_PLOT}" class="axis"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + _DAY_PLOT}" class="axis"/>',
    ]
    for fraction in (0.5, 1.0):
        value = Decimal(str(high * fraction))
        parts.append(
            f'<text x="{left - 6}" y="{y_of(value) + 4:.1f}" class="label">{esc(render.fmt(value))}</text>'
        )
    label_every = max(1, -(-len(days) // 12))  # at most 12 date labels
    for i, day in enumerate(days):
        x = left + i * slot + (slot - 2 * bar) / 2
        for j, (key, value) in enumerate((("actual", day.actual_cost), ("baseline", day.baseline_cost))):
            y = y_of(max(value, Decimal(0)))
            parts.append(
                f'<rect x="{x + j * bar:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{top + _DAY_PLOT - y:.1f}" '
                f'fill="{_COLOURS[key]}"><title>{esc(day.day.isoformat())}: {key} {esc(render.fmt(value))}'
                "</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar:.1f}" y="{top + _DAY_PLOT + 14}" class="tick">{esc(day.day.strftime("%d %b"))}'
                "</text>"
            )
    legend_y = height - 8
    for k, (key, label) in enumerate(
        (("actual", f"actual {currency}"), ("baseline", f"baseline {currency}"))
    ):
        x = left + k * 150
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{_COLOURS[key]}"/>')
        parts.append(f'<text x="{x + 14}" y="{legend_y}" class="legend">{esc(label)}</text>')
    parts.append("</svg>")
    rows = [
        [
            d.day.isoformat(),
            render.fmt(d.actual_cost),
            render.fmt(d.baseline_cost),
            render.fmt(d.savings),
            f"{d.invocations:,}",
        ]
        for d in days
    ]
    header = ["date", f"actual {currency}", f"baseline {currency}", f"savings {currency}", "invocations"]
    return (
        f"<figure><figcaption><h3>{esc(title)}</h3></figcaption>\n{''.join(parts)}\n"
        f"<details open><summary>Figures of this chart</summary>{table(header, rows, 'fallback')}</details>"
        "</figure>"
    )


_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;max-width:1100px;
margin:24px auto;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px}h3{font-size:16px;margin:18px 0 6px}
.headline{font-size:20px;font-weight:600;margin:12px 0 4px}.partial{background:#fdecea;border:1px solid #c0392b;
padding:8px 12px;font-weight:600}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border:1px solid #d0d7de;padding:3px 8px}
th{background:#f3f5f7;text-align:left}td:not(:first-child){text-align:right;font-variant-numeric:tabular-nums;
white-space:nowrap}
tbody tr:last-child td{font-weight:600}table.fallback tbody tr:last-child td{font-weight:normal}
table.components tbody tr:last-child td{font-weight:normal;font-style:italic}
figure{margin:12px 0 24px;page-break-inside:avoid;break-inside:avoid}svg.chart{width:100%;height:auto}
svg text{font:12px system-ui,sans-serif;fill:#1b1f24}svg .label{text-anchor:end}svg .panel{font-weight:600}
svg .axis{stroke:#57606a;stroke-width:1}svg .objective{stroke:#c0392b;stroke-width:1;stroke-dasharray:5 4}
svg circle.missed{fill:#fff;stroke-width:1.5}svg .tick{text-anchor:middle;font-size:10px}summary{color:#57606a;font-size:13px;cursor:pointer}
code{font-size:13px;background:#f3f5f7;padding:0 3px}
@media print{body{margin:0;max-width:none}summary{display:none}}
"""


def _components(report: Report) -> str:
    """A table per shared (inference-component) endpoint: its cost split per component, ``(unallocated)`` last."""
    parts = []
    for line in render.shared_endpoints(report):
        rows = render.component_rows(report, line)
        parts.append(
            f"<h3><code>{esc(line.endpoint_name)}</code> per inference component</h3>"
            + table(rows[0], rows[1:], "components")
        )
    if not parts:
        return ""
    return "<h2>Shared endpoints per component</h2>" + "".join(parts)


def render_html(report: Report) -> str:
    """report.html: totals and assumptions (the wording of report.md), the endpoint table, the charts,
    warnings and errors."""
    period = f"{report.period.start} to {report.period.end_exclusive}"
    rows = render.table_rows(report)
    body = [
        f"<h1>infersave cost report {esc(period)}</h1>",
        f"<p>{esc(render.period_words(report))}</p>",
        f'<p class="headline">{esc(render.headline(report))}</p>',
        f"<p>{esc(render.money_notes(report))}</p>",
        f'<p class="partial">{esc(render.PARTIAL_NOTICE)}</p>' if report.partial else "",
        "<h2>Endpoints</h2>",
        table(rows[0], rows[1:], "endpoints"),
        _components(report),
        "<h2>Charts</h2>",
        daily_chart(savings.daily_totals(report.endpoints), report.currency),
        charts(report) if report.endpoints else "<p>No endpoint in this period: nothing to chart.</p>",
        calibration_charts(report),
        "<h2>How the figures are computed</h2>",
        "<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in render.assumptions(report)) + "</ul>",
        _issues("Warnings", report.warnings),
        _issues("Errors", report.errors),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>infersave cost report {esc(period)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )
