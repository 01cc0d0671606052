"""``ReportsBucket``: where the cost reports land. KMS-encrypted, versioned (a rerun overwrites the same keys,
history stays), TLS-only, no public access, server access logs, lifecycle for superseded versions."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.nag import acknowledge


class ReportsBucket(Construct):
    """Exposes ``bucket`` and ``access_logs``."""

    def __init__(
        self, scope: Construct, construct_id: str, *, key: kms.IKey, noncurrent_retention_days: int
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
            "This is the access-log bucket of the reports bucket; logging it into itself would loop.",
        )
        self.bucket = s3.Bucket(
            self,
            "Reports",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            versioned=True,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="reports-bucket/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-superseded-report-versions",
                    noncurrent_version_expiration=cdk.Duration.days(noncurrent_retention_days),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                )
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
