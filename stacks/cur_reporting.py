"""``CurReporting``: the organization report's CUR 2.0 pipeline and the reporter's rights on it.

With ``organization.provision: true`` it creates, in the cost stack:

- the export bucket (TLS-only, private, access-logged, SSE-S3) whose policy lets Data Exports deliver: principals
  ``billingreports.amazonaws.com`` and ``bcm-data-exports.amazonaws.com``, ``s3:PutObject`` and
  ``s3:GetBucketPolicy``, conditioned on this account (``aws:SourceAccount``) and its exports / report
  definitions (``aws:SourceArn``) (AWS Data Exports user guide, "Setting up an Amazon S3 bucket for data
  exports"). It is not KMS-encrypted with the project key: that policy grants the services no KMS rights and no
  AWS document found states that Data Exports writes with a customer key, so SSE-S3 keeps delivery working;
- the Data Export (``AWS::BCMDataExports::Export``, properties as cfn-lint 1.58.0's schema): CUR 2.0
  (``COST_AND_USAGE_REPORT``) with resource ids, hourly, Parquet, overwritten daily (``SYNCHRONOUS``), to
  ``s3://<bucket>/<prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/`` ("Understanding export delivery");
- a Glue database and table over those folders with partition projection on ``billing_period`` (Athena user
  guide, "Partition projection": type date, format yyyy-MM, ``storage.location.template``), so queries read
  only the months they name and no crawler or MSCK REPAIR is needed;
- the Athena workgroup (engine version 3): results in a KMS-encrypted, access-logged bucket (SSE_KMS with the
  project key), ``EnforceWorkGroupConfiguration`` (clients cannot override location, encryption or limit),
  ``BytesScannedCutoffPerQuery`` (Athena minimum 10 MB), CloudWatch metrics.

Otherwise it grants the reporter the same rights on the resources the config names. Either way the reporter
reads with ``COST_SOURCE=athena`` and may assume ``organization.member_role_name`` in member accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_athena as athena
from aws_cdk import aws_bcmdataexports as bcm
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.config import Config
from stacks.logged_bucket import LoggedBucket
from stacks.nag import acknowledge

#: The CUR 2.0 columns the export selects and the Glue table declares (CUR 2.0 table dictionary; the export's
#: SQL must name its columns: Data Exports accepts no ``SELECT *``). Types as Athena reads the Parquet.
CUR_COLUMNS = {
    "bill_billing_period_start_date": "timestamp",
    "bill_payer_account_id": "string",
    "line_item_usage_account_id": "string",
    "line_item_line_item_type": "string",
    "line_item_usage_start_date": "timestamp",
    "line_item_usage_end_date": "timestamp",
    "line_item_product_code": "string",
    "line_item_usage_type": "string",
    "line_item_operation": "string",
    "line_item_resource_id": "string",
    "line_item_usage_amount": "double",
    "line_item_currency_code": "string",
    "line_item_unblended_cost": "double",
    "resource_tags": "map<string,string>",
}
TABLE_NAME = "data"
#: The first billing period partition projection offers (CUR 2.0 became available in 2023-11).
PROJECTION_START = "2023-11"


@dataclass(frozen=True)
class CurNames:
    """The resources the reporter reads through (created here or named in the config)."""

    database: str
    table: str
    workgroup: str
    export_bucket: str
    prefix: str
    results_bucket: str
    key_arn: str | None
    member_role: str
    #: The buckets' ARNs as the template writes them, and as cdk-nag prints them in a finding.
    export_arn: str
    results_arn: str
    export_arn_in_finding: str
    results_arn_in_finding: str

    @property
    def objects(self) -> str:
        """The export's objects: ``<prefix>/*`` (or ``*`` without a prefix)."""
        return f"{self.prefix}/*" if self.prefix else "*"


def _logical_id(bucket: s3.IBucket) -> str:
    child = bucket.node.default_child
    assert isinstance(child, cdk.CfnElement), "a bucket of this app"
    return cdk.Stack.of(child).get_logical_id(child)


def glue_database_name(project: str) -> str:
    """``infersave_<project>_cur``: Glue names are lower case with ``_``."""
    return f"infersave_{project.lower().replace('-', '_')}_cur"


class CurReporting(Construct):
    """Exposes ``environment`` (the reporter's variables) and, when provisioned, ``export``, ``table``,
    ``workgroup``, ``export_bucket``, ``results_bucket``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: Config,
        key: kms.IKey,
        function: lambda_.Function,
    ) -> None:
        super().__init__(scope, construct_id)
        org = config.organization
        stack = cdk.Stack.of(self)
        role = function.role
        assert role is not None, "infersave functions have their own role"
        if org.provision:
            names = self._provision(config, key)
        else:
            assert org.database and org.table and org.workgroup and org.export_bucket and org.results_bucket
            names = CurNames(
                database=org.database,
                table=org.table,
                workgroup=org.workgroup,
                export_bucket=org.export_bucket,
                prefix=org.export_prefix.strip("/"),
                results_bucket=org.results_bucket,
                key_arn=org.kms_key_arn,
                member_role=org.member_role_name,
                export_arn=f"arn:{stack.partition}:s3:::{org.export_bucket}",
                results_arn=f"arn:{stack.partition}:s3:::{org.results_bucket}",
                export_arn_in_finding=f"arn:<AWS::Partition>:s3:::{org.export_bucket}",
                results_arn_in_finding=f"arn:<AWS::Partition>:s3:::{org.results_bucket}",
            )
        self.names = names
        self.environment = {
            "COST_SOURCE": "athena",
            "ATHENA_WORKGROUP": names.workgroup,
            "CUR_DATABASE": names.database,
            "CUR_TABLE": names.table,
            "MEMBER_ROLE_NAME": names.member_role,
        }
        if org.member_external_id:
            self.environment["MEMBER_EXTERNAL_ID"] = org.member_external_id
        for name, value in self.environment.items():
            function.add_environment(name, value)
        self._grant(role, stack, names)

    def _provision(self, config: Config, key: kms.IKey) -> CurNames:
        stack = cdk.Stack.of(self)
        org = config.organization
        export_name = f"infersave-{config.project}-cur2"
        prefix = org.export_prefix.strip("/")
        exports = LoggedBucket(
            self, "Export", bucket_id="Cur", key=None, log_prefix="cur-bucket/", versioned=False,
            lifecycle_rules=[s3.LifecycleRule(id="abort-uploads", abort_incomplete_multipart_upload_after=cdk.Duration.days(7))],
        )  # fmt: skip
        self.export_bucket = exports.bucket
        delivery = iam.PolicyStatement(
            sid="AllowDataExportsDelivery",
            principals=[
                iam.ServicePrincipal("billingreports.amazonaws.com"),
                iam.ServicePrincipal("bcm-data-exports.amazonaws.com"),
            ],
            actions=["s3:PutObject", "s3:GetBucketPolicy"],
            resources=[self.export_bucket.bucket_arn, self.export_bucket.arn_for_objects("*")],
            conditions={
                "StringLike": {
                    "aws:SourceArn": [
                        f"arn:{stack.partition}:cur:us-east-1:{stack.account}:definition/*",
                        f"arn:{stack.partition}:bcm-data-exports:us-east-1:{stack.account}:export/*",
                    ]
                },
                "StringEquals": {"aws:SourceAccount": stack.account},
            },
        )
        self.export_bucket.add_to_resource_policy(delivery)
        query = f"SELECT {', '.join(CUR_COLUMNS)} FROM COST_AND_USAGE_REPORT"  # noqa: S608 - constant names
        self.export = bcm.CfnExport(
            self,
            "DataExport",
            export=bcm.CfnExport.ExportProperty(
                name=export_name,
                description=f"infersave {config.project}: CUR 2.0 for the organization cost report",
                data_query=bcm.CfnExport.DataQueryProperty(
                    query_statement=query,
                    table_configurations={
                        "COST_AND_USAGE_REPORT": {
                            "TIME_GRANULARITY": "HOURLY",
                            "INCLUDE_RESOURCES": "TRUE",
                            "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "FALSE",
                            "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE",
                        }
                    },
                ),
                destination_configurations=bcm.CfnExport.DestinationConfigurationsProperty(
                    s3_destination=bcm.CfnExport.S3DestinationProperty(
                        s3_bucket=self.export_bucket.bucket_name,
                        s3_prefix=prefix,
                        s3_region=stack.region,
                        s3_output_configurations=bcm.CfnExport.S3OutputConfigurationsProperty(
                            compression="PARQUET",
                            format="PARQUET",
                            output_type="CUSTOM",
                            overwrite="OVERWRITE_REPORT",
                        ),
                    )
                ),
                refresh_cadence=bcm.CfnExport.RefreshCadenceProperty(frequency="SYNCHRONOUS"),
            ),
        )
        policy = self.export_bucket.policy
        assert policy is not None
        self.export.node.add_dependency(policy)  # Data Exports checks the bucket policy on creation

        database = glue_database_name(config.project)
        glue_db = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=database, description=f"infersave {config.project}: CUR 2.0 Data Export"
            ),
        )
        location = (
            f"s3://{self.export_bucket.bucket_name}/{prefix + '/' if prefix else ''}{export_name}/data/"
        )
        self.table = glue.CfnTable(
            self,
            "Table",
            catalog_id=stack.account,
            database_name=database,
            table_input=glue.CfnTable.TableInputProperty(
                name=TABLE_NAME,
                table_type="EXTERNAL_TABLE",
                parameters={
                    "classification": "parquet",
                    "projection.enabled": "true",
                    "projection.billing_period.type": "date",
                    "projection.billing_period.format": "yyyy-MM",
                    "projection.billing_period.range": f"{PROJECTION_START},NOW",
                    "projection.billing_period.interval": "1",
                    "projection.billing_period.interval.unit": "MONTHS",
                    "storage.location.template": location + "BILLING_PERIOD=${billing_period}/",
                },
                partition_keys=[glue.CfnTable.ColumnProperty(name="billing_period", type="string")],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=location,
                    input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                    ),
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in CUR_COLUMNS.items()],
                ),
            ),
        )
        self.table.node.add_dependency(glue_db)

        results = LoggedBucket(
            self, "Results", bucket_id="AthenaResults", key=key, log_prefix="athena-results-bucket/",
            versioned=False,
            lifecycle_rules=[s3.LifecycleRule(id="expire-query-results", expiration=cdk.Duration.days(30),
                                              abort_incomplete_multipart_upload_after=cdk.Duration.days(1))],
        )  # fmt: skip
        self.results_bucket = results.bucket
        workgroup = f"infersave-{config.project}-cur"
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=workgroup,
            description=f"infersave {config.project}: the organization cost report's queries",
            state="ENABLED",
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=org.bytes_scanned_cutoff_mb * 1024 * 1024,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.results_bucket.bucket_name}/athena/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=key.key_arn
                    ),
                ),
            ),
        )
        return CurNames(
            database=database,
            table=TABLE_NAME,
            workgroup=workgroup,
            export_bucket=self.export_bucket.bucket_name,
            prefix=prefix,
            results_bucket=self.results_bucket.bucket_name,
            key_arn=key.key_arn,
            member_role=org.member_role_name,
            export_arn=self.export_bucket.bucket_arn,
            results_arn=self.results_bucket.bucket_arn,
            export_arn_in_finding=f"<{_logical_id(self.export_bucket)}.Arn>",
            results_arn_in_finding=f"<{_logical_id(self.results_bucket)}.Arn>",
        )

    def _grant(self, role: iam.IRole, stack: cdk.Stack, names: CurNames) -> None:
        arn = stack.format_arn
        statements = [
            iam.PolicyStatement(
                sid="RunCurQueries",
                actions=[
                    "athena:StartQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:GetQueryResults",
                    "athena:StopQueryExecution",
                ],
                resources=[arn(service="athena", resource="workgroup", resource_name=names.workgroup)],
            ),
            # Athena reads the table definition with the caller's rights (Athena user guide, "Fine-grained
            # access to databases and tables in the AWS Glue Data Catalog"): the catalog, the database, the table.
            iam.PolicyStatement(
                sid="ReadCurTable",
                actions=["glue:GetDatabase", "glue:GetTable"],
                resources=[
                    arn(service="glue", resource="catalog"),
                    arn(service="glue", resource="database", resource_name=names.database),
                    arn(service="glue", resource="table", resource_name=f"{names.database}/{names.table}"),
                ],
            ),
            iam.PolicyStatement(
                sid="ReadCurObjects",
                actions=["s3:GetObject"],
                resources=[f"{names.export_arn}/{names.objects}"],
            ),
            iam.PolicyStatement(
                sid="ListCurAndResultBuckets",
                actions=["s3:ListBucket", "s3:GetBucketLocation"],
                resources=[
                    names.export_arn,
                    names.results_arn,
                ],
            ),
            # Athena writes and reads the query results with the caller's rights (Athena user guide, "Access
            # to Amazon S3": GetObject, PutObject, ListMultipartUploadParts, AbortMultipartUpload on the results).
            iam.PolicyStatement(
                sid="WriteQueryResults",
                actions=[
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:ListMultipartUploadParts",
                    "s3:AbortMultipartUpload",
                ],
                resources=[f"{names.results_arn}/athena/*"],
            ),
            # Member accounts are not known at synth: any account, only the member role's name; the role's own
            # trust policy admits this reporter role only, with the external id (org/member-read-role.yaml).
            iam.PolicyStatement(
                sid="AssumeMemberReadRole",
                actions=["sts:AssumeRole"],
                resources=[f"arn:{stack.partition}:iam::*:role/{names.member_role}"],
            ),
        ]
        if names.key_arn:
            statements.append(
                iam.PolicyStatement(
                    sid="UseResultsKey",
                    actions=["kms:GenerateDataKey", "kms:Decrypt"],
                    resources=[names.key_arn],
                )
            )
        for statement in statements:
            role.add_to_principal_policy(statement)
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{names.export_arn_in_finding}/{names.objects}]",
            "The reporter reads the CUR export's objects under its prefix; their keys change every billing period.",
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{names.results_arn_in_finding}/athena/*]",
            "Athena writes each query's results under athena/ with the caller's rights; keys are query ids.",
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/{names.member_role}]",
            "Member accounts are unknown at synth; only this role name, whose trust admits this reporter role.",
        )
