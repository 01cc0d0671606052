"""Bounded pagination: a read follows its page tokens and stops with an error on a cycle or past its bound."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from lambdas.common.paging import PagingError, follow_pages, paginate


def _pages(*tokens: str | None) -> tuple[list[str | None], Any]:
    """A fake read whose page n answers ``tokens[n]``; returns the tokens it was called with and fetch."""
    asked: list[str | None] = []

    def fetch(token: str | None) -> dict[str, Any]:
        asked.append(token)
        return {"n": len(asked), "Next": tokens[len(asked) - 1]}

    return asked, fetch


def _next(page: dict[str, Any]) -> object:
    return page.get("Next")


def test_follows_tokens_until_none_or_empty() -> None:
    asked, fetch = _pages("a", "b", None)
    assert [p["n"] for p in follow_pages(fetch, _next, what="read")] == [1, 2, 3]
    assert asked == [None, "a", "b"]
    asked, fetch = _pages("")
    assert [p["n"] for p in follow_pages(fetch, _next, what="read")] == [1]


def test_a_token_repeated_on_the_next_page_stops_with_an_error_naming_the_read() -> None:
    asked, fetch = _pages("a", "a", "a", "a")
    with pytest.raises(PagingError, match=r"tagging GetResources demo: page 2 repeats a page token"):
        list(follow_pages(fetch, _next, what="tagging GetResources demo"))
    assert asked == [None, "a"]


def test_a_cycle_of_tokens_stops_with_an_error() -> None:
    # botocore's paginators catch only the same token twice in a row; A, B, A loops there forever.
    asked, fetch = _pages("a", "b", "a", "b", "a")
    with pytest.raises(PagingError, match="page 3 repeats"):
        list(follow_pages(fetch, _next, what="read"))
    assert asked == [None, "a", "b"]


def test_more_pages_than_the_bound_stop_with_an_error() -> None:
    tokens = [f"t{i}" for i in range(10)]
    asked, fetch = _pages(*tokens)
    with pytest.raises(PagingError, match="still more pages after 3 pages"):
        list(follow_pages(fetch, _next, what="read", max_pages=3))
    assert len(asked) == 3
    asked, fetch = _pages("a", "b", None)
    assert len(list(follow_pages(fetch, _next, what="read", max_pages=3))) == 3  # exactly the bound: fine


def test_a_token_that_is_not_a_string_is_an_error() -> None:
    _, fetch = _pages({"oops": 1})  # type: ignore[arg-type]
    with pytest.raises(PagingError, match="page token of type dict"):
        list(follow_pages(fetch, _next, what="read"))


def test_a_bound_below_one_is_a_programming_error() -> None:
    _, fetch = _pages(None)
    with pytest.raises(ValueError, match="max_pages"):
        list(follow_pages(fetch, _next, what="read", max_pages=0))


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
    with stub, pytest.raises(PagingError, match="tagging: page 2 repeats"):
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
