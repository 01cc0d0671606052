"""The scenario's bill as CUR 2.0 Parquet, read by the reporter's CUR query on DuckDB: it agrees with the Cost
Explorer path to the cent, per endpoint and in total."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from demo.billing import DEMO_ACCOUNT_ID, cost_and_usage_pages, write_cur_parquet
from demo.scenario import Scenario
from lambdas.cost_reporter.dal import cur, cur_duckdb
from lambdas.cost_reporter.dal.cost_explorer import build_request, parse_pages
from lambdas.cost_reporter.logic.render import round_money
from lambdas.cost_reporter.models import ReportPeriod
from tests.demo.test_demo_billing import PERIOD, scenario  # noqa: F401 - the fixture


def test_parquet_is_laid_out_and_typed_like_a_data_export(tmp_path: Path, scenario: Scenario) -> None:  # noqa: F811
    [written] = write_cur_parquet(tmp_path, scenario)
    assert written.parent.name == "BILLING_PERIOD=2026-10"
    described = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{written}')").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["resource_tags"] == "MAP(VARCHAR, VARCHAR)"
    assert types["line_item_usage_start_date"] == "TIMESTAMP"
    assert types["line_item_unblended_cost"] == "DOUBLE"


def test_cur_path_agrees_with_cost_explorer_to_the_cent(tmp_path: Path, scenario: Scenario) -> None:  # noqa: F811
    request = build_request(PERIOD, "UnblendedCost", "demo")
    ce, _, ce_errors = parse_pages(
        cost_and_usage_pages(request, scenario), "UnblendedCost", request["GroupBy"]
    )
    write_cur_parquet(tmp_path, scenario)
    result = cur.read_cur(cur_duckdb.runner(tmp_path), cur_duckdb.VIEW, PERIOD, "demo")
    assert not ce_errors and not result.errors
    assert set(result.data.by_endpoint) == set(ce.by_endpoint) == {"demo-a", "demo-b"}
    for name, expected in ce.by_endpoint.items():
        got = result.data.by_endpoint[name]
        assert round_money(got.instance_cost) == round_money(expected.instance_cost)
        assert round_money(got.other_cost) == round_money(expected.other_cost)
        assert got.instance_hours == expected.instance_hours
        assert got.hours_by_instance_type == expected.hours_by_instance_type
        assert got.account_ids == {DEMO_ACCOUNT_ID}
    assert result.data.untagged_cost == ce.untagged_cost == 0
    # The daily series sums to the month.
    daily_a = result.daily["demo-a"]
    assert sorted(daily_a) == [PERIOD.start, PERIOD.start.replace(day=2)]
    usage_a = result.data.by_endpoint["demo-a"]
    assert sum(daily_a.values()) == usage_a.instance_cost + usage_a.other_cost


def test_billing_period_prunes_other_months(tmp_path: Path, scenario: Scenario) -> None:  # noqa: F811
    write_cur_parquet(tmp_path, scenario)
    november = ReportPeriod(start=PERIOD.end_exclusive, end_exclusive=PERIOD.end_exclusive.replace(month=12),
                                kind="custom")  # fmt: skip
    assert "'2026-11'" in cur.build_query(cur_duckdb.VIEW, november)
    result = cur.read_cur(cur_duckdb.runner(tmp_path), cur_duckdb.VIEW, november, "demo")
    assert result.data.by_endpoint == {}


def test_no_parquet_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="BILLING_PERIOD"):
        cur_duckdb.runner(tmp_path)
