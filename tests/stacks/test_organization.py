"""Organization mode: the CUR 2.0 Data Export, its bucket, the Glue table, the Athena workgroup and the
reporter's least-privilege rights on them, provisioned or existing (cdk-nag passes in the session synth)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from stacks.config import ConfigError, parse_config
from tests.conftest import ROOT
from tests.stacks.conftest import Synth


def _one(template: Any, kind: str) -> dict[str, Any]:
    [resource] = template.find_resources(kind).values()
    return resource["Properties"]  # type: ignore[no-any-return]


def _reporter(template: Any) -> dict[str, Any]:
    """The cost reporter's function (the cost stack also holds the capacity recorder's)."""
    [resource] = template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": "lambdas.cost_reporter.handler.lambda_handler"}}
    ).values()
    return resource["Properties"]  # type: ignore[no-any-return]


def _reporter_statements(template: Any) -> list[dict[str, Any]]:
    statements = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_data_export_is_cur2_hourly_parquet_with_resource_ids(synth: Synth) -> None:
    export = _one(synth.org["cost"], "AWS::BCMDataExports::Export")["Export"]
    assert export["Name"] == "infersave-orgcfg-cur2"
    query = export["DataQuery"]["QueryStatement"]
    for column in (
        "line_item_resource_id",
        "line_item_usage_account_id",
        "resource_tags",
        "line_item_unblended_cost",
    ):
        assert column in query
    config = export["DataQuery"]["TableConfigurations"]["COST_AND_USAGE_REPORT"]
    assert (config["TIME_GRANULARITY"], config["INCLUDE_RESOURCES"]) == ("HOURLY", "TRUE")
    output = export["DestinationConfigurations"]["S3Destination"]["S3OutputConfigurations"]
    assert output == {"Compression": "PARQUET", "Format": "PARQUET", "OutputType": "CUSTOM",
                      "Overwrite": "OVERWRITE_REPORT"}  # fmt: skip
    assert export["RefreshCadence"] == {"Frequency": "SYNCHRONOUS"}


def test_export_bucket_admits_data_exports_of_this_account_only(synth: Synth) -> None:
    policies = synth.org["cost"].find_resources("AWS::S3::BucketPolicy")
    delivery = [
        s
        for p in policies.values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "AllowDataExportsDelivery"
    ]
    [statement] = delivery
    assert sorted(statement["Principal"]["Service"]) == [
        "bcm-data-exports.amazonaws.com",
        "billingreports.amazonaws.com",
    ]
    assert sorted(statement["Action"]) == ["s3:GetBucketPolicy", "s3:PutObject"]
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert len(statement["Condition"]["StringLike"]["aws:SourceArn"]) == 2


def test_glue_table_projects_billing_period_over_the_export_folders(synth: Synth) -> None:
    table = _one(synth.org["cost"], "AWS::Glue::Table")["TableInput"]
    assert table["PartitionKeys"] == [{"Name": "billing_period", "Type": "string"}]
    parameters = table["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.billing_period.format"] == "yyyy-MM"
    template = parameters["storage.location.template"]
    assert "BILLING_PERIOD=${billing_period}/" in str(template)
    columns = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    assert columns["resource_tags"] == "map<string,string>"
    assert columns["line_item_usage_start_date"] == "timestamp"


def test_workgroup_encrypts_results_limits_scans_and_enforces(synth: Synth) -> None:
    workgroup = _one(synth.org["cost"], "AWS::Athena::WorkGroup")
    config = workgroup["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["BytesScannedCutoffPerQuery"] == 10_240 * 1024 * 1024
    assert config["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"
    assert config["EngineVersion"]["SelectedEngineVersion"] == "Athena engine version 3"


def test_reporter_reads_through_athena_with_scoped_rights(synth: Synth) -> None:
    env = _reporter(synth.org["cost"])["Environment"]["Variables"]
    assert (env["COST_SOURCE"], env["CUR_TABLE"], env["ATHENA_WORKGROUP"]) == (
        "athena",
        "data",
        "infersave-orgcfg-cur",
    )
    statements = {s.get("Sid"): s for s in _reporter_statements(synth.org["cost"]) if s.get("Sid")}
    athena = statements["RunCurQueries"]
    assert (
        "athena:StartQueryExecution" in athena["Action"] and "*" not in str(athena["Resource"]).split(":")[-1]
    )
    assert sorted(statements["ReadCurTable"]["Action"]) == ["glue:GetDatabase", "glue:GetTable"]
    assert statements["AssumeMemberReadRole"]["Resource"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::*:role/infersave-member-read"]]
    }
    for statement in _reporter_statements(synth.org["cost"]):
        for action in [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]:
            assert "*" not in action, statement


def test_existing_resources_are_named_not_created(synth: Synth) -> None:
    cost = synth.org_existing["cost"]
    for kind in ("AWS::BCMDataExports::Export", "AWS::Glue::Table", "AWS::Athena::WorkGroup"):
        assert cost.find_resources(kind) == {}
    env = _reporter(cost)["Environment"]["Variables"]
    assert (env["CUR_DATABASE"], env["CUR_TABLE"], env["ATHENA_WORKGROUP"]) == (
        "finops_cur",
        "cur2_data",
        "finops",
    )
    statements = {s.get("Sid"): s for s in _reporter_statements(cost) if s.get("Sid")}
    assert "finops-cur-123456789012/exports/cur2/*" in str(statements["ReadCurObjects"]["Resource"])
    assert statements["UseResultsKey"]["Resource"].endswith("444444444444")


def test_account_mode_has_no_cur_resources(synth: Synth) -> None:
    assert synth.default["cost"].find_resources("AWS::Athena::WorkGroup") == {}
    env = _reporter(synth.default["cost"])["Environment"]["Variables"]
    assert "COST_SOURCE" not in env


@pytest.mark.parametrize(
    ("organization", "extra", "message"),
    [
        ({"mode": "organization"}, {}, "organization.database: required with mode: organization"),
        ({"mode": "account", "workgroup": "x"}, {}, "organization.mode: account reads Cost Explorer"),
        (
            {"mode": "organization", "provision": True, "table": "t"},
            {},
            "organization.table: names an existing",
        ),
        (
            {"mode": "organization", "provision": True},
            {"env": {"region": "eu-west-1"}},
            "no AWS::BCMDataExports",
        ),
        (
            {"mode": "organization", "provision": True},
            {"reports": {"cost_metric": "AmortizedCost"}},
            "UnblendedCost",
        ),
    ],
)
def test_config_refuses_what_cannot_deploy(
    organization: dict[str, Any], extra: dict[str, Any], message: str
) -> None:
    raw = {**yaml.safe_load((ROOT / "infersave.yaml").read_text()), "organization": organization, **extra}
    with pytest.raises(ConfigError, match=message):
        parse_config(raw)


def test_cfn_lint_accepts_the_organization_cost_stacks(synth: Synth) -> None:
    for template in (synth.org["cost"], synth.org_existing["cost"]):
        matches = lint(
            json.dumps(template.to_json()), config=ManualArgs(regions=["us-east-1"], ignore_checks=["W3005"])
        )
        assert [str(m) for m in matches] == []


def test_reporter_role_arn_is_an_output_for_the_member_role_template(synth: Synth) -> None:
    assert "ReporterRoleArn" in synth.org["cost"].find_outputs("*")
    assert "ReporterRoleArn" not in synth.default["cost"].find_outputs("*")
