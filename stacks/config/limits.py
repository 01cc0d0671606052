"""Stack size: how many endpoints one project's stacks can hold.

CloudFormation allows 500 resources per stack ("CloudFormation quotas", AWS CloudFormation User Guide). The
inference and guardrails stacks grow with each endpoint; the cost stack does not. The figures below are
measured on the synthesized templates and kept true by ``tests/stacks/test_limits.py``, which fails when a
construct adds resources per endpoint without updating them.
"""

from __future__ import annotations

from typing import Final

from stacks.config.schema import Config

STACK_RESOURCE_LIMIT: Final = 500
#: Resources each endpoint adds, per stack (the most any endpoint adds: off-hours schedules, artifacts...).
RESOURCES_PER_ENDPOINT: Final = {"inference": 8, "guardrails": 3}  # inference: 7 + the scaling gate
#: Resources of the stack that do not depend on the endpoint count (the most any layout has).
FIXED_RESOURCES: Final = {"inference": 18, "guardrails": 23}  # inference: 10 + the scaling gate function


def max_endpoints() -> int:
    """The most endpoints every stack of a project can hold."""
    return min(
        (STACK_RESOURCE_LIMIT - FIXED_RESOURCES[stack]) // per_endpoint
        for stack, per_endpoint in RESOURCES_PER_ENDPOINT.items()
    )


def stack_size_problems(config: Config) -> list[str]:
    """``endpoints: ...`` when the stacks would exceed CloudFormation's resource limit."""
    most = max_endpoints()
    if len(config.endpoints) <= most:
        return []
    return [
        f"endpoints: {len(config.endpoints)} endpoints need more than the {STACK_RESOURCE_LIMIT} resources "
        f"CloudFormation allows per stack (at most {most} fit); split them into several projects"
    ]
