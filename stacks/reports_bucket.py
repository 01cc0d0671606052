"""``ReportsBucket``: where the cost reports land. KMS-encrypted, versioned (a rerun overwrites the same keys,
history stays), TLS-only, no public access, server access logs, lifecycle for superseded versions."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.logged_bucket import LoggedBucket


class ReportsBucket(LoggedBucket):
    """Exposes ``bucket`` and ``access_logs``."""

    def __init__(
        self, scope: Construct, construct_id: str, *, key: kms.IKey, noncurrent_retention_days: int
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            bucket_id="Reports",
            key=key,
            log_prefix="reports-bucket/",
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-superseded-report-versions",
                    noncurrent_version_expiration=cdk.Duration.days(noncurrent_retention_days),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                )
            ],
        )
