"""emulator.tagging: SageMaker endpoints through the Resource Groups Tagging API behave as on AWS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

import emulator

REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials, moto, the emulator's extensions."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        emulator.install()
        yield


@pytest.fixture
def sagemaker(aws: None) -> Any:
    return boto3.client("sagemaker", region_name=REGION)


@pytest.fixture
def tagging(aws: None) -> Any:
    return boto3.client("resourcegroupstaggingapi", region_name=REGION)


def endpoint(sagemaker: Any, name: str, tags: dict[str, str]) -> str:
    if not sagemaker.list_models()["Models"]:
        sagemaker.create_model(
            ModelName="m", ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", PrimaryContainer={"Image": "i"}
        )
        sagemaker.create_endpoint_config(
            EndpointConfigName="c",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "m",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.inf2.xlarge",
                }
            ],
        )
    return str(
        sagemaker.create_endpoint(
            EndpointName=name, EndpointConfigName="c", Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
        )["EndpointArn"]
    )


def tags_of(sagemaker: Any, arn: str) -> list[tuple[str, str]]:
    return [(t["Key"], t["Value"]) for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]]


def test_get_resources_lists_endpoints_by_type_and_tag(sagemaker: Any, tagging: Any) -> None:
    in_scope = endpoint(sagemaker, "chat", {"infersave:project": "demo"})
    endpoint(sagemaker, "other", {"team": "x"})

    answer = tagging.get_resources(
        ResourceTypeFilters=["sagemaker:endpoint"],
        TagFilters=[{"Key": "infersave:project"}],
        ResourcesPerPage=100,
    )

    assert [(m["ResourceARN"], m["Tags"]) for m in answer["ResourceTagMappingList"]] == [
        (in_scope, [{"Key": "infersave:project", "Value": "demo"}])
    ]


def test_tag_resources_writes_through_the_sagemaker_backend(sagemaker: Any, tagging: Any) -> None:
    arn = endpoint(sagemaker, "chat", {"infersave:project": "demo"})

    answer = tagging.tag_resources(ResourceARNList=[arn], Tags={"infersave:endpoint": "chat"})

    assert answer["FailedResourcesMap"] == {}
    assert tags_of(sagemaker, arn) == [("infersave:project", "demo"), ("infersave:endpoint", "chat")]


def test_an_existing_key_gets_its_value_replaced_not_duplicated(sagemaker: Any, tagging: Any) -> None:
    arn = endpoint(sagemaker, "chat", {"infersave:project": "demo", "owner": "a"})

    tagging.tag_resources(ResourceARNList=[arn], Tags={"owner": "b"})
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "c"}, {"Key": "tier", "Value": "1"}])

    assert tags_of(sagemaker, arn) == [("infersave:project", "demo"), ("owner", "c"), ("tier", "1")]


def test_more_than_twenty_arns_per_call_are_rejected_as_on_aws(sagemaker: Any, tagging: Any) -> None:
    arns = [endpoint(sagemaker, f"e{i}", {"infersave:project": "demo"}) for i in range(21)]

    with pytest.raises(ClientError, match="InvalidParameterException"):
        tagging.tag_resources(ResourceARNList=arns, Tags={"a": "b"})
    with pytest.raises(ClientError, match="InvalidParameterException"):
        tagging.untag_resources(ResourceARNList=arns, TagKeys=["infersave:project"])
    assert tagging.tag_resources(ResourceARNList=arns[:20], Tags={"a": "b"})["FailedResourcesMap"] == {}


def test_untag_resources_removes_keys(sagemaker: Any, tagging: Any) -> None:
    arn = endpoint(sagemaker, "chat", {"infersave:project": "demo", "owner": "a"})

    tagging.untag_resources(ResourceARNList=[arn], TagKeys=["owner"])

    assert tags_of(sagemaker, arn) == [("infersave:project", "demo")]
