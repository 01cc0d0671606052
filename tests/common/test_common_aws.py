"""Shared AWS plumbing: the endpoint listing both functions use, and the client configuration."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from lambdas.common import aws

ARN = "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/"


def _mapping(arn: str, **tags: str) -> dict[str, Any]:
    return {"ResourceARN": arn, "Tags": [{"Key": k.replace("_", ":"), "Value": v} for k, v in tags.items()]}


def test_listing_follows_pages_filters_on_the_project_and_reports_what_is_not_an_endpoint() -> None:
    client = boto3.client(
        "resourcegroupstaggingapi", region_name="eu-west-1", config=Config(retries={"max_attempts": 1})
    )
    stub = Stubber(client)
    request = {
        "TagFilters": [{"Key": "infersave:project", "Values": ["demo"]}],
        "ResourceTypeFilters": ["sagemaker:endpoint"],
        "ResourcesPerPage": 100,
    }
    stub.add_response(
        "get_resources",
        {
            "ResourceTagMappingList": [
                _mapping(f"{ARN}demo-chat", infersave_project="demo", infersave_endpoint="Demo-Chat"),
                _mapping("arn:aws:sagemaker:eu-west-1:123456789012:endpoint-config/x"),
            ],
            "PaginationToken": "p2",
        },
        request,
    )
    stub.add_response(
        "get_resources",
        {"ResourceTagMappingList": [_mapping(f"{ARN}demo-rag", infersave_project="demo")]},
        {**request, "PaginationToken": "p2"},
    )

    with stub:
        endpoints, problems = aws.list_tagged_endpoints(client, "demo")

    stub.assert_no_pending_responses()
    assert [(e.name, e.arn_name, e.region) for e in endpoints] == [
        ("Demo-Chat", "demo-chat", "eu-west-1"),
        ("demo-rag", "demo-rag", "eu-west-1"),
    ]
    assert endpoints[0].tags == {"infersave:project": "demo", "infersave:endpoint": "Demo-Chat"}
    assert problems == [
        "not a SageMaker endpoint ARN: 'arn:aws:sagemaker:eu-west-1:123456789012:endpoint-config/x'"
    ]


def test_listing_without_a_project_asks_for_the_tag_key_only() -> None:
    client = boto3.client("resourcegroupstaggingapi", region_name="eu-west-1")
    stub = Stubber(client)
    stub.add_response(
        "get_resources",
        {"ResourceTagMappingList": []},
        {
            "TagFilters": [{"Key": "infersave:project"}],
            "ResourceTypeFilters": ["sagemaker:endpoint"],
            "ResourcesPerPage": 100,
        },
    )

    with stub:
        assert aws.list_tagged_endpoints(client, None) == ([], [])


@pytest.mark.parametrize("arn", ["", "arn:aws:sagemaker:eu-west-1:1:endpoint/", "endpoint/x"])
def test_malformed_arns_are_aws_data_errors(arn: str) -> None:
    with pytest.raises(aws.AwsDataError, match="not a SageMaker endpoint ARN"):
        aws.endpoint_from_arn(arn, {})


def test_client_config() -> None:
    standard = aws.client_config("infersave-x", read_timeout=20)
    adaptive = aws.client_config("infersave-x", adaptive=True, max_attempts=6)

    assert standard.retries == {"mode": "standard", "max_attempts": 5}
    assert (standard.connect_timeout, standard.read_timeout, standard.user_agent_extra) == (
        5,
        20,
        "infersave-x",
    )
    assert adaptive.retries == {"mode": "adaptive", "max_attempts": 6}
    assert adaptive.read_timeout == 30


def test_describe_error_is_one_short_line_without_markup() -> None:
    from lambdas.common.retry import describe_error

    page = "An error occurred (500): <!doctype html>\n<html lang=en><title>500 Internal</title>\n</html>"
    assert describe_error(RuntimeError(page)) == "An error occurred (500): 500 Internal"
    assert describe_error(RuntimeError("x" * 500), limit=20) == "x" * 17 + "..."
    assert describe_error(RuntimeError("")) == "RuntimeError"


def test_listing_stops_with_an_error_on_a_repeated_page_token() -> None:
    from lambdas.common.paging import PagingError

    client = boto3.client(
        "resourcegroupstaggingapi", region_name="eu-west-1", config=Config(retries={"max_attempts": 1})
    )
    stub = Stubber(client)
    page = {"ResourceTagMappingList": [_mapping(f"{ARN}demo-chat", infersave_project="demo")]}
    stub.add_response("get_resources", {**page, "PaginationToken": "same"})
    stub.add_response("get_resources", {**page, "PaginationToken": "same"})

    with stub, pytest.raises(PagingError, match="infersave:project=demo: page 2 repeats a page token"):
        aws.list_tagged_endpoints(client, "demo")
