"""The member-read role template (org/member-read-role.yaml): cfn-lint clean, trust limited to the reporter
role with the external id (and the organization when given), read-only permissions."""

from __future__ import annotations

from typing import Any

import yaml
from cfnlint.api import ManualArgs, lint

from tests.conftest import ROOT

TEMPLATE = ROOT / "org" / "member-read-role.yaml"


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags kept as {"Fn::...": value}."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        return {name: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {name: loader.construct_sequence(node, deep=True)}
    return {name: loader.construct_mapping(node, deep=True)}  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _tag)


def _template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_Loader)


def test_cfn_lint_accepts_it_in_every_commercial_region_we_deploy() -> None:
    matches = lint(
        TEMPLATE.read_text(encoding="utf-8"),
        config=ManualArgs(regions=["us-east-1", "eu-west-1", "ap-south-2"]),
    )
    assert [str(m) for m in matches] == []


def test_trust_is_the_reporter_role_with_the_external_id() -> None:
    role = _template()["Resources"]["MemberReadRole"]["Properties"]
    [statement] = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"AWS": {"Ref": "ReporterRoleArn"}}
    with_org, without_org = statement["Condition"]["Fn::If"][1:]
    assert with_org["StringEquals"] == {
        "sts:ExternalId": {"Ref": "ExternalId"},
        "aws:PrincipalOrgID": {"Ref": "OrganizationId"},
    }
    assert without_org["StringEquals"] == {"sts:ExternalId": {"Ref": "ExternalId"}}


def test_permissions_are_read_only() -> None:
    role = _template()["Resources"]["MemberReadRole"]["Properties"]
    actions = [a for p in role["Policies"] for s in p["PolicyDocument"]["Statement"] for a in s["Action"]]
    assert sorted(actions) == ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "tag:GetResources"]
