"""Builds every infersave stack into an App; shared by ``app.py``, the tests and the benchmark."""

from __future__ import annotations

import aws_cdk as cdk

from lambdas.common import tags
from lambdas.common.catalog import load_catalog
from stacks.billing_stack import BillingStack
from stacks.calibration_stack import CalibrationStack, calibration_stack_name
from stacks.config import Config
from stacks.config.regions import billing_region
from stacks.config.shards import endpoint_stack_name, endpoints_by_shard
from stacks.cost_stack import CostStack
from stacks.estimate import estimate
from stacks.guardrails_stack import GuardrailsStack
from stacks.inference_stack import InferenceStack


def build_app(
    app: cdk.App,
    config: Config,
    *,
    env: cdk.Environment,
    local: bool = False,
    legacy_scaling_ids: bool = False,
) -> dict[str, cdk.Stack]:
    """Add the project's stacks to ``app``; returns them by role ("billing" only where the endpoints' region has
    no Budgets or Cost Anomaly Detection types; "inference-<k>" for each further endpoint stack that holds an
    endpoint, :mod:`stacks.config.shards`). Call ``enable_nag(app)`` once per app.

    ``legacy_scaling_ids``: see ``EndpointAutoscaling`` (upgrading stacks deployed before the scaling gate).
    """
    synthesizer = cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=not local)
    prefix = f"infersave-{config.project}"
    billing_home = billing_region(env.region) if env.region else None
    billing = None
    if billing_home:
        billing = BillingStack(
            app,
            f"{prefix}-billing",
            config=config,
            env=cdk.Environment(account=env.account, region=billing_home),
            synthesizer=synthesizer,
            description=f"infersave: budget and anomaly alerts of project {config.project} ({env.region} has none)",
        )
    by_shard = endpoints_by_shard(config)
    inference = InferenceStack(
        app,
        endpoint_stack_name(config.project, 0),
        config=config,
        endpoints=by_shard[0],
        legacy_scaling_ids=legacy_scaling_ids,
        env=env,
        synthesizer=synthesizer,
        description=f"infersave: Inferentia2 endpoints of project {config.project}",
    )
    guardrails = GuardrailsStack(
        app,
        f"{prefix}-guardrails",
        config=config,
        estimate=estimate(config, load_catalog()),
        billing_region=billing_home,
        alarm_endpoints=by_shard[0],
        env=env,
        synthesizer=synthesizer,
        description=f"infersave: budget, anomaly alerts, alarms and breach switch of project {config.project}",
    )
    cost = CostStack(
        app,
        f"{prefix}-cost",
        config=config,
        # Failures of the reporter alarm on the project's alerts topic.
        alarm_topic=guardrails.alerts.topic,
        env=env,
        synthesizer=synthesizer,
        description=f"infersave: scheduled cost report and savings dashboard of project {config.project}",
    )
    stacks: dict[str, cdk.Stack] = {"inference": inference, "guardrails": guardrails, "cost": cost}
    if len(by_shard) > 1:
        # Exported for good while further endpoint stacks exist: an export that disappears when the last
        # endpoint reading `make compile` artifacts leaves a further stack would fail stack 0's update while
        # that stack still imports it.
        inference.export_value(inference.compile_artifacts.key.key_arn)
    for shard, endpoints in by_shard.items():
        if shard == 0:
            continue
        # References to stack 0's artifacts store (only where an endpoint reads `make compile` artifacts) and to
        # the alerts topic become CloudFormation exports of a fixed few values, however many stacks import them.
        stacks[f"inference-{shard}"] = InferenceStack(
            app,
            endpoint_stack_name(config.project, shard),
            config=config,
            endpoints=endpoints,
            artifacts_store=inference.compile_artifacts,
            alarm_topic=guardrails.alerts.topic,
            legacy_scaling_ids=legacy_scaling_ids,
            env=env,
            synthesizer=synthesizer,
            description=f"infersave: Inferentia2 endpoints of project {config.project}, stack {shard}",
        )
    if billing:
        # No references cross regions (the billing topic's ARN is built from its fixed name); the dependency only
        # orders the deploys: the breach switch subscribes to the billing topic, which must exist first.
        guardrails.node.add_dependency(billing)
        stacks["billing"] = billing
    for stack in stacks.values():
        cdk.Tags.of(stack).add(tags.PROJECT, config.project)
        for key, value in config.tags.items():
            cdk.Tags.of(stack).add(key, value)
    return stacks


def build_calibration_app(
    app: cdk.App, config: Config, endpoint_name: str, *, env: cdk.Environment, local: bool = False
) -> cdk.Stack:
    """Add only the calibration baseline stack of ``endpoints[].name == endpoint_name`` to ``app`` (``make
    calibrate`` deploys it on its own; the project's stacks are left out of that synth)."""
    endpoint = next((e for e in config.endpoints if e.name == endpoint_name), None)
    if endpoint is None:
        names = ", ".join(e.name for e in config.endpoints)
        raise ValueError(f"-c calibrate={endpoint_name}: no such endpoint in the config; use one of {names}")
    stack = CalibrationStack(
        app,
        calibration_stack_name(config, endpoint),
        config=config,
        endpoint=endpoint,
        env=env,
        synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=not local),
        description=f"infersave: temporary GPU baseline endpoint to calibrate {endpoint.name} (make calibrate)",
    )
    for key, value in config.tags.items():
        cdk.Tags.of(stack).add(key, value)
    return stack
