"""``LoggedBucket``: a KMS-encrypted, TLS-only, private bucket with its own server-access-log bucket; the pattern
every infersave bucket follows (reports, compiled Neuron artifacts)."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.nag import acknowledge


class LoggedBucket(Construct):
    """Exposes ``bucket`` (child ``bucket_id``) and ``access_logs`` (child ``AccessLogs``)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket_id: str,
        key: kms.IKey | None,
        log_prefix: str,
        lifecycle_rules: Sequence[s3.LifecycleRule],
        versioned: bool,
        bucket_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        # Server access log delivery supports SSE-S3 only on the target bucket.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=cdk.Duration.days(365))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.access_logs,
            "AwsSolutions-S1",
            f"This is the access-log bucket of the {bucket_id} bucket; logging it into itself would loop.",
        )
        self.bucket = s3.Bucket(
            self,
            bucket_id,
            bucket_name=bucket_name,
            # None: S3-managed keys, for a bucket an AWS service writes to without using a customer key.
            encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
            encryption_key=key,
            bucket_key_enabled=key is not None,
            versioned=versioned,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=log_prefix,
            lifecycle_rules=list(lifecycle_rules),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
