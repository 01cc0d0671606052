"""AWS::S3::BucketPolicy through CloudFormation, including the CDK's enforceSSL statement."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

Deploy = Callable[..., dict[str, str]]

BUCKET_ARN = {"Fn::GetAtt": ["Reports", "Arn"]}
# What aws_s3.Bucket(enforce_ssl=True) synthesizes.
ENFORCE_SSL = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "s3:*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    "Resource": [BUCKET_ARN, {"Fn::Join": ["", [BUCKET_ARN, "/*"]]}],
}

TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Reports": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "infersave-reports"}},
        "ReportsPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "Reports"},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [ENFORCE_SSL]},
            },
        },
    },
    "Outputs": {"PolicyRef": {"Value": {"Ref": "ReportsPolicy"}}},
}


def test_deploy_sets_bucket_policy(deploy: Deploy) -> None:
    outputs = deploy(TEMPLATE)

    policy = json.loads(boto3.client("s3").get_bucket_policy(Bucket="infersave-reports")["Policy"])
    (statement,) = policy["Statement"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == ["arn:aws:s3:::infersave-reports", "arn:aws:s3:::infersave-reports/*"]
    assert outputs == {"PolicyRef": "infersave-reports"}


def test_enforce_ssl_policy_does_not_block_object_access(deploy: Deploy) -> None:
    """A statement whose condition moto cannot evaluate does not apply: reports can be written and read."""
    deploy(TEMPLATE)

    s3 = boto3.client("s3")
    s3.put_object(Bucket="infersave-reports", Key="2025-01/report.json", Body=b"{}")
    assert s3.get_object(Bucket="infersave-reports", Key="2025-01/report.json")["Body"].read() == b"{}"


def test_delete_stack_removes_policy_and_bucket(deploy: Deploy, cfn: Any) -> None:
    deploy(TEMPLATE)

    cfn.delete_stack(StackName="emu")

    assert boto3.client("s3").list_buckets()["Buckets"] == []


def test_unconditional_deny_still_applies(deploy: Deploy) -> None:
    template = json.loads(json.dumps(TEMPLATE))
    statement = template["Resources"]["ReportsPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    del statement["Condition"]
    deploy(template)

    with pytest.raises(ClientError) as denied:
        boto3.client("s3").put_object(Bucket="infersave-reports", Key="denied.json", Body=b"{}")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
