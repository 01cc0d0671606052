"""Run one SQL text on Amazon Athena: StartQueryExecution in the workgroup, GetQueryExecution polled with
backoff up to a bounded wait (then StopQueryExecution), GetQueryResults followed page by page.

Athena API reference: a query is QUEUED, RUNNING, then SUCCEEDED, FAILED or CANCELLED
(QueryExecutionStatus.State); GetQueryResults returns at most 1,000 rows a page (MaxResults) with NextToken,
every value as text (``VarCharValue``, absent for NULL), and for a SELECT the first row of the first page is
the column names. The workgroup enforces its result location, KMS encryption and bytes-scanned cutoff
(``EnforceWorkGroupConfiguration``), so the request names only the workgroup.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from lambdas.common.paging import paginate
from lambdas.common.retry import call_with_backoff

if TYPE_CHECKING:
    from mypy_boto3_athena import AthenaClient

_DONE = ("SUCCEEDED", "FAILED", "CANCELLED")
#: GetQueryResults' largest page (Athena API reference, MaxResults: 1-1000).
MAX_RESULTS = 1000
#: The CUR query returns one row per account x endpoint x day x usage type x line item type: 1,000 pages
#: (a million rows) is far beyond a month of an organization's SageMaker endpoints.
MAX_PAGES = 1000


class AthenaQueryError(RuntimeError):
    """A query that failed, was cancelled, or did not finish in time (the message names its id)."""


def wait_for(
    client: AthenaClient,
    query_id: str,
    *,
    max_wait_s: float,
    first_delay_s: float = 0.5,
    max_delay_s: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Poll GetQueryExecution (delays doubling from ``first_delay_s`` to ``max_delay_s``) until the query is
    done; past ``max_wait_s`` stop it and raise. Returns the QueryExecution of a SUCCEEDED query."""
    deadline = clock() + max_wait_s
    delay = first_delay_s
    while True:
        answer = call_with_backoff(partial(client.get_query_execution, QueryExecutionId=query_id))
        execution: dict[str, Any] = dict(answer["QueryExecution"])
        status = execution.get("Status", {})
        state = status.get("State", "")
        if state == "SUCCEEDED":
            return execution
        if state in _DONE:
            reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage", "")
            raise AthenaQueryError(f"Athena query {query_id} {state}: {reason}".rstrip(": "))
        if clock() + delay > deadline:
            call_with_backoff(partial(client.stop_query_execution, QueryExecutionId=query_id))
            raise AthenaQueryError(
                f"Athena query {query_id} still {state or 'unknown'} after {max_wait_s:.0f} s: stopped"
            )
        sleep(delay)
        delay = min(max_delay_s, delay * 2)


def _text(cell: Mapping[str, Any]) -> str | None:
    value = cell.get("VarCharValue")
    return value if isinstance(value, str) else None


def run_query(
    client: AthenaClient,
    sql: str,
    workgroup: str,
    *,
    max_wait_s: float = 240.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[dict[str, str | None]]:
    """Run ``sql`` in ``workgroup`` and return its rows as column name -> text (None for NULL)."""
    started = call_with_backoff(partial(client.start_query_execution, QueryString=sql, WorkGroup=workgroup))
    query_id = started["QueryExecutionId"]
    wait_for(client, query_id, max_wait_s=max_wait_s, sleep=sleep, clock=clock)
    header: list[str] | None = None
    rows: list[dict[str, str | None]] = []
    pages = paginate(
        client.get_query_results,
        {"QueryExecutionId": query_id, "MaxResults": MAX_RESULTS},
        page_param="NextToken",
        what=f"Athena GetQueryResults {query_id}",
        max_pages=MAX_PAGES,
    )
    for page in pages:
        for row in page.get("ResultSet", {}).get("Rows", []):
            values = [_text(cell) for cell in row.get("Data", [])]
            if header is None:
                header = [value or "" for value in values]
                continue
            rows.append(dict(zip(header, values, strict=False)))
    return rows


def runner(
    client: AthenaClient, workgroup: str, *, max_wait_s: float = 240.0
) -> Callable[[str], list[dict[str, str | None]]]:
    """A :data:`lambdas.cost_reporter.dal.cur.QueryRunner` on Athena."""
    return partial(run_query, client, workgroup=workgroup, max_wait_s=max_wait_s)
