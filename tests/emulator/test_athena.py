"""Athena GetQueryResults pages as AWS does (MaxResults <= 1,000, NextToken while rows remain), where moto
5.2.5 returned every queued row at once (:mod:`emulator.athena`)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.athena.models import QueryResults, athena_backends

from tests.emulator.conftest import ACCOUNT_ID, REGION


def _queue(rows: int) -> None:
    data = [{"Data": [{"VarCharValue": "n"}]}] + [{"Data": [{"VarCharValue": str(i)}]} for i in range(rows)]
    athena_backends[ACCOUNT_ID][REGION].query_results_queue.append(QueryResults(rows=data, column_info=[]))


@pytest.mark.usefixtures("aws")
def test_results_come_in_pages_of_max_results_with_a_next_token() -> None:
    athena = boto3.client("athena", region_name=REGION)
    _queue(4)  # header + 4 rows = 5 rows
    query_id = athena.start_query_execution(QueryString="SELECT n FROM t", WorkGroup="primary")[
        "QueryExecutionId"
    ]
    first = athena.get_query_results(QueryExecutionId=query_id, MaxResults=2)
    second = athena.get_query_results(QueryExecutionId=query_id, MaxResults=2, NextToken=first["NextToken"])
    third = athena.get_query_results(QueryExecutionId=query_id, MaxResults=2, NextToken=second["NextToken"])
    values = [
        r["Data"][0]["VarCharValue"] for page in (first, second, third) for r in page["ResultSet"]["Rows"]
    ]
    assert values == ["n", "0", "1", "2", "3"]
    assert "NextToken" not in third


@pytest.mark.usefixtures("aws")
def test_more_than_a_thousand_rows_a_page_is_refused() -> None:
    athena = boto3.client("athena", region_name=REGION)
    query_id = athena.start_query_execution(QueryString="SELECT 1", WorkGroup="primary")["QueryExecutionId"]
    with pytest.raises(ClientError, match="MaxResults"):
        athena.get_query_results(QueryExecutionId=query_id, MaxResults=1001)


@pytest.mark.usefixtures("aws")
def test_an_unknown_workgroup_is_refused_as_in_aws() -> None:
    athena = boto3.client("athena", region_name=REGION)
    with pytest.raises(ClientError, match="WorkGroup"):
        athena.start_query_execution(QueryString="SELECT 1", WorkGroup="nope")
