"""Builds every infersave stack into an App; shared by ``app.py``, the tests and the benchmark."""

from __future__ import annotations

import aws_cdk as cdk

from lambdas.common import tags
from lambdas.common.catalog import load_catalog
from stacks.config import Config
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
    """Add the project's stacks to ``app``; returns them by role. Call ``enable_nag(app)`` once per app.

    ``legacy_scaling_ids``: see ``EndpointAutoscaling`` (upgrading stacks deployed before the scaling gate).
    """
    synthesizer = cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=not local)
    prefix = f"infersave-{config.project}"
    inference = InferenceStack(
        app,
        f"{prefix}-inference",
        config=config,
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
    for stack in stacks.values():
        cdk.Tags.of(stack).add(tags.PROJECT, config.project)
        for key, value in config.tags.items():
            cdk.Tags.of(stack).add(key, value)
    return stacks
