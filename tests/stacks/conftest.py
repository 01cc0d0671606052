"""One synth per test session, in one App: the default config, a config exercising every preset, one config
per billing-stack layout (budget in the billing stack with and without the cross-region breach switch), and a
config spread over several endpoint stacks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from stacks.app_builder import build_app
from stacks.config import Config, load_config, parse_config
from stacks.inference_stack import InferenceStack
from stacks.nag import enable_nag
from tests.conftest import FIXTURES, ROOT

ENV = cdk.Environment(account="123456789012", region="us-east-1")
ORG_PROVISION = {"mode": "organization", "provision": True}
ORG_EXISTING = {
    "mode": "organization",
    "database": "finops_cur",
    "table": "cur2_data",
    "workgroup": "finops",
    "export_bucket": "finops-cur-123456789012",
    "export_prefix": "exports/cur2",
    "results_bucket": "finops-athena-results-123456789012",
    "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/00000000-1111-2222-3333-444444444444",
}


@dataclass(frozen=True)
class Synth:
    """Configs and synthesized templates, keyed by stack role ("inference", ..., "billing" where there is one)."""

    default_config: Config
    full_config: Config
    default: dict[str, Template]
    full: dict[str, Template]
    #: eu-north-1 (no Budgets, enabled by default): billing stack in us-east-1, cross-region breach switch.
    billing_config: Config
    billing: dict[str, Template]
    #: ap-south-2 (no Budgets, opt-in): billing stack in us-east-1, no breach switch.
    opt_in_config: Config
    opt_in: dict[str, Template]
    #: The default config in ``organization`` mode: resources provisioned, and existing ones named.
    org_config: Config
    org: dict[str, Template]
    org_existing_config: Config
    org_existing: dict[str, Template]
    #: Six endpoints over endpoint stacks 0, 1, 2 and a pinned 5 (roles "inference", "inference-1", ...).
    sharded_config: Config
    sharded: dict[str, Template]


def _opt_in_variant(raw: dict[str, Any]) -> Config:
    """The billing fixture moved to an opt-in region, where the config refuses the breach switch."""
    raw = {**raw, "project": "optcfg", "env": {"region": "ap-south-2"}}
    raw["budget"] = {**raw["budget"], "breach_switch": {"enabled": False}}
    return parse_config(raw)


@pytest.fixture(scope="session")
def synth() -> Synth:
    """Synthesize both configs once (cdk-nag runs: an unacknowledged finding fails here)."""
    # The same feature flags as `cdk synth` (cdk.json), no asset bundling.
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    # Path metadata on (as the CLI writes it): tests/stacks/test_limits.py attributes resources to endpoints by it.
    app = cdk.App(context={**context, "aws:cdk:bundling-stacks": [], "aws:cdk:enable-path-metadata": True})
    enable_nag(app)
    default_config = load_config(ROOT / "infersave.yaml")
    full_config = load_config(FIXTURES / "full.yaml")
    default_stacks = build_app(app, default_config, env=ENV)
    full_stacks = build_app(app, full_config, env=ENV, local=True)
    billing_raw = yaml.safe_load((FIXTURES / "billing.yaml").read_text())
    billing_config = parse_config(billing_raw)
    opt_in_config = _opt_in_variant(billing_raw)
    billing_stacks = build_app(
        app, billing_config, env=cdk.Environment(account=ENV.account, region=billing_config.env.region)
    )
    opt_in_stacks = build_app(
        app, opt_in_config, env=cdk.Environment(account=ENV.account, region=opt_in_config.env.region)
    )
    default_raw = yaml.safe_load((ROOT / "infersave.yaml").read_text())
    org_config = parse_config({**default_raw, "project": "orgcfg", "organization": ORG_PROVISION})
    org_existing_config = parse_config({**default_raw, "project": "orgext", "organization": ORG_EXISTING})
    org_stacks = build_app(app, org_config, env=ENV)
    org_existing_stacks = build_app(app, org_existing_config, env=ENV)
    sharded_config = load_config(FIXTURES / "sharded.yaml")
    sharded_stacks = build_app(app, sharded_config, env=ENV)
    # A consumer of grant_invoke, as an application stack would be.
    inference = full_stacks["inference"]
    assert isinstance(inference, InferenceStack)
    invoker = iam.Role(inference, "TestInvoker", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    inference.endpoints["vllm"].grant_invoke(invoker)
    app.synth()
    return Synth(
        default_config=default_config,
        full_config=full_config,
        default={role: Template.from_stack(stack) for role, stack in default_stacks.items()},
        full={role: Template.from_stack(stack) for role, stack in full_stacks.items()},
        billing_config=billing_config,
        billing={role: Template.from_stack(stack) for role, stack in billing_stacks.items()},
        opt_in_config=opt_in_config,
        opt_in={role: Template.from_stack(stack) for role, stack in opt_in_stacks.items()},
        org_config=org_config,
        org={role: Template.from_stack(stack) for role, stack in org_stacks.items()},
        org_existing_config=org_existing_config,
        org_existing={role: Template.from_stack(stack) for role, stack in org_existing_stacks.items()},
        sharded_config=sharded_config,
        sharded={role: Template.from_stack(stack) for role, stack in sharded_stacks.items()},
    )
