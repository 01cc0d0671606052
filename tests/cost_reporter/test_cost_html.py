"""report.html, the pure renderer (issue 13): escaping, the charts and their tables, the same figures and
wording as the other files, nothing fetched from the network."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from cost_helpers import calibration_document, sample_line, sample_report

from lambdas.cost_reporter.dal.calibrations import parse
from lambdas.cost_reporter.logic import render, savings, service
from lambdas.cost_reporter.logic.html import MAX_CHARTED, render_html
from lambdas.cost_reporter.models import Report

CHARTS = ("chart-daily", "chart-cost", "chart-savings", "chart-idle")


class Page(HTMLParser):
    """What a reader of the page gets: text, tables by class, SVG bars by chart, every tag seen."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.bars: dict[str, list[tuple[float, str]]] = {}
        self.svg_titles: dict[str, str] = {}
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._svg: str | None = None
        self._rect_width: float | None = None
        self._title: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "table":
            self.tables.append((a.get("class") or "", []))
        elif tag == "tr":
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "svg":
            self._svg = a["id"]
            self.bars[str(a["id"])] = []
        elif tag == "rect" and self._svg and "width" in a and a.get("height") != "10":
            self._rect_width = float(str(a["width"]))
        elif tag == "title":
            self._title = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "svg":
            self._svg = None
        elif tag == "title" and self._title is not None:
            title = "".join(self._title)
            if self._rect_width is not None and self._svg:
                self.bars[self._svg].append((self._rect_width, title))
                self._rect_width = None
            elif self._svg:
                self.svg_titles[self._svg] = title
            self._title = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._title is not None:
            self._title.append(data)

    def table(self, css_class: str, index: int = 0) -> list[list[str]]:
        return [rows for cls, rows in self.tables if cls == css_class][index]


def test_the_endpoint_table_states_the_figures_of_the_markdown_and_the_terminal() -> None:
    report = sample_report()
    page = Page(render_html(report))
    assert page.table("endpoints") == render.table_rows(report)


def test_every_chart_has_a_title_bars_and_a_table_of_its_figures() -> None:
    report = sample_report()
    text = render_html(report)
    page = Page(text)
    assert set(page.svg_titles) == set(CHARTS)
    assert all(page.svg_titles[chart] for chart in CHARTS)
    assert all(page.bars[chart] for chart in CHARTS)
    daily, cost, saved, idle = (page.table("fallback", i) for i in range(4))
    days = savings.daily_totals(report.endpoints)
    assert daily[0] == ["date", "actual USD", "baseline USD", "savings USD", "invocations"]
    assert len(daily) == 1 + 31
    for row, day in zip(daily[1:], days, strict=True):
        assert row == [
            day.day.isoformat(),
            render.fmt(day.actual_cost),
            render.fmt(day.baseline_cost),
            render.fmt(day.savings),
            f"{day.invocations:,}",
        ]
    assert cost[0] == ["endpoint", "actual USD", "baseline USD"]
    for row, line in zip(cost[1:], report.endpoints, strict=True):
        assert row == [line.endpoint_name, render.fmt(line.actual_cost), render.fmt(line.baseline_cost)]
    for row, line in zip(saved[1:], report.endpoints, strict=True):
        assert row == [line.endpoint_name, render.fmt(line.savings), render.pct(line.savings_pct)]
    assert idle[0] == ["endpoint", "instance-hours", "invocations", "invocations per instance-hour", "idle %"]
    assert idle[1] == ["chat", "744.00", "1,250,000", "1,680", "n/a"]  # lines built by hand: idle unknown
    assert idle[3] == ["idle-embeddings", "744.00", "1,200", "2", "n/a"]  # the idle capacity signal
    assert idle[5] == ["no-price", "10.00", "n/a", "n/a", "n/a"]


def test_bars_are_proportional_to_the_figures_and_unknown_figures_draw_none() -> None:
    page = Page(render_html(sample_report()))
    cost = {title: width for width, title in page.bars["chart-cost"]}
    actual, baseline = cost["summarise: actual USD 1,126.42"], cost["summarise: baseline USD 2,254.32"]
    assert actual / baseline == pytest.approx(1126.42 / 2254.32, rel=1e-2)
    assert cost["chat: actual USD 563.21"] / actual == pytest.approx(0.5, rel=1e-2)
    assert not [title for title in cost if title.startswith("no-price: baseline")]
    savings = {title: width for width, title in page.bars["chart-savings"]}
    assert savings["legacy: savings USD -50.00"] > 0  # a loss is drawn, left of the axis
    assert 'fill="#c0392b"><title>legacy: savings USD -50.00' in render_html(sample_report())


def test_the_daily_chart_draws_actual_against_baseline_per_day_in_proportion() -> None:
    report = sample_report()
    days = savings.daily_totals(report.endpoints)
    page = Page(render_html(report))
    found = re.findall(r'height="([0-9.]+)" fill="[^"]+"><title>([^<]+)</title>', render_html(report))
    by_title = {title: float(height) for height, title in found}
    first = days[0]
    actual = by_title[f"{first.day}: actual {render.fmt(first.actual_cost)}"]
    baseline = by_title[f"{first.day}: baseline {render.fmt(first.baseline_cost)}"]
    assert actual / baseline == pytest.approx(float(first.actual_cost / first.baseline_cost), rel=1e-2)
    assert len([t for _, t in page.bars["chart-daily"]]) == 2 * 31
    # the project's days sum to the totals (the sample's days are exact decimals)
    assert sum((d.actual_cost for d in days), Decimal(0)) == report.totals.actual_cost


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "</svg></figure><iframe src='http://evil'>",
        "a&amp;b `code` <!-- x",
    ],
)
def test_hostile_endpoint_names_stay_text(hostile: str) -> None:
    report = sample_report([sample_line(hostile, "10", "7.57", "15.15", 100)])
    text = render_html(report)
    page = Page(text)
    assert set(page.tags) <= {
        "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "table", "thead", "tbody",
        "tr", "th", "td", "figure", "figcaption", "svg", "text", "line", "rect", "details", "summary", "ul",
        "li", "code",
    }  # fmt: skip
    assert page.table("endpoints")[1][0] == hostile
    assert page.table("fallback", 1)[1][0] == hostile
    assert any(title.startswith(hostile) for _, title in page.bars["chart-cost"])
    assert "<script" not in text and "<img" not in text and "<iframe" not in text


def test_long_names_are_shortened_in_the_chart_only() -> None:
    name = "a-very-long-endpoint-name-from-a-tag-" + "x" * 30
    page = Page(render_html(sample_report([sample_line(name, "10", "7.57", "15.15", 100)])))
    assert page.table("endpoints")[1][0] == name
    assert any(title.startswith(name) for _, title in page.bars["chart-cost"])
    assert name[:25] + "\u2026" in page.text  # the label beside the bars


def test_totals_assumptions_and_issues_are_the_markdown_wording() -> None:
    report = sample_report()
    words = " ".join("".join(Page(render_html(report)).text).split())
    markdown = render.render_markdown(report)
    for sentence in (render.period_words(report), render.headline(report), render.money_notes(report)):
        assert sentence in words and sentence in markdown
    for item in render.assumptions(report):
        assert " ".join(item.replace("`", "").split()) in words
        assert f"- {item}" in markdown
    assert "no on-demand price for baseline ml.g5.2xlarge in us-east-1" in words
    assert render.PARTIAL_NOTICE not in words
    assert render.PARTIAL_NOTICE in " ".join(Page(render_html(sample_report(partial=True))).text)


def test_the_page_fetches_nothing_and_runs_no_script() -> None:
    text = render_html(sample_report())
    assert "<script" not in text and " on" not in re.sub(r">[^<]*<", "><", text)
    assert re.findall(r"https?://[^\"' )]+", text) == ["http://www.w3.org/2000/svg"] * 4  # SVG namespace only
    assert "url(" not in text and "@import" not in text


def test_a_report_without_endpoints_renders_without_charts() -> None:
    report = sample_report([])
    page = Page(render_html(report))
    assert page.bars == {}
    assert "No endpoint in this period" in " ".join(page.text)
    assert page.table("endpoints")[-1][0] == "TOTAL"


def test_the_page_is_written_with_the_other_files_of_the_set() -> None:
    files = service.render_files(sample_report())
    assert list(files) == [
        "report.json",
        "report.csv",
        "daily.csv",
        "components.csv",
        "report.md",
        "report.html",
    ]
    assert files["report.html"] == render_html(sample_report())
    assert files["report.html"].startswith("<!DOCTYPE html>")


def test_many_endpoints_chart_the_most_expensive_and_table_them_all() -> None:
    lines = [sample_line(f"ep-{i:03}", "10", str(i), str(2 * i), 100) for i in range(1, MAX_CHARTED + 11)]
    page = Page(render_html(sample_report(lines)))
    assert len(page.table("endpoints")) == len(lines) + 2  # header and TOTAL
    charted = page.table("fallback", 1)[1:]
    assert len(charted) == MAX_CHARTED
    assert charted[0][0] == f"ep-{MAX_CHARTED + 10:03}" and charted[-1][0] == "ep-011"
    assert f"{MAX_CHARTED} endpoints of highest actual cost of {len(lines)}" in "".join(page.text)


def calibrated_report(name: str = "chat") -> Report:
    report = sample_report()
    body = json.dumps(calibration_document(name, "2026-11-20")).encode()
    found = parse(body, f"calibrations/{name}/2026-11-20.json", name)
    return replace(report, calibrations={name: found})


def test_calibration_curves_draw_both_sides_against_the_objective_with_their_table() -> None:
    text = render_html(calibrated_report())
    page = Page(text)

    assert '<title id="chart-calibration-1-title">Calibration of chat, 2026-11-20' in text
    assert text.count('<circle cx="') == 2 * 4  # two panels, two levels per side
    assert text.count('class="objective"') == 2  # TTFT and ITL panels
    assert text.count('class="missed"') == 2 * 2  # the levels that missed the objective are hollow
    curves = page.table("fallback", 4)
    assert curves[0] == ["side", "offered req/s", "achieved req/s", "output tokens/s", "p90 TTFT s", "p90 ITL s",
                         "meets objective"]  # fmt: skip
    assert curves[1] == ["inf2", "1", "0.98", "250", "0.5", "0.03", "yes"]
    assert curves[4] == ["baseline", "2", "1.96", "480", "2.5", "0.15", "no"]


def test_no_calibration_no_curves_and_hostile_names_in_curves_stay_text() -> None:
    assert "Calibration curves" not in render_html(sample_report())
    hostile = "<script>x</script>"
    report = calibrated_report(hostile)
    report = replace(report, endpoints=[sample_line(hostile, "10", "7.57", "15.15", 100)])
    text = render_html(report)
    assert "<script" not in text and "chart-calibration-1" in text
