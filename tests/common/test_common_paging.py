"""Bounded paging: a repeated token or too many pages stops a read with an error, never a loop."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from lambdas.common import aws
from lambdas.common.paging import PagingError, follow_pages
from lambdas.cost_reporter.dal import cost_explorer
from lambdas.cost_reporter.models import ReportPeriod


def _pages(tokens: list[str | None]) -> list[dict[str, Any]]:
    return [{"n": i, "next": token} for i, token in enumerate(tokens)]


def test_follows_tokens_until_a_page_has_none() -> None:
    answers = _pages(["a", "b", None])
    asked: list[str | None] = []

    def fetch(token: str | None) -> dict[str, Any]:
        asked.append(token)
        return answers[len(asked) - 1]

    assert [p["n"] for p in follow_pages(fetch, lambda p: p["next"], what="x")] == [0, 1, 2]
    assert asked == [None, "a", "b"]


def test_empty_string_token_ends_paging() -> None:
    assert len(list(follow_pages(lambda _t: {"next": ""}, lambda p: p["next"], what="x"))) == 1


def test_a_repeated_token_stops_with_an_error_naming_the_read() -> None:
    calls = 0

    def fetch(_token: str | None) -> dict[str, str]:
        nonlocal calls
        calls += 1
        return {"next": "same"}

    with pytest.raises(
        PagingError, match="Tagging GetResources: page token 'same' came back again after 2 pages"
    ):
        list(follow_pages(fetch, lambda p: p["next"], what="Tagging GetResources"))
    assert calls == 2


def test_a_token_cycle_is_caught_too() -> None:
    tokens = iter(["a", "b", "a"])
    with pytest.raises(PagingError, match="came back again after 3 pages"):
        list(follow_pages(lambda _t: {"next": next(tokens)}, lambda p: p["next"], what="x"))


def test_the_page_bound_stops_an_endless_read() -> None:
    counter = iter(range(10_000))
    with pytest.raises(PagingError, match="more than 5 pages"):
        list(
            follow_pages(lambda _t: {"next": str(next(counter))}, lambda p: p["next"], what="x", max_pages=5)
        )


def test_tagging_listing_stops_on_a_repeated_token() -> None:
    client = boto3.client(
        "resourcegroupstaggingapi", region_name="eu-west-1", config=Config(retries={"max_attempts": 1})
    )
    stub = Stubber(client)
    for _ in range(2):
        stub.add_response("get_resources", {"ResourceTagMappingList": [], "PaginationToken": "loop"})
    with stub, pytest.raises(PagingError, match="Tagging GetResources"):
        aws.list_tagged_endpoints(client, "demo")


def test_cost_explorer_stops_on_a_repeated_token() -> None:
    from datetime import date

    client = boto3.client("ce", region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
    stub = Stubber(client)
    page = {"ResultsByTime": [], "NextPageToken": "again", "DimensionValueAttributes": []}
    for _ in range(2):
        stub.add_response("get_cost_and_usage", page)
    request = cost_explorer.build_request(
        ReportPeriod(date(2026, 10, 1), date(2026, 11, 1), "custom"), "UnblendedCost"
    )
    with stub, pytest.raises(PagingError, match="Cost Explorer GetCostAndUsage"):
        cost_explorer.fetch_pages(client, request)
