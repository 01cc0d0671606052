"""``CompileArtifacts``: where ``make compile`` writes ahead-of-time compiled Neuron artifacts, and the role its
SageMaker Processing job runs as.

- The bucket follows the project's bucket pattern (:class:`stacks.logged_bucket.LoggedBucket`: KMS, TLS-only,
  private, access-logged) with its own rotating key. Its name is fixed
  (``<project[:24]>-neuron-<account>-<region>``) so a config's ``precompiled_artifacts_s3_uri`` can be recognised
  as "inside this bucket" at synth, without a lookup.
- The job role is assumable by SageMaker for this account only (``aws:SourceAccount``), writes only under
  ``compiled/``, encrypts with the bucket's key, pulls only the serving image repository of the preset it
  compiles for, and writes log streams only of its own jobs (SageMaker fixes the log group per job type:
  ``/aws/sagemaker/ProcessingJobs``).
"""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.encryption import grant_image_pull
from stacks.logged_bucket import LoggedBucket
from stacks.nag import account_region_in_finding, acknowledge, arn_in_finding

#: Key prefix of every compiled artifact set: ``compiled/<endpoint>/<job name>/``.
ARTIFACTS_PREFIX = "compiled/"
#: SageMaker writes every processing job's logs to this group, one stream per job and host
#: (https://docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html).
PROCESSING_LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
_S3_URI = re.compile(r"^s3://([^/]+)/(.*)$")


def bucket_name_prefix(project: str) -> str:
    """The artifacts bucket's name up to the account id (S3 names are lower-case, at most 63 characters)."""
    return f"{project.lower()[:24]}-neuron-"


def job_name_prefix(project: str) -> str:
    """Every compile job of the project is named ``<this><endpoint[:18]>-<UTC timestamp>`` (<= 63 characters)."""
    return f"{project[:18]}-compile-"


class CompileArtifacts(Construct):
    """Exposes ``bucket``, ``key``, ``role``, ``owns(uri)`` and ``grant_read(grantee, prefix)``."""

    def __init__(
        self, scope: Construct, construct_id: str, *, project: str, image_repository_arns: list[str]
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.key = kms.Key(
            self,
            "Key",
            enable_key_rotation=True,
            description=f"Encrypts the compiled Neuron artifacts of infersave {project}",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self._name_prefix = bucket_name_prefix(project)
        self.bucket_name = f"{self._name_prefix}{stack.account}-{stack.region}"
        self.store = LoggedBucket(
            self,
            "Store",
            bucket_id="Artifacts",
            bucket_name=self.bucket_name,
            key=self.key,
            log_prefix="neuron-artifacts/",
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-replaced-artifacts",
                    noncurrent_version_expiration=cdk.Duration.days(30),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                )
            ],
        )
        self.bucket = self.store.bucket
        self.bucket_logical_id = stack.get_logical_id(self.bucket.node.default_child)  # type: ignore[arg-type]
        self.role = iam.Role(
            self,
            "JobRole",
            # Confused-deputy guard: only SageMaker acting for this account may assume it
            # (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). That SageMaker sends
            # aws:SourceAccount when it assumes a processing job's role was not found in its docs: UNCONFIRMED,
            # check with one real job (it would fail with AccessDenied on the role at start).
            assumed_by=iam.ServicePrincipal(
                "sagemaker.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": stack.account}}
            ),
            description=f"SageMaker Processing jobs of `make compile` for infersave {project}",
        )
        self._grant_job(project, image_repository_arns)

    def owns(self, uri: str) -> bool:
        """True if ``uri`` (``s3://bucket/prefix``) is inside this construct's bucket."""
        match = _S3_URI.match(uri)
        if not match:
            return False
        bucket = match.group(1)
        if cdk.Token.is_unresolved(self.bucket_name):
            # Env-agnostic stack: the account and region are deploy-time values; the project prefix decides.
            return bucket.startswith(bucket_name_prefix_of(self.bucket_name))
        return bucket == self.bucket_name

    def grant_read(self, grantee: iam.IGrantable, prefix: str) -> str:
        """Read every object under ``prefix`` (ending in ``/``) and decrypt with the bucket's key; returns the
        objects' resource as cdk-nag spells it in the wildcard finding the caller acknowledges.

        A grantee in another stack (a further endpoint stack) names the bucket by its fixed name in its own
        stack (same account and Region), so only the key's ARN crosses stacks (one export, however many
        endpoints read)."""
        principal = grantee.grant_principal
        grantee_stack = cdk.Stack.of(grantee) if isinstance(grantee, Construct) else cdk.Stack.of(self)
        if grantee_stack.node.path == cdk.Stack.of(self).node.path:
            bucket_arn = self.bucket.bucket_arn
            objects_arn = self.bucket.arn_for_objects(f"{prefix}*")
            finding = f"<{self.bucket_logical_id}.Arn>/{prefix}*"
        else:
            name = f"{self._name_prefix}{grantee_stack.account}-{grantee_stack.region}"
            bucket_arn = f"arn:{grantee_stack.partition}:s3:::{name}"
            objects_arn = f"{bucket_arn}/{prefix}*"
            account, region = account_region_in_finding(grantee_stack)
            finding = f"arn:<AWS::Partition>:s3:::{self._name_prefix}{account}-{region}/{prefix}*"
        principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects_arn])
        )
        principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
            )
        )
        principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["kms:Decrypt"], resources=[self.key.key_arn])
        )
        return finding

    def _grant_job(self, project: str, image_repository_arns: list[str]) -> None:
        stack = cdk.Stack.of(self)
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                resources=[self.bucket.arn_for_objects(f"{ARTIFACTS_PREFIX}*")],
            )
        )
        # Output (SSE-KMS, multipart needs Decrypt) and the job's ML storage volume, which SageMaker encrypts
        # through a grant it creates for the instance (kms:GrantIsForAWSResource).
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt", "kms:DescribeKey"],
                resources=[self.key.key_arn],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["kms:CreateGrant"],
                resources=[self.key.key_arn],
                conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
            )
        )
        grant_image_pull(self.role, image_repository_arns)
        log_group = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=PROCESSING_LOG_GROUP,
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        streams = f"{log_group}:log-stream:{job_name_prefix(project)}*"
        self.role.add_to_policy(iam.PolicyStatement(actions=["logs:CreateLogGroup"], resources=[log_group]))
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources=[streams],
            )
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken has no resource-level permissions (Service Authorization Reference); "
            "image layers are pulled only from the named repositories.",
        )
        acknowledge(
            self.role,
            f"AwsSolutions-IAM5[Resource::<{self.bucket_logical_id}.Arn>/{ARTIFACTS_PREFIX}*]",
            "A compile job writes the artifact files of its own job prefix, whose names the exporter chooses.",
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::"
            + arn_in_finding(
                self, "logs", f"log-group:{PROCESSING_LOG_GROUP}:log-stream:{job_name_prefix(project)}*"
            )
            + "]",
            "SageMaker names log streams <job name>/<host>-<time>; only streams of this project's compile jobs.",
        )


def bucket_name_prefix_of(bucket_name: str) -> str:
    """The literal part of a bucket name whose account and region are tokens."""
    return bucket_name.split("${Token", 1)[0]
