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
        {**request, "PaginationToken": ""},
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
            "PaginationToken": "",
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


@pytest.mark.parametrize(
    ("region", "partition", "cost_explorer", "price_list"),
    [
        ("us-east-1", "aws", "us-east-1", "us-east-1"),
        ("eu-central-2", "aws", "us-east-1", "us-east-1"),
        ("cn-north-1", "aws-cn", "cn-northwest-1", "cn-northwest-1"),
    ],
)
def test_billing_api_regions_follow_the_partition(
    region: str, partition: str, cost_explorer: str, price_list: str
) -> None:
    assert aws.partition_of(region) == partition
    assert aws.billing_api_regions(region) == aws.BillingApiRegions(cost_explorer, price_list)


def test_billing_api_regions_refuse_a_partition_without_cost_explorer() -> None:
    assert aws.partition_of("us-gov-west-1") == "aws-us-gov"
    with pytest.raises(aws.UnsupportedPartitionError, match="us-gov-west-1 is in partition aws-us-gov"):
        aws.billing_api_regions("us-gov-west-1")


def test_reporter_clients_sign_billing_apis_for_the_partition_region() -> None:
    from lambdas.cost_reporter.dal.clients import make_clients

    clients = make_clients(session=boto3.session.Session(region_name="cn-north-1"))
    assert clients.region == "cn-north-1"
    assert clients.ce.meta.endpoint_url == "https://ce.cn-northwest-1.amazonaws.com.cn"
    assert clients.pricing.meta.endpoint_url == "https://api.pricing.cn-northwest-1.amazonaws.com.cn"
    assert clients.cloudwatch.meta.region_name == "cn-north-1"
