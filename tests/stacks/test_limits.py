"""The stack-size limit the config enforces rests on figures measured here, on the synthesized templates."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from aws_cdk.assertions import Template

from stacks.config import Config, ConfigError, parse_config
from stacks.config.limits import (
    FIXED_RESOURCES,
    RESOURCES_PER_ENDPOINT,
    STACK_RESOURCE_LIMIT,
    inference_resources,
    max_endpoints,
)
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


@pytest.mark.parametrize("stack", sorted(RESOURCES_PER_ENDPOINT))
def test_the_measured_figures_bound_every_synthesized_layout(synth: Synth, stack: str) -> None:
    layouts = [
        (synth.default, synth.default_config),
        (synth.full, synth.full_config),
        (synth.billing, synth.billing_config),
        (synth.opt_in, synth.opt_in_config),
    ]
    for templates, config in layouts:
        counts, fixed = _per_endpoint(templates[stack], config)
        assert sorted(counts) == sorted(e.name for e in config.endpoints)
        instance_served = [counts[e.name] for e in config.endpoints if e.serving == "instance"]
        assert max(instance_served) == RESOURCES_PER_ENDPOINT[stack], (config.project, counts)
        if stack == "inference":  # inference-component endpoints: counted by their models
            for endpoint in config.endpoints:
                assert counts[endpoint.name] <= inference_resources(endpoint), (endpoint.name, counts)
        assert fixed <= FIXED_RESOURCES[stack], (config.project, fixed)


def test_an_inference_component_endpoint_adds_its_measured_resources(synth: Synth) -> None:
    config = synth.components_config
    counts, fixed = _per_endpoint(synth.components["inference"], config)
    assert counts == {"shared": inference_resources(config.endpoints[0])}  # 4 + 6 x 2 models
    assert fixed <= FIXED_RESOURCES["inference"]


def test_the_other_stacks_do_not_grow_with_endpoints(synth: Synth) -> None:
    for role in set(synth.default) - set(RESOURCES_PER_ENDPOINT):
        counts, _ = _per_endpoint(synth.default[role], synth.default_config)
        assert not counts, role


def test_more_endpoints_than_a_stack_holds_is_a_config_error() -> None:
    most = max_endpoints()
    assert 20 <= most < STACK_RESOURCE_LIMIT
    endpoint = {
        "model_id": "org/m",
        "parameters_billion": 1,
        "container": {"preset": "custom", "image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/s:1"},
    }
    raw = {"project": "p", "endpoints": [{**endpoint, "name": f"e{i}"} for i in range(most + 1)]}

    with pytest.raises(
        ConfigError, match=rf"endpoints: {most + 1} endpoints need more than the 500 resources"
    ):
        parse_config(raw)
    parse_config({**raw, "endpoints": raw["endpoints"][:most]})
