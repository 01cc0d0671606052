"""One synth per test session: the default config and a config exercising every preset, in one App."""

from __future__ import annotations

import json
from dataclasses import dataclass

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from stacks.app_builder import build_app
from stacks.config import Config, load_config
from stacks.inference_stack import InferenceStack
from stacks.nag import enable_nag
from tests.conftest import FIXTURES, ROOT

ENV = cdk.Environment(account="123456789012", region="us-east-1")


@dataclass(frozen=True)
class Synth:
    """Configs and synthesized templates, keyed by stack role ("inference", ...)."""

    default_config: Config
    full_config: Config
    default: dict[str, Template]
    full: dict[str, Template]


@pytest.fixture(scope="session")
def synth() -> Synth:
    """Synthesize both configs once (cdk-nag runs: an unacknowledged finding fails here)."""
    # The same feature flags as `cdk synth` (cdk.json), no asset bundling.
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    app = cdk.App(context={**context, "aws:cdk:bundling-stacks": []})
    enable_nag(app)
    default_config = load_config(ROOT / "infersave.yaml")
    full_config = load_config(FIXTURES / "full.yaml")
    default_stacks = build_app(app, default_config, env=ENV)
    full_stacks = build_app(app, full_config, env=ENV, local=True)
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
    )
