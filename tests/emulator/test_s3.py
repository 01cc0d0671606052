"""AWS::S3::BucketPolicy (with the CDK's enforceSSL statement) and the configuration of AWS::S3::Bucket."""

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


# AWS::S3::Bucket: what aws_s3.Bucket(versioned=True, block_public_access=BLOCK_ALL, lifecycle_rules=...,
# server_access_logs_bucket=..., enforce_ssl=True) synthesizes, with the access-log bucket's policy naming
# the source bucket (so CloudFormation creates the source bucket, and its logging, first).
REPORTS_ARN = {"Fn::GetAtt": ["Reports", "Arn"]}
LOGS_ARN = {"Fn::GetAtt": ["AccessLogs", "Arn"]}
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}
OWNER_ENFORCED = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
CONFIGURED_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "AccessLogs": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": "infersave-access-logs",
                "PublicAccessBlockConfiguration": BLOCK_ALL,
                "OwnershipControls": OWNER_ENFORCED,
                "LifecycleConfiguration": {
                    "Rules": [{"Id": "expire-access-logs", "Status": "Enabled", "ExpirationInDays": 365}]
                },
            },
        },
        "AccessLogsPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "AccessLogs"},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "logging.s3.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": {"Fn::Join": ["", [LOGS_ARN, "/reports-bucket/*"]]},
                            "Condition": {"ArnLike": {"aws:SourceArn": REPORTS_ARN}},
                        }
                    ],
                },
            },
        },
        "Reports": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": "infersave-reports",
                "VersioningConfiguration": {"Status": "Enabled"},
                "PublicAccessBlockConfiguration": BLOCK_ALL,
                "OwnershipControls": OWNER_ENFORCED,
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "Id": "expire-superseded-report-versions",
                            "Status": "Enabled",
                            "NoncurrentVersionExpiration": {"NoncurrentDays": 400},
                            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                        }
                    ]
                },
                "LoggingConfiguration": {
                    "DestinationBucketName": {"Ref": "AccessLogs"},
                    "LogFilePrefix": "reports-bucket/",
                },
            },
        },
    },
}


def test_bucket_configuration_is_applied_on_create(deploy: Deploy) -> None:
    deploy(CONFIGURED_TEMPLATE)

    s3 = boto3.client("s3")
    assert s3.get_bucket_versioning(Bucket="infersave-reports")["Status"] == "Enabled"
    assert "Status" not in s3.get_bucket_versioning(Bucket="infersave-access-logs")
    for bucket in ("infersave-reports", "infersave-access-logs"):
        assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == BLOCK_ALL
        (ownership,) = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
        assert ownership == {"ObjectOwnership": "BucketOwnerEnforced"}
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket="infersave-reports")["Rules"]
    assert rule["ID"] == "expire-superseded-report-versions"
    assert rule["Status"] == "Enabled"
    assert rule["Filter"] == {"Prefix": ""}
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 400}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    (logs_rule,) = s3.get_bucket_lifecycle_configuration(Bucket="infersave-access-logs")["Rules"]
    assert logs_rule["Expiration"] == {"Days": 365}
    assert s3.get_bucket_logging(Bucket="infersave-reports")["LoggingEnabled"] == {
        "TargetBucket": "infersave-access-logs",
        "TargetPrefix": "reports-bucket/",
    }
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket="infersave-access-logs")


def test_lifecycle_rule_shapes_are_converted_to_the_api(deploy: Deploy) -> None:
    rules = [
        {
            "Id": "tiered",
            "Status": "Enabled",
            "Prefix": "reports/",
            "TagFilters": [{"Key": "class", "Value": "archive"}],
            "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": 90}],
            "NoncurrentVersionTransitions": [
                {"StorageClass": "STANDARD_IA", "TransitionInDays": 30, "NewerNoncurrentVersions": 2}
            ],
            "NoncurrentVersionExpirationInDays": 120,
            "ExpirationInDays": 730,
        },
        {
            "Id": "tagged",
            "Status": "Disabled",
            "TagFilters": [{"Key": "tmp", "Value": "yes"}],
            "ExpiredObjectDeleteMarker": True,
        },
    ]
    template = {
        "Resources": {
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"BucketName": "lifecycle", "LifecycleConfiguration": {"Rules": rules}},
            }
        }
    }
    deploy(template)

    tiered, tagged = boto3.client("s3").get_bucket_lifecycle_configuration(Bucket="lifecycle")["Rules"]
    assert tiered["Filter"] == {"And": {"Prefix": "reports/", "Tags": [{"Key": "class", "Value": "archive"}]}}
    assert tiered["Transitions"] == [{"Days": 90, "StorageClass": "GLACIER"}]
    assert tiered["NoncurrentVersionTransitions"] == [
        {"NewerNoncurrentVersions": 2, "NoncurrentDays": 30, "StorageClass": "STANDARD_IA"}
    ]
    assert tiered["NoncurrentVersionExpiration"] == {"NoncurrentDays": 120}
    assert tiered["Expiration"] == {"Days": 730}
    assert tagged["Status"] == "Disabled"
    assert tagged["Filter"] == {"Tag": {"Key": "tmp", "Value": "yes"}}
    assert tagged["Expiration"] == {"ExpiredObjectDeleteMarker": True}


def test_update_in_place_changes_and_drops_bucket_configuration(deploy: Deploy) -> None:
    deploy(CONFIGURED_TEMPLATE)
    template = json.loads(json.dumps(CONFIGURED_TEMPLATE))
    reports = template["Resources"]["Reports"]["Properties"]
    reports["VersioningConfiguration"] = {"Status": "Suspended"}
    reports["LifecycleConfiguration"]["Rules"][0]["NoncurrentVersionExpiration"] = {"NoncurrentDays": 30}
    del reports["PublicAccessBlockConfiguration"], reports["LoggingConfiguration"]

    deploy(template, update=True)

    s3 = boto3.client("s3")
    assert s3.get_bucket_versioning(Bucket="infersave-reports")["Status"] == "Suspended"
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket="infersave-reports")["Rules"]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    with pytest.raises(ClientError, match="NoSuchPublicAccessBlockConfiguration"):
        s3.get_public_access_block(Bucket="infersave-reports")
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket="infersave-reports")


def test_logging_to_a_target_with_acls_still_needs_a_grant(aws: None) -> None:
    """Only targets with ACLs disabled defer the permission to delivery time; moto's check stays for the rest."""
    s3 = boto3.client("s3")
    for bucket in ("source", "acl-target", "enforced-target"):
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_ownership_controls(
        Bucket="enforced-target", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )

    with pytest.raises(ClientError, match="InvalidTargetBucketForLogging"):
        s3.put_bucket_logging(
            Bucket="source",
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "acl-target", "TargetPrefix": "x/"}},
        )
    s3.put_bucket_logging(
        Bucket="source",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "enforced-target", "TargetPrefix": "x/"}},
    )
    assert s3.get_bucket_logging(Bucket="source")["LoggingEnabled"]["TargetBucket"] == "enforced-target"
