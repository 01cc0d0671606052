"""CloudFormation support for ``AWS::S3::BucketPolicy`` and the rest of ``AWS::S3::Bucket``, on moto's S3 backend.

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

``AWS::S3::Bucket`` in moto 5.2.5 applies only ``BucketEncryption`` and ``Tags``: a deployed bucket is
unversioned, has no public access block, lifecycle rules, access logging or ownership controls, whatever the
template says. Here moto's create (and in-place update) goes on to apply ``VersioningConfiguration``,
``PublicAccessBlockConfiguration``, ``LifecycleConfiguration``, ``OwnershipControls`` and
``LoggingConfiguration`` with the backend methods the PutBucketVersioning, PutPublicAccessBlock,
PutBucketLifecycleConfiguration, PutBucketOwnershipControls and PutBucketLogging handlers call, converted
from CloudFormation's shapes to the API's (:func:`cfn_to_api_lifecycle_rules`, :func:`cfn_to_api_logging`).
An update that drops one of them removes it, as CloudFormation does, except versioning, which S3 can
suspend but never turn off (it is left as it is). Not converted (moto has no model for them): lifecycle
``ObjectSizeGreaterThan`` / ``ObjectSizeLessThan`` filters and logging's ``TargetObjectKeyFormat``.

Logging meets one more difference: moto's PutBucketLogging requires the target bucket's policy to grant the
logging service *already*. A CDK bucket with ``serverAccessLogsBucket`` has the target's policy name the
source bucket (``aws:SourceArn``), so CloudFormation creates the source bucket, with its logging, before that
policy; AWS deploys that order. When the target bucket has ACLs disabled (Object Ownership
``BucketOwnerEnforced``, the S3 default), the policy is the only way to grant log delivery and S3 applies it
when it delivers logs; :func:`_log_permissions_enabled_policy` then accepts the target, and keeps moto's
check for targets that still use ACLs.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucketpolicy.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucket.html
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

from emulator.cfn_model import CfnResource, Properties

_BUCKET_OWNER_ENFORCED = "BucketOwnerEnforced"

_moto_create_bucket = s3_models.FakeBucket.create_from_cloudformation_json
_moto_update_bucket = s3_models.FakeBucket.update_from_cloudformation_json
_moto_log_permissions_enabled_policy = s3_models.FakeBucket._log_permissions_enabled_policy


def _backend(account_id: str, region_name: str) -> S3Backend:
    return s3_backends[account_id][get_partition(region_name)]


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _cfn_to_api_filter(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation rule's ``Prefix`` and ``TagFilters`` as the API's ``Filter`` (all objects if neither)."""
    prefix = rule.get("Prefix")
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters") or []]
    if len(tags) > 1 or (tags and prefix):
        return {"And": _without_none({"Prefix": prefix, "Tag": tags})}
    if tags:
        return {"Tag": tags[0]}
    return {"Prefix": prefix or ""}


def cfn_to_api_lifecycle_rules(lifecycle_configuration: dict[str, Any]) -> list[dict[str, Any]]:
    """``LifecycleConfiguration.Rules`` as the rules PutBucketLifecycleConfiguration takes.

    CloudFormation flattens what the API nests (``ExpirationInDays`` for ``Expiration.Days``,
    ``TransitionInDays`` for ``Transition.Days``...) and keeps deprecated single forms (``Transition``,
    ``NoncurrentVersionTransition``, ``NoncurrentVersionExpirationInDays``); both map to the API's shape.
    """
    rules = []
    for rule in lifecycle_configuration.get("Rules", []):
        expiration = _without_none(
            {
                "Days": rule.get("ExpirationInDays"),
                "Date": rule.get("ExpirationDate"),
                "ExpiredObjectDeleteMarker": rule.get("ExpiredObjectDeleteMarker"),
            }
        )
        transitions = list(rule.get("Transitions") or []) + (
            [rule["Transition"]] if rule.get("Transition") else []
        )
        noncurrent_transitions = list(rule.get("NoncurrentVersionTransitions") or []) + (
            [rule["NoncurrentVersionTransition"]] if rule.get("NoncurrentVersionTransition") else []
        )
        noncurrent_expiration = rule.get("NoncurrentVersionExpiration")
        if noncurrent_expiration is None and rule.get("NoncurrentVersionExpirationInDays") is not None:
            noncurrent_expiration = {"NoncurrentDays": rule["NoncurrentVersionExpirationInDays"]}
        api_rule = _without_none(
            {
                "ID": rule.get("Id"),
                "Status": rule["Status"],
                "Filter": _cfn_to_api_filter(rule),
                "Expiration": expiration or None,
                "Transition": [
                    _without_none(
                        {
                            "Days": t.get("TransitionInDays"),
                            "Date": t.get("TransitionDate"),
                            "StorageClass": t["StorageClass"],
                        }
                    )
                    for t in transitions
                ]
                or None,
                "NoncurrentVersionTransition": [
                    _without_none(
                        {
                            "NoncurrentDays": t["TransitionInDays"],
                            "NewerNoncurrentVersions": t.get("NewerNoncurrentVersions"),
                            "StorageClass": t["StorageClass"],
                        }
                    )
                    for t in noncurrent_transitions
                ]
                or None,
                "NoncurrentVersionExpiration": noncurrent_expiration,
                "AbortIncompleteMultipartUpload": rule.get("AbortIncompleteMultipartUpload"),
            }
        )
        rules.append(api_rule)
    return rules


def cfn_to_api_logging(bucket_name: str, logging_configuration: dict[str, Any]) -> dict[str, Any]:
    """``LoggingConfiguration`` as PutBucketLogging's ``LoggingEnabled``; no destination: the bucket itself."""
    return {
        "TargetBucket": logging_configuration.get("DestinationBucketName") or bucket_name,
        "TargetPrefix": logging_configuration.get("LogFilePrefix") or "",
    }


def _apply_bucket_configuration(
    backend: S3Backend, bucket_name: str, properties: Properties, *, update: bool
) -> None:
    """Apply the template's bucket configurations moto's CloudFormation skips; on update, drop removed ones."""
    versioning = properties.get("VersioningConfiguration")
    if versioning:
        backend.put_bucket_versioning(bucket_name, versioning["Status"])
    public_access_block = properties.get("PublicAccessBlockConfiguration")
    if public_access_block:
        backend.put_public_access_block(bucket_name, public_access_block)
    elif update:
        backend.delete_public_access_block(bucket_name)
    lifecycle = properties.get("LifecycleConfiguration")
    if lifecycle:
        backend.put_bucket_lifecycle_configuration(bucket_name, cfn_to_api_lifecycle_rules(lifecycle))
    elif update:
        backend.delete_bucket_lifecycle(bucket_name)
    ownership_rules = (properties.get("OwnershipControls") or {}).get("Rules") or []
    if ownership_rules:
        ownership = ownership_rules[0]["ObjectOwnership"]
        backend.put_bucket_ownership_controls(bucket_name, ownership)
    elif update:
        backend.delete_bucket_ownership_controls(bucket_name)
    logging = properties.get("LoggingConfiguration")
    if logging is not None:
        backend.put_bucket_logging(bucket_name, cfn_to_api_logging(bucket_name, logging))
    elif update:
        backend.put_bucket_logging(bucket_name, {})


def _create_bucket(
    cls: type[s3_models.FakeBucket],
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> s3_models.FakeBucket:
    """moto's Bucket creation, then the configurations it skips (see the module docstring)."""
    bucket = _moto_create_bucket.__func__(  # type: ignore[attr-defined]
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )
    properties = cloudformation_json.get("Properties", {})
    _apply_bucket_configuration(_backend(account_id, region_name), bucket.name, properties, update=False)
    return bucket  # type: ignore[no-any-return]


def _update_bucket(  # noqa: PLR0917 - moto's update_from_cloudformation_json signature
    cls: type[s3_models.FakeBucket],
    /,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> s3_models.FakeBucket:
    """moto's Bucket update; in place (same bucket), the configurations it skips are updated too."""
    bucket = _moto_update_bucket.__func__(  # type: ignore[attr-defined]
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    )
    if bucket is original_resource:  # a replacement went through _create_bucket
        properties = cloudformation_json.get("Properties", {})
        _apply_bucket_configuration(_backend(account_id, region_name), bucket.name, properties, update=True)
    return bucket  # type: ignore[no-any-return]


def _log_permissions_enabled_policy(target_bucket: s3_models.FakeBucket, target_prefix: str | None) -> bool:
    """A target with ACLs disabled is granted log delivery by its policy, which S3 applies at delivery time."""
    ownership: Any = target_bucket.ownership_rule  # the ObjectOwnership string, though typed as a dict
    if ownership == _BUCKET_OWNER_ENFORCED:
        return True
    return _moto_log_permissions_enabled_policy(target_bucket=target_bucket, target_prefix=target_prefix)


class BucketPolicy(CfnResource, CloudFormationModel):
    """``AWS::S3::BucketPolicy``."""

    CFN_TYPE = "AWS::S3::BucketPolicy"
    CFN_PHYSICAL_ID = "bucket_name"

    def __init__(self, bucket_name: str) -> None:
        self.bucket_name = bucket_name

    @classmethod
    def create(cls, name: str, properties: Properties, account_id: str, region_name: str) -> BucketPolicy:
        """PutBucketPolicy of the template's document on its bucket."""
        document = properties["PolicyDocument"]
        policy = document if isinstance(document, str) else json.dumps(document)
        bucket_name = properties["Bucket"]
        _backend(account_id, region_name).put_bucket_policy(bucket_name, policy.encode())
        return cls(bucket_name)

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> BucketPolicy:
        """The policy of the bucket named ``physical_id``."""
        return cls(physical_id)

    def update(self, name: str, properties: Properties, account_id: str, region_name: str) -> BucketPolicy:
        """PutBucketPolicy replaces the document in place; a policy moved to another bucket leaves the old one."""
        if properties["Bucket"] != self.bucket_name:
            self.delete(account_id, region_name)
        return self.create(name, properties, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """DeleteBucketPolicy, if the bucket still exists."""
        with contextlib.suppress(MissingBucket):
            _backend(account_id, region_name).delete_bucket_policy(self.bucket_name)


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
    """Evaluate bucket policies as described above; apply the whole bucket configuration of templates."""
    bucket = s3_models.FakeBucket
    bucket.get_permission = _get_permission  # type: ignore[method-assign]
    bucket.create_from_cloudformation_json = classmethod(_create_bucket)  # type: ignore[method-assign, assignment]
    bucket.update_from_cloudformation_json = classmethod(_update_bucket)  # type: ignore[method-assign, assignment]
    bucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)  # type: ignore[method-assign]
