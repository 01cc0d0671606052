"""The compile path's artifacts bucket, key and job role in the inference stack (one synth per session)."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from tests.stacks.conftest import Synth


def _resources(t: Template, kind: str) -> dict[str, Any]:
    return dict(t.find_resources(kind))


def _bucket_id(t: Template) -> str:
    (logical_id,) = [
        k for k, v in _resources(t, "AWS::S3::Bucket").items() if "BucketName" in v.get("Properties", {})
    ]
    return logical_id


def test_artifacts_bucket_is_named_encrypted_tls_only_and_access_logged(synth: Synth) -> None:
    t = synth.default["inference"]
    t.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": "demo-llm-neuron-123456789012-us-east-1",
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    Match.object_like(
                        {
                            "BucketKeyEnabled": True,
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": {
                                    "Fn::GetAtt": [Match.string_like_regexp("^CompileArtifactsKey"), "Arn"]
                                },
                            },
                        }
                    )
                ]
            },
            "LoggingConfiguration": {
                "DestinationBucketName": {
                    "Ref": Match.string_like_regexp("^CompileArtifactsStoreAccessLogs")
                },
                "LogFilePrefix": "neuron-artifacts/",
            },
            "PublicAccessBlockConfiguration": Match.object_like({"BlockPublicAcls": True}),
        },
    )
    t.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": _bucket_id(t)},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            },
        },
    )


def test_job_role_trusts_sagemaker_of_this_account_only(synth: Synth) -> None:
    synth.default["inference"].has_resource_properties(
        "AWS::IAM::Role",
        {
            "Description": Match.string_like_regexp("make compile"),
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"Service": "sagemaker.amazonaws.com"},
                        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                    }
                ],
                "Version": "2012-10-17",
            },
        },
    )


def _role_statements(t: Template) -> list[dict[str, Any]]:
    (role_id,) = [
        k
        for k, v in _resources(t, "AWS::IAM::Role").items()
        if "make compile" in v["Properties"].get("Description", "")
    ]
    statements: list[dict[str, Any]] = []
    for policy in _resources(t, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_job_role_writes_only_its_prefix_pulls_only_the_vllm_image_and_logs_only_its_streams(
    synth: Synth,
) -> None:
    t = synth.default["inference"]
    statements = _role_statements(t)
    by_action = {
        s["Action"] if isinstance(s["Action"], str) else frozenset(s["Action"]): s for s in statements
    }
    assert by_action[frozenset({"s3:PutObject", "s3:AbortMultipartUpload"})]["Resource"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": [_bucket_id(t), "Arn"]}, "/compiled/*"]]
    }
    pull = by_action[
        frozenset({"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"})
    ]
    assert "repository/huggingface-vllm-inference-neuronx" in str(pull["Resource"])
    assert "tgi" not in str(pull["Resource"])
    streams = by_action[frozenset({"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"})]
    assert streams["Resource"]["Fn::Join"][1][2] == (
        ":logs:us-east-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs:log-stream:demo-llm-compile-*"
    )
    assert by_action["kms:CreateGrant"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    for statement in statements:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        assert not any("*" in a for a in actions), statement
        if statement["Resource"] == "*":
            assert actions == ["ecr:GetAuthorizationToken"]


def test_outputs_name_bucket_key_and_role(synth: Synth) -> None:
    outputs = synth.default["inference"].to_json()["Outputs"]
    assert {"CompileArtifactsBucketName", "CompileArtifactsKeyArn", "CompileJobRoleArn"} <= set(outputs)


def test_endpoint_with_artifacts_in_the_bucket_gets_read_and_decrypt_on_it(synth: Synth) -> None:
    t = synth.full["inference"]
    prefix = "compiled/custom/fullcfg-compile-custom-20261128201500/"
    t.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": Match.string_like_regexp("^EndpointcustomExecutionRole")}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Action": "s3:GetObject",
                            "Effect": "Allow",
                            "Resource": {
                                "Fn::Join": ["", [{"Fn::GetAtt": [_bucket_id(t), "Arn"]}, f"/{prefix}*"]]
                            },
                        },
                        {
                            "Action": "kms:Decrypt",
                            "Effect": "Allow",
                            "Resource": {
                                "Fn::GetAtt": [Match.string_like_regexp("^CompileArtifactsKey"), "Arn"]
                            },
                        },
                    ]
                )
            },
        },
    )
    t.has_resource_properties(
        "AWS::SageMaker::Model",
        {
            "EnableNetworkIsolation": True,
            "PrimaryContainer": Match.object_like(
                {
                    "ModelDataSource": {
                        "S3DataSource": {
                            "S3Uri": f"s3://fullcfg-neuron-123456789012-us-east-1/{prefix}",
                            "S3DataType": "S3Prefix",
                            "CompressionType": "None",
                        }
                    }
                }
            ),
        },
    )


def test_endpoints_without_artifacts_in_the_bucket_get_no_access_to_it(synth: Synth) -> None:
    t = synth.default["inference"]
    bucket = _bucket_id(t)
    for policy in _resources(t, "AWS::IAM::Policy").values():
        if any("Endpoint" in r["Ref"] for r in policy["Properties"]["Roles"]):
            assert bucket not in str(policy), policy["Properties"]["Roles"]
