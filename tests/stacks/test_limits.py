"""The stack-size limits the config enforces rest on figures measured here, on the synthesized templates."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from aws_cdk.assertions import Template

from benchmarks.synth_scale import scaled_config
from stacks.config import Config, ConfigError, parse_config
from stacks.config.limits import (
    FIXED_BYTES,
    FIXED_OUTPUTS,
    FIXED_RESOURCES,
    OUTPUTS_PER_ENDPOINT,
    RESOURCES_PER_ENDPOINT,
    STACK_RESOURCE_LIMIT,
    endpoint_bytes,
    endpoint_resources,
    max_endpoints,
    max_endpoints_per_stack,
)
from stacks.config.shards import endpoints_by_shard
from stacks.template_limits import template_problems
from tests.stacks.conftest import Synth


def _per_endpoint(template: Template, config: Config) -> tuple[Counter[str], int]:
    """Resources per endpoint (by construct path ``/<Unit>-<endpoint name>/``) and the rest."""
    names = [re.escape(e.name) for e in config.endpoints]
    pattern = re.compile(r"/[A-Za-z]+-(" + "|".join(names) + r")/")
    counts: Counter[str] = Counter()
    fixed = 0
    for resource in template.to_json()["Resources"].values():
        match = pattern.search(resource.get("Metadata", {}).get("aws:cdk:path", ""))
        if match:
            counts[match.group(1)] += 1
        else:
            fixed += 1
    return counts, fixed


def _role(stack: str) -> str:
    return "shard" if stack.startswith("inference-") else stack


def _layouts(synth: Synth) -> list[tuple[dict[str, Template], Config]]:
    return [
        (synth.default, synth.default_config),
        (synth.full, synth.full_config),
        (synth.billing, synth.billing_config),
        (synth.opt_in, synth.opt_in_config),
        (synth.sharded, synth.sharded_config),
    ]


@pytest.mark.parametrize("role", sorted(RESOURCES_PER_ENDPOINT))
def test_the_measured_figures_bound_every_synthesized_layout(synth: Synth, role: str) -> None:
    seen = 0
    for templates, config in _layouts(synth):
        for stack, template in templates.items():
            if _role(stack) != role:
                continue
            counts, fixed = _per_endpoint(template, config)
            seen += 1
            by_name = {e.name: e for e in config.endpoints}
            for name, count in counts.items():  # inference-component endpoints: counted by their models
                assert count <= endpoint_resources(by_name[name], role), (config.project, stack, name, count)
            instance_served = [n for n in counts if by_name[n].serving == "instance"]
            if instance_served:
                most = max(counts[n] for n in instance_served)
                assert most == RESOURCES_PER_ENDPOINT[role], (config.project, stack, counts)
            assert fixed <= FIXED_RESOURCES[role], (config.project, stack, fixed)
            outputs = len(template.to_json().get("Outputs", {}))
            assert outputs <= FIXED_OUTPUTS[role] + OUTPUTS_PER_ENDPOINT[role] * len(counts), (stack, outputs)
    assert seen


def test_the_byte_estimate_bounds_every_synthesized_template(synth: Synth) -> None:
    for templates, config in _layouts(synth):
        by_shard = endpoints_by_shard(config)
        for stack, template in templates.items():
            role = _role(stack)
            if role not in FIXED_BYTES:
                continue
            shard = int(stack.removeprefix("inference-")) if role == "shard" else 0
            endpoints = by_shard.get(shard, [])
            estimate = FIXED_BYTES[role] + sum(endpoint_bytes(config, e, role) for e in endpoints)
            # As the CDK writes it (one-space indent), with path metadata as the CLI writes it by default.
            body = json.dumps(template.to_json(), indent=1)
            assert len(body.encode()) <= estimate, (config.project, stack, len(body), estimate)


def test_an_inference_component_endpoint_adds_its_measured_resources(synth: Synth) -> None:
    config = synth.components_config
    counts, fixed = _per_endpoint(synth.components["inference"], config)
    assert counts == {"shared": endpoint_resources(config.endpoints[0], "inference")}  # 4 + 6 x 2 models
    assert fixed <= FIXED_RESOURCES["inference"]
    # Its alarms watch each component, 3 x 2 models, and its instances (at max) in the guardrails stack.
    counts, fixed = _per_endpoint(synth.components["guardrails"], config)
    assert counts == {"shared": endpoint_resources(config.endpoints[0], "guardrails")} == {"shared": 7}
    assert fixed <= FIXED_RESOURCES["guardrails"]


def test_the_other_stacks_do_not_grow_with_endpoints(synth: Synth) -> None:
    for role in set(synth.default) - set(RESOURCES_PER_ENDPOINT):
        counts, _ = _per_endpoint(synth.default[role], synth.default_config)
        assert not counts, role


def _endpoints(count: int) -> list[dict[str, object]]:
    endpoint = {
        "model_id": "org/m",
        "parameters_billion": 1,
        "container": {"preset": "custom", "image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/s:1"},
    }
    return [{**endpoint, "name": f"e{i}"} for i in range(count)]


def test_more_endpoints_than_one_stack_holds_is_a_config_error_naming_the_stack_and_the_fix() -> None:
    most = max_endpoints_per_stack("inference")
    assert most == (STACK_RESOURCE_LIMIT - 18) // 8 == 60
    raw = {"project": "p", "endpoints": _endpoints(most + 1)}

    with pytest.raises(ConfigError) as caught:
        parse_config(raw)

    (problem,) = caught.value.problems
    assert problem.startswith(
        f"endpoints: infersave-p-inference would hold {18 + 8 * (most + 1)} resources for its {most + 1} endpoints"
    )
    assert "endpoints[60].shard: 1" in problem
    parse_config({**raw, "endpoints": raw["endpoints"][:most]})


def test_a_pin_moves_an_endpoint_out_of_a_full_stack_and_nothing_else() -> None:
    raw = {"project": "p", "endpoints": _endpoints(max_endpoints_per_stack("inference") + 1)}
    raw["endpoints"][-1] = {**raw["endpoints"][-1], "shard": 1}

    config = parse_config(raw)

    by_shard = endpoints_by_shard(config)
    assert [e.name for e in by_shard[1]] == ["e60"]
    assert len(by_shard[0]) == 60


def test_five_hundred_endpoints_fit_in_twenty_three_stacks_and_not_in_one() -> None:
    # The default config's mix: two endpoints in three are inference-component endpoints (14 and 23 resources in
    # a further stack, against 11 for an instance endpoint), so 22 a stack on average, not 30.
    raw = scaled_config(500)
    assert raw["stacks"] == {"endpoint_shards": 23}
    config = parse_config(raw)
    sizes = [len(e) for e in endpoints_by_shard(config).values()]
    assert sum(sizes) == 500 and max(sizes) <= max_endpoints()

    with pytest.raises(ConfigError, match=r"above CloudFormation's 500 per stack"):
        parse_config({**raw, "stacks": {"endpoint_shards": 1}})


def test_large_container_variables_are_refused_before_synth_by_their_template_size() -> None:
    # 40 endpoints x 100 variables of 2 x 100 characters: about 1 MB of variables in one further stack.
    env = {f"V{i:03d}_{'x' * 95}": "y" * 100 for i in range(100)}
    endpoints = [
        {**e, "container": {**e["container"], "environment": env}, "shard": 1}  # type: ignore[dict-item]
        for e in _endpoints(40)
    ]

    with pytest.raises(ConfigError, match=r"infersave-p-inference-1's template would be about [\d,]+ bytes"):
        parse_config({"project": "p", "endpoints": endpoints})


def test_the_written_template_is_checked_against_every_quota() -> None:
    body = json.dumps(
        {
            "Resources": {f"R{i}": {"Type": "AWS::SNS::Topic"} for i in range(501)},
            "Outputs": {f"O{i}": {"Value": "x"} for i in range(201)},
            "Parameters": {"P": {"Type": "String", "Default": "{{resolve:ssm:a}}" * 61}},
            "Description": "d" * 1025,
        }
    )
    problems = template_problems("s", body + " " * 1_000_000)

    assert [p.split(",")[0].split(";")[0] for p in problems] == [
        "s: 501 resources",
        "s: 201 outputs",
        "s: 61 dynamic references",
        "s: template body 1",
        "s: description above 1024 bytes",
    ]
    assert template_problems("s", json.dumps({"Resources": {}})) == []
