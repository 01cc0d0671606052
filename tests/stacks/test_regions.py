"""Region rules (stacks.config.regions): accepted and refused regions, each refusal as ``field: problem; fix``."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stacks.config import Config, ConfigError, parse_config
from stacks.config.regions import (
    BILLING_HOME,
    COMPONENT_TYPES,
    DEFAULT_ENABLED_REGIONS,
    accepted_regions,
    billing_region,
    region_problems,
    resource_regions,
)
from stacks.containers import PRESETS
from stacks.dlc_registry import published_images, registry_account

#: A model and size the Neuron cache snapshot holds for each preset's image (batch 4, TP 2, 4096 tokens).
_CACHED_MODEL = {"hf-vllm-neuron": "Qwen/Qwen3-8B", "hf-tgi-neuron": "Qwen/Qwen2.5-7B-Instruct"}


def _endpoint(name: str, preset: str) -> dict[str, Any]:
    return {
        "name": name,
        "model_id": _CACHED_MODEL.get(preset, "Qwen/Qwen3-8B"),
        "parameters_billion": 8,
        "instance_type": "ml.inf2.xlarge",
        "tensor_parallel_degree": 2,
        "container": {"preset": preset},
    }


def _raw(region: str | None, *presets: str, breach_switch: bool = False) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "project": "p",
        "endpoints": [_endpoint(f"e{i}", p) for i, p in enumerate(presets or ("hf-vllm-neuron",))],
        "budget": {"monthly_limit_usd": 5000},
    }
    if region:
        raw["env"] = {"region": region}
    if breach_switch:
        raw["budget"]["breach_switch"] = {
            "enabled": True,
            "threshold_percent": 100,
            "floor_instance_count": 1,
        }
    return raw


def _config(*presets: str, breach_switch: bool = False) -> Config:
    return parse_config(_raw(None, *presets, breach_switch=breach_switch))


def _refusal(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, source="infersave.yaml")
    return caught.value.problems


@pytest.mark.parametrize(
    ("region", "presets", "breach_switch"),
    [
        ("us-east-1", ("hf-vllm-neuron", "hf-tgi-neuron"), True),  # everything local
        ("eu-north-1", ("hf-tgi-neuron",), True),  # no Budgets: billing stack, default region: switch allowed
        ("ap-south-2", ("hf-tgi-neuron",), False),  # no Budgets, opt-in region: accepted without the switch
        ("ap-southeast-5", ("hf-tgi-neuron",), False),  # no Budgets nor Cost Anomaly Detection types
        ("eu-west-2", ("custom",), True),  # a custom image is the user's to publish
    ],
)
def test_accepted(region: str, presets: tuple[str, ...], breach_switch: bool) -> None:
    raw = _raw(region, *presets, breach_switch=breach_switch)
    if presets == ("custom",):
        raw["endpoints"][0]["container"]["image_uri"] = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/r:t"
        raw["endpoints"][0]["precision"] = "bf16"
    assert parse_config(raw).env.region == region


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            _raw("eu-west-2", "hf-vllm-neuron"),
            "endpoints[0].container.preset: the hf-vllm-neuron image (huggingface-vllm-inference-neuronx) is not "
            "published in eu-west-2 (data/container_images.json); deploy to one of ap-northeast-1, ",
        ),
        (
            _raw("eu-west-2", "hf-tgi-neuron", "hf-vllm-neuron"),
            "endpoints[1].container.preset: the hf-vllm-neuron image",  # per endpoint, per preset
        ),
        (
            _raw("me-central-1", "hf-tgi-neuron"),
            "env.region: CloudFormation in me-central-1 does not offer AWS::SageMaker::Endpoint",
        ),
        (
            _raw("us-gov-west-1", "hf-tgi-neuron"),
            "env.region: us-gov-west-1 is in partition aws-us-gov, which infersave refuses: CloudFormation offers "
            "neither AWS::Budgets::Budget",
        ),
        (
            _raw("cn-north-1", "hf-tgi-neuron"),
            "env.region: cn-north-1 is in partition aws-cn, which infersave refuses: AWS China bills in CNY",
        ),
        (
            _raw("me-south-1", "hf-tgi-neuron"),  # the image is published there, cfn-lint has no data for it
            "env.region: me-south-1 is not a region of the cfn-lint 1.58.0 region data",
        ),
        (
            _raw("ap-south-2", "hf-tgi-neuron", breach_switch=True),
            "budget.breach_switch.enabled: ap-south-2 has no AWS::Budgets::Budget, so the budget goes to the "
            "billing stack in us-east-1, and SNS does not deliver from us-east-1 to a Lambda function in the "
            "opt-in region ap-south-2",
        ),
    ],
    ids=["image", "second-endpoint", "types", "govcloud", "china", "unknown", "opt-in-switch"],
)
def test_refused(raw: dict[str, Any], message: str) -> None:
    problems = _refusal(raw)
    assert any(message in p for p in problems), problems
    assert all("; " in p for p in problems)  # every problem says how to fix it


def test_a_region_is_required_once_the_cli_default_is_known() -> None:
    problems = region_problems(_config(), None)
    assert problems and problems[0].startswith(
        "env.region: not set, and the CDK CLI has no default region; set"
    )


def test_the_cli_region_meets_the_same_rules() -> None:
    assert region_problems(_config(), "eu-west-2")[0].startswith("endpoints[0].container.preset: the hf-vllm")
    assert region_problems(_config(), "us-west-2") == []


def test_vllm_is_published_in_fewer_regions_than_tgi() -> None:
    vllm, tgi = (accepted_regions(_config(p)) for p in ("hf-vllm-neuron", "hf-tgi-neuron"))
    assert set(vllm) < set(tgi)
    both = accepted_regions(_config("hf-vllm-neuron", "hf-tgi-neuron"))
    assert both == vllm  # the intersection: every endpoint's image must be there


def test_accepted_regions_offer_every_type_where_each_stack_goes() -> None:
    types = resource_regions()
    for config, used in ((_config("hf-tgi-neuron"), False), (parse_config(_components(None)), True)):
        for region in accepted_regions(config):
            home = billing_region(region) or region
            for resource_type, regions in types.items():
                if resource_type in COMPONENT_TYPES and not used:
                    continue  # deployed only for serving: inference_component
                where = home if resource_type.startswith(("AWS::Budgets::", "AWS::CE::")) else region
                assert where in regions, (region, resource_type)


def _components(region: str | None) -> dict[str, Any]:
    raw = _raw(region, "hf-vllm-neuron")
    raw["endpoints"][0].update(
        serving="inference_component",
        instances={"initial": 1, "min": 0, "max": 1},
        components={"copies": {"min": 0, "max": 1}, "scale_to_zero": {"enabled": True}},
    )
    return raw


def test_inference_components_need_a_region_that_offers_the_type() -> None:
    problems = _refusal(_components("eu-west-3"))
    assert problems == [
        "endpoints[0].serving: inference_component needs AWS::SageMaker::InferenceComponent, which CloudFormation "
        "in eu-west-3 does not offer (cfn-lint 1.58.0 region data in data/resource_regions.json, read 2026-11-28); "
        "use serving: instance or deploy to a region "
        "that offers it"
    ]
    parse_config(_raw("eu-west-3", "hf-vllm-neuron"))  # instance serving is fine there
    parse_config(_components("us-east-1"))


def test_billing_stack_only_where_budgets_or_anomaly_types_are_missing() -> None:
    assert billing_region("us-east-1") is None
    assert billing_region("eu-west-1") is None
    assert billing_region("eu-north-1") == BILLING_HOME  # no AWS::Budgets::Budget
    assert billing_region("ap-southeast-5") == BILLING_HOME  # neither Budgets nor AWS::CE::*
    assert BILLING_HOME in DEFAULT_ENABLED_REGIONS


def test_every_preset_default_tag_is_published() -> None:
    images = published_images()
    for name, preset in PRESETS.items():
        assert preset.default_tag in images[name].tags, name
        assert preset.repository == images[name].repository
    assert not any(t.endswith("-v1.2") for image in images.values() for t in image.tags)


def test_registry_accounts_come_from_the_bundled_data() -> None:
    assert registry_account("us-east-1") == "763104351884"
    assert registry_account("ap-south-2") == "772153158452"
    with pytest.raises(KeyError):
        registry_account("xx-nowhere-1")


def test_config_without_region_is_not_checked_until_the_cli_region_is_known() -> None:
    raw = copy.deepcopy(_raw(None, "hf-vllm-neuron"))
    assert parse_config(raw).env.region is None


def test_cloudformation_mapping_of_registry_accounts_is_built_from_the_data() -> None:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from stacks.containers import registry_mapping
    from stacks.dlc_registry import registry_accounts

    stack = cdk.Stack(cdk.App(), "S")  # env-agnostic: the lookup stays a Fn::FindInMap
    account = registry_mapping(stack).find_in_map(cdk.Aws.REGION, "account")
    cdk.CfnOutput(stack, "Account", value=account)
    mapping = Template.from_stack(stack).to_json()["Mappings"]["DlcRegistryAccounts"]
    assert mapping == {region: {"account": a} for region, a in registry_accounts().items()}
    assert mapping["il-central-1"] == {"account": "780543022126"}
