"""The calibration baseline stack: the endpoint's model at the same sizes, on its GPU baseline type, one
instance, in the GPU image of the same engine; not tagged as a project endpoint; cdk-nag clean."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from stacks.app_builder import build_calibration_app
from stacks.config import load_config
from stacks.nag import enable_nag
from tests.conftest import ROOT

ENV = cdk.Environment(account="123456789012", region="us-east-1")


@pytest.fixture(scope="module")
def stacks() -> dict[str, cdk.Stack]:
    config = load_config(ROOT / "infersave.yaml")
    app = cdk.App()
    enable_nag(app)
    built = {name: build_calibration_app(app, config, name, env=ENV) for name in ("zephyr-7b", "qwen3-8b")}
    app.synth()
    return built


def test_tgi_baseline_runs_the_tgi_gpu_image_at_the_same_sizes(stacks: dict[str, cdk.Stack]) -> None:
    template = Template.from_stack(stacks["zephyr-7b"])

    assert stacks["zephyr-7b"].stack_name == "infersave-demo-llm-calibration-zephyr-7b"
    template.has_resource_properties(
        "AWS::SageMaker::Model",
        {
            "PrimaryContainer": {
                "Image": {"Fn::Join": ["", Match.array_with([Match.string_like_regexp(
                    "huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04$")])]},
                "Environment": {"HF_MODEL_ID": "HuggingFaceH4/zephyr-7b-beta", "SM_NUM_GPUS": "1",
                                "MAX_BATCH_SIZE": "4", "MAX_INPUT_TOKENS": "2048", "MAX_TOTAL_TOKENS": "4096"},
            },
            "EnableNetworkIsolation": False,
        },
    )  # fmt: skip
    template.has_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        {
            "ProductionVariants": [
                Match.object_like({"InstanceType": "ml.g5.2xlarge", "InitialInstanceCount": 1})
            ]
        },
    )
    template.resource_count_is("AWS::KMS::Key", 0)  # g5 has NVMe instance storage: no volume key
    endpoint = template.find_resources("AWS::SageMaker::Endpoint")
    (properties,) = (r["Properties"] for r in endpoint.values())
    assert properties["EndpointName"] == "demo-llm-zephyr-7b-gpu"
    keys = {t["Key"]: t["Value"] for t in properties["Tags"]}
    assert keys["infersave:calibration-baseline-of"] == "demo-llm-zephyr-7b"
    assert "infersave:project" not in keys  # the reporter must not take it for an Inferentia2 endpoint


def test_vllm_baseline_passes_sm_vllm_flags(stacks: dict[str, cdk.Stack]) -> None:
    Template.from_stack(stacks["qwen3-8b"]).has_resource_properties(
        "AWS::SageMaker::Model",
        {"PrimaryContainer": Match.object_like({"Environment": {
            "SM_VLLM_MODEL": "Qwen/Qwen3-8B", "SM_VLLM_TENSOR_PARALLEL_SIZE": "1", "SM_VLLM_MAX_NUM_SEQS": "4",
            "SM_VLLM_MAX_MODEL_LEN": "4096"}})},
    )  # fmt: skip


def test_cdk_nag_finds_nothing(stacks: dict[str, cdk.Stack]) -> None:
    for stack in stacks.values():
        assert Annotations.from_stack(stack).find_error("*", Match.any_value()) == []


def test_unknown_endpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="no such endpoint in the config; use one of qwen3-8b, zephyr-7b"):
        build_calibration_app(cdk.App(), load_config(ROOT / "infersave.yaml"), "nope", env=ENV)
