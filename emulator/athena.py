"""Athena GetQueryResults paging, which moto 5.2.5 lacks.

Measured on moto 5.2.5: StartQueryExecution refuses an unknown workgroup (as AWS does), every query is
``SUCCEEDED`` at once, and GetQueryResults answers the queued result (``query_results_queue``) whole, ignoring
``MaxResults`` and never returning a ``NextToken``. AWS returns at most ``MaxResults`` rows a page (Athena API
reference, GetQueryResults: "MaxResults - The maximum number of results (rows) to return in this request.
Valid Range: Maximum value of 1000.") and a ``NextToken`` while rows remain; the first page's first row of a
SELECT is the header. This module pages the queued rows the same way (a missing ``MaxResults`` means 1000,
above 1000 is an InvalidRequestException), so a reader that stops after one page fails locally as it would
in AWS. The token is opaque to callers (an offset with the execution id).
"""

from __future__ import annotations

import json
from typing import Any

from moto.athena import responses as athena_responses

#: GetQueryResults' largest page.
MAX_RESULTS = 1000


def _start(token: str | None, exec_id: str) -> int | None:
    """The row offset a NextToken names, None if it is not one of this query's tokens."""
    if not token:
        return 0
    prefix, _, offset = token.rpartition(":")
    return int(offset) if prefix == exec_id and offset.isdigit() else None


def _get_query_results(self: Any) -> str | tuple[str, dict[str, int]]:
    """GetQueryResults with AWS's paging over moto's (queued) result."""
    exec_id = self._get_param("QueryExecutionId")
    max_results = int(self._get_param("MaxResults") or MAX_RESULTS)
    if not 1 <= max_results <= MAX_RESULTS:
        return self.error(f"MaxResults must be 1 to {MAX_RESULTS}", 400)  # type: ignore[no-any-return]
    start = _start(self._get_param("NextToken"), exec_id)
    if start is None:
        return self.error("NextToken is not valid for this query", 400)  # type: ignore[no-any-return]
    answer: dict[str, Any] = self.athena_backend.get_query_results(exec_id).to_dict()
    all_rows = answer["ResultSet"]["Rows"]
    end = start + max_results
    rows, token = all_rows[start:end], (f"{exec_id}:{end}" if end < len(all_rows) else None)
    answer["ResultSet"]["Rows"] = rows
    if token:
        answer["NextToken"] = token
    return json.dumps(answer)


def install() -> None:
    """Page GetQueryResults as AWS does."""
    athena_responses.AthenaResponse.get_query_results = _get_query_results  # type: ignore[method-assign,assignment]
