"""Stack size: how many endpoints one project's stacks can hold.

CloudFormation allows 500 resources per stack ("CloudFormation quotas", AWS CloudFormation User Guide). The
inference and guardrails stacks grow with each endpoint; the cost stack does not. The figures below are
measured on the synthesized templates and kept true by ``tests/stacks/test_limits.py``, which fails when a
construct adds resources per endpoint without updating them.
"""

from __future__ import annotations

from typing import Final

from stacks.config.schema import Config, Endpoint

STACK_RESOURCE_LIMIT: Final = 500
#: Resources each endpoint adds, per stack (the most any endpoint adds: off-hours schedules, artifacts...).
RESOURCES_PER_ENDPOINT: Final = {"inference": 8, "guardrails": 3}  # inference: 7 + the scaling gate
#: Resources of the stack that do not depend on the endpoint count (the most any layout has).
FIXED_RESOURCES: Final = {"inference": 18, "guardrails": 23}  # inference: 10 + the scaling gate function
#: An inference-component endpoint in the inference stack: role, policy, endpoint config, endpoint ...
COMPONENT_ENDPOINT_RESOURCES: Final = 4
#: ... and per model: model, inference component, scalable target, target tracking, step policy, alarm.
RESOURCES_PER_COMPONENT_MODEL: Final = 6


def inference_resources(endpoint: Endpoint) -> int:
    """Resources one endpoint adds to the inference stack (the most: with scale to zero)."""
    if endpoint.serving == "inference_component":
        return COMPONENT_ENDPOINT_RESOURCES + RESOURCES_PER_COMPONENT_MODEL * (
            1 + len(endpoint.component_settings.models)
        )
    return RESOURCES_PER_ENDPOINT["inference"]


def max_endpoints() -> int:
    """The most endpoints every stack of a project can hold."""
    return min(
        (STACK_RESOURCE_LIMIT - FIXED_RESOURCES[stack]) // per_endpoint
        for stack, per_endpoint in RESOURCES_PER_ENDPOINT.items()
    )


def stack_size_problems(config: Config) -> list[str]:
    """``endpoints: ...`` when the stacks would exceed CloudFormation's resource limit."""
    most = max_endpoints()
    inference = FIXED_RESOURCES["inference"] + sum(inference_resources(e) for e in config.endpoints)
    if len(config.endpoints) <= most and inference <= STACK_RESOURCE_LIMIT:
        return []
    if len(config.endpoints) <= most:
        return [
            f"endpoints: the inference stack would hold {inference} resources, more than the "
            f"{STACK_RESOURCE_LIMIT} CloudFormation allows per stack (inference-component endpoints add "
            f"{RESOURCES_PER_COMPONENT_MODEL} per model); split them into several projects"
        ]
    return [
        f"endpoints: {len(config.endpoints)} endpoints need more than the {STACK_RESOURCE_LIMIT} resources "
        f"CloudFormation allows per stack (at most {most} fit); split them into several projects"
    ]
