"""ops.preflight against moto with the emulator: each check's paths through the real AWS reads."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from lambdas.common import tags
from ops import preflight_aws
from ops.preflight import inference_stack_name, run_checks
from ops.preflight_aws import Clients, PaginationError, pages
from ops.preflight_checks import (
    REQUIRED_BOOTSTRAP_VERSION,
    CheckResult,
    Status,
    endpoint_quota_name,
    instance_needs,
)
from tests.ops.conftest import MakeConfig, bootstrap, grant_quotas

TOKEN = "hf_secret_never_printed"


def by_check(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.check: r for r in results}


def quota_check(instance_type: str) -> str:
    return f"quota {endpoint_quota_name(instance_type)!r}"


def test_fresh_account_fails_on_zero_quotas_and_no_bootstrap(
    make_config: MakeConfig, clients: Clients
) -> None:
    config = make_config()
    results = by_check(run_checks(config, clients))
    for need in instance_needs(config):
        quota = results[quota_check(need.instance_type)]
        assert quota.status is Status.FAIL
        assert f"< {need.instances} needed" in quota.detail
        assert f"--desired-value {need.instances}" in quota.fix
    assert results["cdk bootstrap"].status is Status.FAIL
    assert results["account"].status is Status.PASS
    assert results["endpoint names"].status is Status.PASS
    # moto has no ce:ListCostAllocationTags: could not check, which is a warning, not a blocker.
    assert results["cost allocation tags"].status is Status.WARN
    assert "could not check" in results["cost allocation tags"].detail


def test_quotas_raised_and_bootstrapped_account_passes(make_config: MakeConfig, clients: Clients) -> None:
    config = make_config()
    grant_quotas(clients, config)
    bootstrap(clients)
    results = run_checks(config, clients)
    assert [r for r in results if r.status is Status.FAIL] == []
    for need in instance_needs(config):
        assert "(applied)" in by_check(results)[quota_check(need.instance_type)].detail


def test_quotas_are_found_across_pages_applied_first_then_defaults(
    make_config: MakeConfig, clients: Clients
) -> None:
    config = make_config()
    needs = instance_needs(config)
    names = [endpoint_quota_name(n.instance_type) for n in needs]
    sq = clients.service_quotas
    defaults = {
        q["QuotaName"]: q for q in sq.list_aws_default_service_quotas(ServiceCode="sagemaker")["Quotas"]
    }
    sq.request_service_quota_increase(
        ServiceCode="sagemaker", QuotaCode=defaults[names[0]]["QuotaCode"], DesiredValue=1
    )
    found = preflight_aws.read_quotas(sq, [*names, "ml.inf2.nosuch for endpoint usage"], page_size=1)
    assert set(found) == set(names)
    assert (found[names[0]].value, found[names[0]].applied) == (1.0, True)
    assert all(not found[name].applied for name in names[1:])


def test_a_quota_below_the_need_fails(make_config: MakeConfig, clients: Clients) -> None:
    config = make_config()
    need = max(instance_needs(config), key=lambda n: n.instances)
    sq = clients.service_quotas
    defaults = {
        q["QuotaName"]: q for q in sq.list_aws_default_service_quotas(ServiceCode="sagemaker")["Quotas"]
    }
    code = defaults[endpoint_quota_name(need.instance_type)]["QuotaCode"]
    sq.request_service_quota_increase(
        ServiceCode="sagemaker", QuotaCode=code, DesiredValue=need.instances - 1
    )
    result = by_check(run_checks(config, clients))[quota_check(need.instance_type)]
    assert result.status is Status.FAIL
    assert f"{need.instances - 1} (applied) < {need.instances} needed" in result.detail


def _with_secret(raw: dict[str, Any]) -> None:
    raw["endpoints"][0].setdefault("container", {})["hf_token_secret_name"] = "infersave/hf-token"


@pytest.mark.parametrize(
    ("secret_string", "status"),
    [(None, Status.FAIL), (json.dumps({"HF_TOKEN": TOKEN}), Status.PASS), (TOKEN, Status.FAIL)],
)
def test_hf_token_secret(
    make_config: MakeConfig, clients: Clients, secret_string: str | None, status: Status
) -> None:
    config = make_config(_with_secret)
    if secret_string is not None:
        clients.secretsmanager.create_secret(Name="infersave/hf-token", SecretString=secret_string)
    results = run_checks(config, clients)
    result = by_check(results)["secret 'infersave/hf-token'"]
    assert result.status is status
    assert TOKEN not in "".join(f"{r.detail} {r.fix}" for r in results)


class FakeCostExplorer:
    """ce:ListCostAllocationTags, which moto does not implement, answering two pages."""

    def __init__(self, statuses: dict[str, str]) -> None:
        self.statuses = statuses
        self.calls: list[dict[str, Any]] = []

    def list_cost_allocation_tags(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        items = [{"TagKey": k, "Type": "UserDefined", "Status": v} for k, v in self.statuses.items()]
        if "NextToken" not in kwargs:
            return {"CostAllocationTags": items[:1], "NextToken": "page2"}
        return {"CostAllocationTags": items[1:]}


def test_cost_allocation_tags_standalone_and_management_account(
    make_config: MakeConfig, clients: Clients
) -> None:
    config = make_config()
    fake = FakeCostExplorer({tags.PROJECT: "Inactive", tags.ENDPOINT: "Active"})
    clients = Clients(**{**clients.__dict__, "ce": fake})
    standalone = by_check(run_checks(config, clients))["cost allocation tags"]
    assert standalone.status is Status.PASS
    assert "standalone account" in standalone.detail
    assert f"{tags.PROJECT} (Inactive)" in standalone.detail
    assert fake.calls[0]["TagKeys"] == list(tags.COST_ALLOCATION_KEYS)
    assert len(fake.calls) == 2
    clients.organizations.create_organization(FeatureSet="ALL")  # this account becomes the management account
    management = by_check(run_checks(config, clients))["cost allocation tags"]
    assert management.status is Status.PASS
    assert "management account" in management.detail


def test_bootstrap_too_old_fails(make_config: MakeConfig, clients: Clients) -> None:
    bootstrap(clients, REQUIRED_BOOTSTRAP_VERSION - 1)
    result = by_check(run_checks(make_config(), clients))["cdk bootstrap"]
    assert result.status is Status.FAIL
    assert "upgrade" in result.fix


def _endpoint_template(name: str, instance_type: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Model": {
                "Type": "AWS::SageMaker::Model",
                "Properties": {
                    "ModelName": f"{name}-model",
                    "ExecutionRoleArn": "arn:aws:iam::123456789012:role/sagemaker",
                    "PrimaryContainer": {"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/hf:latest"},
                },
            },
            "Config": {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {
                    "ProductionVariants": [
                        {
                            "VariantName": "AllTraffic",
                            "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
                            "InstanceType": instance_type,
                            "InitialInstanceCount": 1,
                        }
                    ]
                },
            },
            "Endpoint": {
                "Type": "AWS::SageMaker::Endpoint",
                "Properties": {
                    "EndpointName": name,
                    "EndpointConfigName": {"Fn::GetAtt": ["Config", "EndpointConfigName"]},
                },
            },
        }
    }


def test_an_endpoint_name_taken_outside_the_stack_fails(make_config: MakeConfig, clients: Clients) -> None:
    config = make_config()
    first, second = config.endpoints[0], config.endpoints[1]
    cfn = boto3.client("cloudformation", region_name=clients.region)
    # The first endpoint deployed by the project's inference stack (a later deploy updates it) ...
    cfn.create_stack(
        StackName=inference_stack_name(config),
        TemplateBody=json.dumps(_endpoint_template(config.endpoint_name(first), first.instance_type)),
    )
    # ... the second one's name taken by a leftover stack.
    cfn.create_stack(
        StackName="someone-else",
        TemplateBody=json.dumps(_endpoint_template(config.endpoint_name(second), second.instance_type)),
    )
    results = run_checks(config, clients)
    names = by_check(results)["endpoint names"]
    assert names.status is Status.PASS
    assert f"{config.endpoint_name(first)} managed by {inference_stack_name(config)}" in names.detail
    taken = by_check(results)[f"endpoint {config.endpoint_name(second)}"]
    assert taken.status is Status.FAIL
    assert f"--endpoint-name {config.endpoint_name(second)}" in taken.fix


def test_pages_stop_on_a_repeated_token_and_at_the_bound() -> None:
    with pytest.raises(PaginationError, match="twice"):
        list(pages(lambda token: {"NextToken": "same"}))
    counter = iter(range(100))
    with pytest.raises(PaginationError, match="more than 3 pages"):
        list(pages(lambda token: {"NextToken": str(next(counter))}, max_pages=3))
    assert list(pages(lambda token: {"Items": [token]})) == [{"Items": [None]}]


def test_credentials_of_another_account_fail(make_config: MakeConfig, clients: Clients) -> None:
    def other_account(raw: dict[str, Any]) -> None:
        raw.setdefault("env", {})["account"] = "210987654321"

    result = by_check(run_checks(make_config(other_account), clients))["account"]
    assert result.status is Status.FAIL
    assert "credentials are for account 123456789012" in result.detail
    assert "env.account is 210987654321" in result.detail


def test_each_endpoint_is_checked_against_the_endpoint_stack_that_holds_it(
    make_config: MakeConfig, clients: Clients
) -> None:
    def pin_second(raw: dict[str, Any]) -> None:
        raw["endpoints"][1]["shard"] = 1

    config = make_config(pin_second)
    first, second = config.endpoints[0], config.endpoints[1]
    cfn = boto3.client("cloudformation", region_name=clients.region)
    # The second endpoint in stack 1, where its pin puts it; the first in stack 2 (where an old pin had put
    # it): bringing it back to stack 0 would fail, its name is still taken by stack 2.
    cfn.create_stack(
        StackName=f"{inference_stack_name(config)}-1",
        TemplateBody=json.dumps(_endpoint_template(config.endpoint_name(second), second.instance_type)),
    )
    cfn.create_stack(
        StackName=f"{inference_stack_name(config)}-2",
        TemplateBody=json.dumps(_endpoint_template(config.endpoint_name(first), first.instance_type)),
    )

    results = run_checks(config, clients)

    # One line per endpoint stack holding configured endpoints.
    passed = [r.detail for r in results if r.check == "endpoint names" and r.status is Status.PASS]
    assert f"{config.endpoint_name(second)} managed by {inference_stack_name(config)}-1 (update)" in passed
    moved = by_check(results)[f"endpoint {config.endpoint_name(first)}"]
    assert moved.status is Status.FAIL
    assert f"outside stack {inference_stack_name(config)};" in moved.detail
