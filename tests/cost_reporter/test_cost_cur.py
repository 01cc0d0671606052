"""The CUR path: the query text, the rows summed per endpoint and account (tagged or not), Athena's run loop."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from lambdas.cost_reporter.dal import athena, cur
from lambdas.cost_reporter.dal.clients import Clients
from lambdas.cost_reporter.models import ReportPeriod
from lambdas.cost_reporter.settings import SettingsError, load_settings

PERIOD = ReportPeriod(start=date(2026, 10, 1), end_exclusive=date(2026, 11, 1), kind="previous_month")
ARN = "arn:aws:sagemaker:us-east-1:111122223333:endpoint/{}"


def row(**overrides: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "account_id": "111122223333",
        "resource_id": ARN.format("demo-chat"),
        "endpoint_tag": "demo-chat",
        "project_tag": "demo",
        "usage_date": "2026-10-03",
        "usage_type": "USE1-Host:ml.inf2.xlarge",
        "line_item_type": "Usage",
        "currency": "USD",
        "cost": "9.9000000000",
        "usage_amount": "10.0000000000",
    }
    return {**base, **overrides}


def test_query_prunes_billing_periods_and_reads_the_tags_as_cur_spells_them() -> None:
    sql = cur.build_query(
        cur.athena_table("cur", "data"), ReportPeriod(date(2026, 10, 15), date(2026, 12, 2), "custom")
    )
    assert "billing_period IN ('2026-10', '2026-11', '2026-12')" in sql
    assert "try(resource_tags['user_infersave_endpoint'])" in sql
    assert "line_item_product_code = 'AmazonSageMaker'" in sql
    assert "TIMESTAMP '2026-10-15 00:00:00'" in sql and "TIMESTAMP '2026-12-02 00:00:00'" in sql
    assert 'FROM "cur"."data"' in sql and "{" not in sql and "--" not in sql


@pytest.mark.parametrize("name", ["Data", "cur-data", 'x"; DROP TABLE y', ""])
def test_table_names_that_are_not_glue_names_are_refused(name: str) -> None:
    with pytest.raises(cur.CurQueryError, match="Glue name"):
        cur.athena_table("cur", name)


def test_usage_is_summed_per_endpoint_with_its_account_tagged_or_not() -> None:
    rows = [
        row(),
        row(usage_date="2026-10-04", usage_type="USE1-Host:VolumeUsage.gp2", cost="1.5", usage_amount="0.3"),
        # Untagged, but on an endpoint ARN: attributed by name, with a warning.
        row(
            endpoint_tag=None,
            project_tag=None,
            resource_id=ARN.format("legacy-llm"),
            account_id="444455556666",
        ),
        # Another project's endpoint: not this report's.
        row(endpoint_tag="other-x", project_tag="other", resource_id=ARN.format("other-x")),
        # Neither tag nor endpoint ARN (a notebook): untagged cost.
        row(
            endpoint_tag=None,
            project_tag=None,
            resource_id="arn:aws:sagemaker:us-east-1:1:notebook-instance/n",
            cost="2.00",
        ),
        row(line_item_type="Tax", endpoint_tag=None, resource_id="", cost="3.10"),
        row(line_item_type="Credit", cost="-5"),
    ]
    result = cur.summarize(rows, "demo")
    chat = result.data.by_endpoint["demo-chat"]
    assert (chat.instance_hours, chat.instance_cost, chat.other_cost) == (
        Decimal(10),
        Decimal("9.9"),
        Decimal("1.5"),
    )
    assert chat.account_ids == {"111122223333"} and chat.usage_region_codes == {"USE1"}
    assert result.data.by_endpoint["legacy-llm"].account_ids == {"444455556666"}
    assert "other-x" not in result.data.by_endpoint
    assert result.data.untagged_cost == Decimal("2.00")
    assert result.non_usage == {"Credit": Decimal(-5), "Tax": Decimal("3.10")}
    assert result.daily["demo-chat"] == {date(2026, 10, 3): Decimal("9.9"), date(2026, 10, 4): Decimal("1.5")}
    assert any(i.endpoint_name == "legacy-llm" and "resource ARN" in i.message for i in result.warnings)
    assert (result.source, result.errors, result.partial) == ("cur", [], False)


def test_bad_rows_and_other_currencies_are_errors_not_figures() -> None:
    rows = [
        row(cost="NaN"),
        row(cost="1e13"),
        row(usage_date="yesterday"),
        row(currency="EUR"),
        {"cost": "1"},
    ]
    result = cur.summarize(rows, "demo")
    assert result.data.by_endpoint == {}
    assert len(result.errors) == 5
    assert result.data.foreign_currency == {"EUR": Decimal("9.9")}


class FakeAthena:
    """Athena's answers in the API reference's shapes: states in order, then result pages."""

    def __init__(self, states: list[str], pages: list[dict[str, Any]]) -> None:
        self.states, self.pages, self.calls = states, pages, []  # type: ignore[var-annotated]

    def start_query_execution(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("start", kwargs))
        return {"QueryExecutionId": "q-1"}

    def get_query_execution(self, **kwargs: Any) -> dict[str, Any]:
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        status: dict[str, Any] = {"State": state}
        if state == "FAILED":
            status["StateChangeReason"] = "TABLE_NOT_FOUND: line 1:1: Table 'cur.data' does not exist"
        return {"QueryExecution": {"QueryExecutionId": kwargs["QueryExecutionId"], "Status": status}}

    def stop_query_execution(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("stop", kwargs))
        return {}

    def get_query_results(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("results", kwargs))
        return self.pages[1] if kwargs.get("NextToken") else self.pages[0]


def _cells(*values: str | None) -> dict[str, Any]:
    return {"Data": [{} if v is None else {"VarCharValue": v} for v in values]}


def test_athena_polls_then_pages_through_results_skipping_the_header() -> None:
    pages = [
        {"ResultSet": {"Rows": [_cells("account_id", "endpoint_tag"), _cells("1", "a")]}, "NextToken": "t2"},
        {"ResultSet": {"Rows": [_cells("2", None)]}},
    ]
    client = FakeAthena(["QUEUED", "RUNNING", "SUCCEEDED"], pages)
    slept: list[float] = []
    rows = athena.run_query(client, "SELECT 1", "wg", sleep=slept.append)  # type: ignore[arg-type]
    assert rows == [{"account_id": "1", "endpoint_tag": "a"}, {"account_id": "2", "endpoint_tag": None}]
    assert slept == [0.5, 1.0]
    assert client.calls[0] == ("start", {"QueryString": "SELECT 1", "WorkGroup": "wg"})
    assert client.calls[2] == ("results", {"QueryExecutionId": "q-1", "MaxResults": 1000, "NextToken": "t2"})


def test_athena_failure_names_the_query_and_the_reason() -> None:
    client = FakeAthena(["RUNNING", "FAILED"], [])
    with pytest.raises(athena.AthenaQueryError, match="q-1 FAILED: TABLE_NOT_FOUND"):
        athena.run_query(client, "SELECT 1", "wg", sleep=lambda _: None)  # type: ignore[arg-type]


def test_athena_wait_is_bounded_and_stops_the_query() -> None:
    client = FakeAthena(["RUNNING"], [])
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(athena.AthenaQueryError, match="still RUNNING after 30 s: stopped"):
        athena.run_query(client, "SELECT 1", "wg", max_wait_s=30, sleep=sleep, clock=lambda: now[0])  # type: ignore[arg-type]
    assert ("stop", {"QueryExecutionId": "q-1"}) in client.calls
    assert now[0] <= 30


def test_settings_for_athena_need_the_names_and_unblended_cost() -> None:
    env = {"COST_SOURCE": "athena", "ATHENA_WORKGROUP": "infersave-demo", "CUR_DATABASE": "infersave_cur",
           "CUR_TABLE": "data"}  # fmt: skip
    settings = load_settings(env, require_outputs=False)
    assert (settings.cost_source, settings.cur_table) == ("athena", "data")
    with pytest.raises(SettingsError, match="CUR_TABLE"):
        load_settings({**env, "CUR_TABLE": ""}, require_outputs=False)
    with pytest.raises(SettingsError, match="UnblendedCost only"):
        load_settings({**env, "COST_METRIC": "AmortizedCost"}, require_outputs=False)
    with pytest.raises(SettingsError, match="COST_SOURCE"):
        load_settings({"COST_SOURCE": "cur"}, require_outputs=False)


def test_athena_run_against_moto_uses_the_api_as_boto3_models_it(clients: Clients) -> None:
    """Real boto3 requests (botocore validates names and types) against moto's Athena, results queued as the
    API returns them: the header row first, text values, NULL as an empty Datum."""
    from moto.athena.models import QueryResults, athena_backends

    account = clients.sts.get_caller_identity()["Account"]
    clients.athena.create_work_group(Name="infersave-demo-cur")
    header = _cells(*cur_columns())
    values = _cells("111122223333", ARN.format("demo-chat"), "demo-chat", None, "2026-10-03",
                    "USE1-Host:ml.inf2.xlarge", "Usage", "USD", "9.9000000000", "10.0000000000")  # fmt: skip
    # 2,500 rows: three pages of at most 1,000 (the emulator pages as AWS does, emulator/athena.py).
    athena_backends[account][clients.region].query_results_queue.append(
        QueryResults(rows=[header] + [values] * 2500, column_info=[])
    )
    run = athena.runner(clients.athena, "infersave-demo-cur")
    result = cur.read_cur(run, cur.athena_table("infersave_demo_cur", "data"), PERIOD, "demo")
    chat = result.data.by_endpoint["demo-chat"]
    assert (chat.instance_hours, chat.instance_cost) == (Decimal(25000), Decimal("24750"))
    assert chat.account_ids == {"111122223333"}
    [execution_id] = clients.athena.list_query_executions(WorkGroup="infersave-demo-cur")["QueryExecutionIds"]
    query = clients.athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Query"]
    assert 'FROM "infersave_demo_cur"."data"' in query


def cur_columns() -> list[str]:
    return list(row())
