"""Lambda layers, function tags and KMS key policies created by CloudFormation."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import boto3
import pytest

Deploy = Callable[..., dict[str, str]]

KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["budgets.amazonaws.com", "costalerts.amazonaws.com"]},
            "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "Resource": "*",
        }
    ],
}


@pytest.fixture
def asset_bucket(aws: None) -> str:
    """A bucket holding a layer zip, as ``cdk deploy`` uploads assets before creating the stack."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("python/powertools_stub.py", "VERSION = '3'\n")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="cdk-assets")
    s3.put_object(Bucket="cdk-assets", Key="layer.zip", Body=archive.getvalue())
    return "cdk-assets"


def _template(asset_bucket: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Powertools": {
                "Type": "AWS::Lambda::LayerVersion",
                "Properties": {
                    "LayerName": "powertools",
                    "Content": {"S3Bucket": asset_bucket, "S3Key": "layer.zip"},
                    "CompatibleRuntimes": ["python3.11"],
                },
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                },
            },
            "Reporter": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": "cost-reporter",
                    "Runtime": "python3.11",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": "def handler(event, context):\n    return None\n"},
                    "Layers": [{"Ref": "Powertools"}],
                    "Tags": [{"Key": "infersave:project", "Value": "demo"}],
                },
            },
            "Key": {
                "Type": "AWS::KMS::Key",
                "Properties": {
                    "KeyPolicy": KEY_POLICY,
                    "Tags": [{"Key": "infersave:project", "Value": "demo"}],
                },
            },
            "DefaultKey": {"Type": "AWS::KMS::Key", "Properties": {}},
        },
        "Outputs": {
            "LayerRef": {"Value": {"Ref": "Powertools"}},
            "LayerArn": {"Value": {"Fn::GetAtt": ["Powertools", "LayerVersionArn"]}},
            "KeyId": {"Value": {"Ref": "Key"}},
            "DefaultKeyId": {"Value": {"Ref": "DefaultKey"}},
        },
    }


def test_function_gets_the_layer_from_the_same_template(deploy: Deploy, asset_bucket: str) -> None:
    outputs = deploy(_template(asset_bucket))

    lambda_client = boto3.client("lambda")
    (version,) = lambda_client.list_layer_versions(LayerName="powertools")["LayerVersions"]
    assert outputs["LayerRef"] == outputs["LayerArn"] == version["LayerVersionArn"]
    function = lambda_client.get_function(FunctionName="cost-reporter")
    assert [layer["Arn"] for layer in function["Configuration"]["Layers"]] == [version["LayerVersionArn"]]
    assert function["Tags"] == {"infersave:project": "demo"}


def test_key_policy_is_a_json_string(deploy: Deploy, asset_bucket: str) -> None:
    outputs = deploy(_template(asset_bucket))

    kms = boto3.client("kms")
    policy = kms.get_key_policy(KeyId=outputs["KeyId"], PolicyName="default")["Policy"]
    assert json.loads(policy) == KEY_POLICY
    default_policy = kms.get_key_policy(KeyId=outputs["DefaultKeyId"], PolicyName="default")["Policy"]
    assert json.loads(default_policy)["Statement"]


def test_key_tags_from_the_template_reach_the_key(deploy: Deploy, asset_bucket: str) -> None:
    # CloudFormation writes Key/Value; moto's KMS model keys them TagKey/TagValue (it answered HTTP 500).
    outputs = deploy(_template(asset_bucket))

    tags = boto3.client("kms").list_resource_tags(KeyId=outputs["KeyId"])["Tags"]
    assert tags == [{"TagKey": "infersave:project", "TagValue": "demo"}]


def test_delete_stack_removes_function_and_layer(deploy: Deploy, cfn: Any, asset_bucket: str) -> None:
    deploy(_template(asset_bucket))

    cfn.delete_stack(StackName="emu")

    lambda_client = boto3.client("lambda")
    assert lambda_client.list_functions()["Functions"] == []
    assert lambda_client.list_layer_versions(LayerName="powertools")["LayerVersions"] == []
