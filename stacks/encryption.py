"""Customer-managed KMS keys for a stack's logs, topics, buckets, and explicit (wildcard-free) grants on them."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct


def project_key(scope: Construct, construct_id: str, *, description: str) -> kms.Key:
    """A rotating key that CloudWatch Logs of this account and region may use for the stack's log groups."""
    key = kms.Key(
        scope,
        construct_id,
        enable_key_rotation=True,
        description=description,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    allow_cloudwatch_logs(key)
    return key


def allow_cloudwatch_logs(key: kms.Key) -> None:
    """Let CloudWatch Logs of this account and region use ``key`` for the stack's log groups."""
    stack = cdk.Stack.of(key)
    # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogsOfThisAccount",
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=[
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:GenerateDataKey",
                "kms:DescribeKey",
            ],
            resources=["*"],  # in a key policy "*" means this key
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="*",
                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                    )
                }
            },
        )
    )


def grant_encrypted_publish(grantee: iam.IGrantable, topic: sns.ITopic, key: kms.IKey) -> None:
    """``sns:Publish`` on a KMS-encrypted topic, with exactly the key actions SNS needs (no wildcards)."""
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=["sns:Publish"], resources=[topic.topic_arn])
    )
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[key.key_arn])
    )


def grant_image_pull(role: iam.Role, repository_arns: list[str]) -> None:
    """Let ``role`` pull images from these ECR repositories only (layers and manifests), plus the registry login
    token, which has no resource-level permission (Service Authorization Reference): callers acknowledge the
    ``*`` with cdk-nag."""
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            resources=repository_arns,
        )
    )
    role.add_to_policy(iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]))
