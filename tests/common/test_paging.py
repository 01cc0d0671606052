"""paginate: follow_pages over a boto3 client method (follow_pages itself: tests/common/test_common_paging.py)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from lambdas.common.paging import PagingError, paginate


def _tagging() -> tuple[Any, Stubber]:
    client = boto3.client(
        "resourcegroupstaggingapi", region_name="eu-west-1", config=Config(retries={"max_attempts": 1})
    )
    return client, Stubber(client)


def test_paginate_passes_the_token_only_after_the_first_page_and_stops_on_a_repeat() -> None:
    client, stub = _tagging()
    request = {"ResourceTypeFilters": ["sagemaker:endpoint"]}
    stub.add_response("get_resources", {"PaginationToken": "p2"}, request)
    stub.add_response("get_resources", {"PaginationToken": "p2"}, {**request, "PaginationToken": "p2"})
    with stub, pytest.raises(PagingError, match="tagging: page token 'p2' came back again after 2 pages"):
        list(paginate(client.get_resources, request, page_param="PaginationToken", what="tagging"))
    stub.assert_no_pending_responses()


def test_paginate_retries_a_throttled_page_then_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("lambdas.common.retry.time.sleep", slept.append)
    client, stub = _tagging()
    stub.add_client_error("get_resources", "ThrottlingException", "Rate exceeded")
    stub.add_response("get_resources", {"PaginationToken": ""})
    with stub:
        pages = list(paginate(client.get_resources, {}, page_param="PaginationToken", what="tagging"))
    assert len(pages) == 1
    assert len(slept) == 1


def test_paginate_without_backoff_raises_the_first_throttle() -> None:
    client, stub = _tagging()
    stub.add_client_error("get_resources", "ThrottlingException", "Rate exceeded")
    with stub, pytest.raises(ClientError):
        list(paginate(client.get_resources, {}, page_param="PaginationToken", what="t", backoff=False))


def test_paginate_reads_a_differently_named_response_token() -> None:
    client = boto3.client("ce", region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
    stub = Stubber(client)
    request = {
        "TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"},
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost"],
    }
    stub.add_response("get_cost_and_usage", {"NextPageToken": "n1"}, request)
    stub.add_response("get_cost_and_usage", {}, {**request, "NextPageToken": "n1"})
    with stub:
        pages = list(
            paginate(
                client.get_cost_and_usage,
                request,
                page_param="NextPageToken",
                page_field="NextPageToken",
                what="ce",
            )
        )
    assert len(pages) == 2
