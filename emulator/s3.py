"""CloudFormation support for ``AWS::S3::BucketPolicy``, backed by moto's S3 backend.

moto 5.2.5 gap closed: its CloudFormation skips ``AWS::S3::BucketPolicy``, so ``get_bucket_policy`` finds
no policy after a deploy. Here the document is stored with the backend's ``put_bucket_policy``; deleting the
resource removes it. ``Ref`` gives the bucket name, the resource's primary identifier in CloudFormation.

A second gap surfaces once policies are stored: moto evaluates a bucket policy on object requests without
any request context, and ``IAMPolicyStatement`` answers DENIED for every statement whose ``Condition`` is
not met, whatever its ``Effect``. With no context no condition is met, so the CDK's ``enforceSSL`` statement
(Deny ``s3:*`` if ``aws:SecureTransport`` is false) or any conditional Allow (a service principal scoped with
``aws:SourceArn``) refuses every ``PutObject`` / ``GetObject`` on the bucket. In IAM a statement whose
condition is not met does not apply; lacking the request context, :func:`_get_permission` evaluates only the
unconditional statements, as moto does for those today. Clients of the real bucket use HTTPS, so under
``enforceSSL`` they see the same outcome as the emulator's.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucketpolicy.html
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.s3 import models as s3_models
from moto.s3.exceptions import MissingBucket
from moto.s3.models import S3Backend, s3_backends
from moto.utilities.utils import get_partition


def _backend(account_id: str, region_name: str) -> S3Backend:
    return s3_backends[account_id][get_partition(region_name)]


class BucketPolicy(CloudFormationModel):
    """``AWS::S3::BucketPolicy``."""

    def __init__(self, bucket_name: str) -> None:
        self.bucket_name = bucket_name

    @property
    def physical_resource_id(self) -> str:
        return self.bucket_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> BucketPolicy:
        properties = cloudformation_json["Properties"]
        document = properties["PolicyDocument"]
        policy = document if isinstance(document, str) else json.dumps(document)
        bucket_name = properties["Bucket"]
        _backend(account_id, region_name).put_bucket_policy(bucket_name, policy.encode())
        return cls(bucket_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: BucketPolicy,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> BucketPolicy:
        if cloudformation_json["Properties"]["Bucket"] != original_resource.bucket_name:
            original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        cls(resource_name).delete(account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Remove the policy, if the bucket still exists."""
        with contextlib.suppress(MissingBucket):
            _backend(account_id, region_name).delete_bucket_policy(self.bucket_name)

    def is_created(self) -> bool:
        return True


def _get_permission(self: s3_models.FakeBucket, action: str, resource: str) -> PermissionResult:
    """The bucket policy's verdict on ``action`` from the statements without a ``Condition``."""
    if self.policy is None:
        return PermissionResult.NEUTRAL
    statements = json.loads(self.policy)["Statement"]
    result = PermissionResult.NEUTRAL
    for statement in statements if isinstance(statements, list) else [statements]:
        if "Condition" in statement:
            continue
        verdict = IAMPolicyStatement(statement).is_action_permitted(action, resource)
        if verdict == PermissionResult.DENIED:
            return verdict
        if verdict == PermissionResult.PERMITTED:
            result = verdict
    return result


def install() -> None:
    """Evaluate bucket policies without applying statements whose condition moto cannot evaluate."""
    s3_models.FakeBucket.get_permission = _get_permission  # type: ignore[method-assign]
