"""ops.preflight_checks: each check's PASS / WARN / FAIL decision from data, and the checklist's rendering."""

from __future__ import annotations

from typing import Any

import pytest

from lambdas.common import tags
from ops.preflight_checks import (
    REQUIRED_BOOTSTRAP_VERSION,
    CheckResult,
    Identity,
    InstanceNeed,
    Organization,
    Quota,
    SecretShape,
    Status,
    classify_secret_string,
    decide_bootstrap,
    decide_cost_allocation_tags,
    decide_endpoint_names,
    decide_hf_secret,
    decide_identity,
    decide_quota,
    endpoint_quota_name,
    exit_status,
    hf_token_secrets,
    instance_needs,
    render,
)
from stacks.config import Config
from tests.ops.conftest import MakeConfig

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
REGION = "us-east-1"


def test_instance_needs_sum_instances_max_per_type(make_config: MakeConfig) -> None:
    config = make_config()
    needs = instance_needs(config)
    assert [n.instance_type for n in needs] == sorted({e.instance_type for e in config.endpoints})
    for need in needs:
        using = [e for e in config.endpoints if e.instance_type == need.instance_type]
        assert need.instances == sum(e.instances.max for e in using)
        assert need.endpoints == tuple(config.endpoint_name(e) for e in using)


def test_two_endpoints_of_one_type_add_up(make_config: MakeConfig) -> None:
    def same_type(raw: dict[str, Any]) -> None:
        first = raw["endpoints"][0]
        raw["endpoints"].append({**first, "name": "copy", "instances": {"initial": 1, "min": 1, "max": 3}})

    config = make_config(same_type)
    first = config.endpoints[0]
    (need,) = [n for n in instance_needs(config) if n.instance_type == first.instance_type]
    assert need.instances >= first.instances.max + 3
    assert config.endpoint_name(config.endpoints[-1]) in need.endpoints


NEED = InstanceNeed("ml.inf2.xlarge", 6, ("p-a", "p-b"))


def test_quota_covering_the_need_passes() -> None:
    quota = Quota(endpoint_quota_name("ml.inf2.xlarge"), "L-1", 6.0, applied=True)
    result = decide_quota(NEED, quota, REGION)
    assert result.status is Status.PASS
    assert "6 (applied) >= 6 needed" in result.detail


def test_zero_default_quota_fails_with_the_request_to_make() -> None:
    quota = Quota("ml.inf2.xlarge for endpoint usage", "L-ABC", 0.0, applied=False)
    result = decide_quota(NEED, quota, REGION)
    assert result.status is Status.FAIL
    assert "0 (AWS default, no applied value) < 6 needed" in result.detail
    assert "'ml.inf2.xlarge for endpoint usage'" in result.fix
    assert "--quota-code L-ABC --desired-value 6 --region us-east-1" in result.fix


def test_a_quota_that_does_not_exist_in_the_region_fails() -> None:
    result = decide_quota(NEED, None, "eu-north-1")
    assert result.status is Status.FAIL
    assert "eu-north-1" in result.detail


@pytest.mark.parametrize(
    ("secret_string", "shape"),
    [
        ('{"HF_TOKEN": "hf_abc"}', SecretShape.OK),
        (None, SecretShape.BINARY),
        ("hf_abc", SecretShape.NOT_JSON),
        ('["hf_abc"]', SecretShape.NOT_OBJECT),
        ('{"token": "hf_abc"}', SecretShape.NO_KEY),
        ('{"HF_TOKEN": "  "}', SecretShape.EMPTY),
        ('{"HF_TOKEN": 42}', SecretShape.EMPTY),
    ],
)
def test_secret_shapes(secret_string: str | None, shape: SecretShape) -> None:
    assert classify_secret_string(secret_string) is shape


def test_secret_decisions_never_carry_the_value() -> None:
    ok = decide_hf_secret("hf/token", ["p-a"], classify_secret_string('{"HF_TOKEN": "hf_abc"}'), REGION)
    assert ok.status is Status.PASS
    missing = decide_hf_secret("hf/token", ["p-a"], None, REGION)
    assert missing.status is Status.FAIL
    assert "does not exist" in missing.detail
    assert "create-secret" in missing.fix
    assert "--name hf/token" in missing.fix
    wrong = decide_hf_secret("hf/token", ["p-a"], classify_secret_string('{"token": "hf_abc"}'), REGION)
    assert wrong.status is Status.FAIL
    assert "put-secret-value" in wrong.fix
    for result in (ok, missing, wrong):
        assert "hf_abc" not in f"{result.detail} {result.fix}"


def test_hf_token_secrets_group_endpoints_by_secret(make_config: MakeConfig) -> None:
    def with_secret(raw: dict[str, Any]) -> None:
        for endpoint in raw["endpoints"]:
            endpoint.setdefault("container", {})["hf_token_secret_name"] = "hf/token"

    config = make_config(with_secret)
    assert hf_token_secrets(config) == {"hf/token": tuple(config.endpoint_name(e) for e in config.endpoints)}
    assert hf_token_secrets(make_config(_no_secrets)) == {}


def _no_secrets(raw: dict[str, Any]) -> None:
    for endpoint in raw["endpoints"]:
        endpoint.get("container", {}).pop("hf_token_secret_name", None)


ALL_ACTIVE = dict.fromkeys(tags.COST_ALLOCATION_KEYS, "Active")


@pytest.mark.parametrize(
    ("organization", "tag_status", "status", "words"),
    [
        (Organization(None), {}, Status.PASS, "standalone account: the cost reporter activates"),
        (Organization(ACCOUNT), {tags.PROJECT: "Inactive"}, Status.PASS, "management account"),
        (Organization(OTHER_ACCOUNT), {}, Status.WARN, f"management account {OTHER_ACCOUNT}"),
        (Organization(OTHER_ACCOUNT), ALL_ACTIVE, Status.PASS, "are active"),
    ],
)
def test_cost_allocation_tags(
    organization: Organization, tag_status: dict[str, str], status: Status, words: str
) -> None:
    result = decide_cost_allocation_tags(ACCOUNT, organization, tag_status)
    assert result.status is status
    assert words in result.detail
    if status is Status.WARN:
        assert f"TagKey={tags.PROJECT},Status=Active" in result.fix


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (None, Status.FAIL),
        ("not-a-number", Status.FAIL),
        (str(REQUIRED_BOOTSTRAP_VERSION - 1), Status.FAIL),
        (str(REQUIRED_BOOTSTRAP_VERSION), Status.PASS),
        ("30", Status.PASS),
    ],
)
def test_bootstrap_version(value: str | None, status: Status) -> None:
    result = decide_bootstrap(value, ACCOUNT, REGION)
    assert result.status is status
    if status is Status.FAIL:
        assert result.fix.endswith(f"cdk bootstrap aws://{ACCOUNT}/{REGION}")


def _identity(account: str = ACCOUNT, credentials_region: str | None = REGION) -> Identity:
    return Identity(account, f"arn:aws:iam::{account}:user/me", credentials_region, REGION)


def _with_env(make_config: MakeConfig, account: str | None, region: str | None) -> Config:
    def edit(raw: dict[str, Any]) -> None:
        raw["env"] = {k: v for k, v in {"account": account, "region": region}.items() if v}

    return make_config(edit)


def test_identity_account_mismatch_fails(make_config: MakeConfig) -> None:
    config = _with_env(make_config, OTHER_ACCOUNT, REGION)
    account, region = decide_identity(_identity(), config)
    assert account.status is Status.FAIL
    assert OTHER_ACCOUNT in account.fix
    assert region.status is Status.PASS


def test_identity_region_mismatch_warns(make_config: MakeConfig) -> None:
    config = _with_env(make_config, ACCOUNT, REGION)
    account, region = decide_identity(_identity(credentials_region="eu-west-1"), config)
    assert account.status is Status.PASS
    assert region.status is Status.WARN
    assert f"--region {REGION}" in region.fix


def test_endpoint_names() -> None:
    wanted = ["p-free", "p-Ours", "p-taken"]
    existing = {"p-ours": "InService", "p-taken": "InService", "other": "InService"}
    free_and_ours, taken = decide_endpoint_names(wanted, existing, ["p-ours"], "stack", REGION)
    assert free_and_ours.status is Status.PASS
    assert "p-free free" in free_and_ours.detail
    assert "p-Ours managed by stack" in free_and_ours.detail
    assert (taken.status, taken.check) == (Status.FAIL, "endpoint p-taken")
    assert "delete-endpoint --region us-east-1 --endpoint-name p-taken" in taken.fix


def test_render_and_exit_status() -> None:
    results = [
        CheckResult(Status.PASS, "a", "fine", "unused"),
        CheckResult(Status.WARN, "b", "hmm", "look"),
        CheckResult(Status.FAIL, "c", "broken", "repair"),
    ]
    assert render(results) == (
        "PASS  a: fine\n"
        "WARN  b: hmm\n"
        "      fix: look\n"
        "FAIL  c: broken\n"
        "      fix: repair\n"
        "1 passed, 1 warning(s), 1 failed: blocked: fix the FAIL lines before cdk deploy\n"
    )
    assert exit_status(results) == 1
    assert exit_status(results[:2]) == 0
    assert render(results[:1]).endswith("1 passed, 0 warning(s), 0 failed: ready to deploy\n")
