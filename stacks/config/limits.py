"""Stack size: whether each of the project's stacks stays inside CloudFormation's template quotas.

Quotas ("Understand CloudFormation quotas", AWS CloudFormation User Guide,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html; the same numbers are
cfn-lint 1.58.0's ``cfnlint.helpers.LIMITS``): 500 resources, 200 outputs, 200 parameters, 200 mappings and
60 dynamic references per template, and a template body of at most 1 MB from S3 (the CDK CLI uploads every
template to the bootstrap bucket, so the 51,200-byte inline limit never applies).

Endpoints spread over endpoint stacks (:mod:`stacks.config.shards`); what grows with endpoints, per stack role:

- ``inference`` (endpoint stack 0, ``infersave-<project>-inference``): each endpoint's model, roles, endpoint
  config, endpoint, scaling gate, scalable target and policy, and one output;
- ``guardrails``: the three alarms of each endpoint of stack 0 (of each of its models for an inference-component
  endpoint: ``stacks.endpoint_alarms`` watches components one by one, plus its at-max-instances alarm);
- ``shard`` (endpoint stacks 1 and up): the same as ``inference`` plus the endpoint's alarms.

Parameters (the bootstrap version) and mappings (the image registries) do not grow with endpoints. A gated
model's token is one dynamic reference (``{{resolve:secretsmanager:...}}``) in its stack. The figures are
measured on the synthesized templates and kept true by ``tests/stacks/test_limits.py``, which fails when a
construct adds resources per endpoint without updating them. Template bytes are estimated here (per endpoint,
plus its tags and container variables) and checked exactly on the synthesized templates by
:mod:`stacks.template_limits`.
"""

from __future__ import annotations

from typing import Final

from stacks.config.schema import Config, Endpoint
from stacks.config.shards import endpoint_stack_name, endpoints_by_shard

STACK_RESOURCE_LIMIT: Final = 500
STACK_OUTPUT_LIMIT: Final = 200
DYNAMIC_REFERENCE_LIMIT: Final = 60
#: cfn-lint's reading of the quotas page's "1 MB" (``LIMITS["template"]["body"]``).
TEMPLATE_BODY_LIMIT_BYTES: Final = 1_000_000
#: Resources each endpoint adds, per stack role (the most any endpoint adds: off-hours schedules, artifacts...).
RESOURCES_PER_ENDPOINT: Final = {"inference": 8, "guardrails": 3, "shard": 11}  # shard: 8 + 3 alarms
#: Resources of the stack that do not depend on the endpoint count (the most any layout has).
FIXED_RESOURCES: Final = {"inference": 18, "guardrails": 23, "shard": 9}  # shard: volume key + gate function
#: Outputs: one per endpoint (its name) in its endpoint stack; stack 0 adds the compile store's three and the
#: export of its key; the guardrails stack's do not grow.
OUTPUTS_PER_ENDPOINT: Final = {"inference": 1, "guardrails": 0, "shard": 1}
FIXED_OUTPUTS: Final = {"inference": 4, "guardrails": 4, "shard": 0}
#: Template bytes an endpoint adds before its own tags and container variables, as the CDK CLI writes templates
#: (indented JSON with path metadata): measured 13.3 KB per endpoint of a further stack at 500 endpoints
#: (``benchmarks/synth_scale.py``), plus room for 40-character project and endpoint names, which recur in paths,
#: names and descriptions. An estimate: ``stacks.template_limits`` checks the written templates exactly.
BYTES_PER_ENDPOINT: Final = {"inference": 12_000, "guardrails": 5_000, "shard": 17_000}
FIXED_BYTES: Final = {"inference": 40_000, "guardrails": 40_000, "shard": 20_000}
TAG_COPIES: Final = 8
#: Bytes of JSON around one tag (``{"Key": ..., "Value": ...}`` indented) or container variable.
ENTRY_OVERHEAD_BYTES: Final = 60
#: An inference-component endpoint in its endpoint stack: role, policy, endpoint config, endpoint ...
COMPONENT_ENDPOINT_RESOURCES: Final = 4
#: ... and per model: model, inference component, scalable target, target tracking, step policy, alarm.
RESOURCES_PER_COMPONENT_MODEL: Final = 6
#: Operational alarms (5XX, p90 latency, at max capacity) per watched variant or inference component.
ALARMS_PER_WATCHED: Final = RESOURCES_PER_ENDPOINT["guardrails"]


def endpoint_resources(endpoint: Endpoint, role: str) -> int:
    """Resources ``endpoint`` adds to its stack of ``role`` (the most: with off-hours schedules, scale to zero)."""
    models = 1 + len(endpoint.component_settings.models) if endpoint.serving == "inference_component" else 1
    alarms = 0
    if role in ("guardrails", "shard"):
        alarms = ALARMS_PER_WATCHED * models
        if endpoint.serving == "inference_component":
            alarms += 1  # at max instances (stacks.endpoint_alarms)
    if role == "guardrails":
        return alarms
    if endpoint.serving == "inference_component":
        return COMPONENT_ENDPOINT_RESOURCES + RESOURCES_PER_COMPONENT_MODEL * models + alarms
    return RESOURCES_PER_ENDPOINT["inference"] + alarms


def endpoint_bytes(config: Config, endpoint: Endpoint, role: str) -> int:
    """Estimated template bytes ``endpoint`` adds to its stack of ``role``."""
    if role == "guardrails":
        return BYTES_PER_ENDPOINT[role]
    tags = {**config.tags, **endpoint.tags}
    tag_bytes = sum(len(k) + len(v) + ENTRY_OVERHEAD_BYTES for k, v in tags.items()) * TAG_COPIES
    env = endpoint.container.environment
    env_bytes = sum(len(k) + len(v) + ENTRY_OVERHEAD_BYTES for k, v in env.items())
    return BYTES_PER_ENDPOINT[role] + tag_bytes + env_bytes


def _stack_problems(config: Config, stack: str, role: str, endpoints: list[Endpoint], fix: str) -> list[str]:
    count = len(endpoints)
    problems = []
    resources = FIXED_RESOURCES[role] + sum(endpoint_resources(e, role) for e in endpoints)
    if resources > STACK_RESOURCE_LIMIT:
        most = (STACK_RESOURCE_LIMIT - FIXED_RESOURCES[role]) // RESOURCES_PER_ENDPOINT[role]
        problems.append(
            f"{stack} would hold {resources} resources for its {count} endpoints, above CloudFormation's "
            f"{STACK_RESOURCE_LIMIT} per stack (at most {most} endpoints fit); {fix}"
        )
    outputs = FIXED_OUTPUTS[role] + OUTPUTS_PER_ENDPOINT[role] * count
    if outputs > STACK_OUTPUT_LIMIT:
        problems.append(
            f"{stack} would declare {outputs} outputs, above CloudFormation's {STACK_OUTPUT_LIMIT}; {fix}"
        )
    if role != "guardrails":
        gated = sum(1 for e in endpoints if e.container.hf_token_secret_name)
        if gated > DYNAMIC_REFERENCE_LIMIT:
            problems.append(
                f"{stack} would hold {gated} Hugging Face token references, above CloudFormation's "
                f"{DYNAMIC_REFERENCE_LIMIT} dynamic references per template; {fix}"
            )
    size = FIXED_BYTES[role] + sum(endpoint_bytes(config, e, role) for e in endpoints)
    if size > TEMPLATE_BODY_LIMIT_BYTES:
        problems.append(
            f"{stack}'s template would be about {size:,} bytes, above CloudFormation's "
            f"{TEMPLATE_BODY_LIMIT_BYTES:,} (large tags or container variables); {fix}"
        )
    return problems


def stack_size_problems(config: Config) -> list[str]:
    """``endpoints: ...`` / ``stacks.endpoint_shards: ...`` when a stack would exceed a CloudFormation quota."""
    problems = []
    shards = config.stacks.endpoint_shards
    for shard, endpoints in endpoints_by_shard(config).items():
        stack = endpoint_stack_name(config.project, shard)
        example = f"endpoints[{config.endpoints.index(endpoints[-1])}]" if endpoints else "endpoints[i]"
        fix = (
            f"pin new endpoints to a stack with room or a new one (e.g. {example}.shard: {max(shards, shard + 1)}), "
            "which moves no other endpoint; before the first deploy, raising stacks.endpoint_shards also works"
        )
        role = "inference" if shard == 0 else "shard"
        problems += [f"endpoints: {p}" for p in _stack_problems(config, stack, role, endpoints, fix)]
        if shard == 0:
            guardrails = f"infersave-{config.project}-guardrails"
            problems += [
                f"endpoints: {p}" for p in _stack_problems(config, guardrails, "guardrails", endpoints, fix)
            ]
    return problems


def max_endpoints_per_stack(role: str) -> int:
    """The most endpoints a stack of ``role`` holds by resource count (the quota that binds first)."""
    return (STACK_RESOURCE_LIMIT - FIXED_RESOURCES[role]) // RESOURCES_PER_ENDPOINT[role]


def max_endpoints() -> int:
    """The most endpoints one endpoint stack can hold (the smaller of stack 0 and the others)."""
    return min(max_endpoints_per_stack("inference"), max_endpoints_per_stack("shard"))
