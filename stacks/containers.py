"""Serving-container presets: image repository and tag per preset, and the config -> environment mapping.

Image URIs are resolved per region through a CloudFormation mapping of the Deep Learning Containers registry
accounts, built from ``data/container_images.json`` (``stacks/dlc_registry.py``). Each default tag is a published
tag of that file (a test checks it); pin your own with ``container.version`` (the full image tag).
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk

from stacks.config import Endpoint
from stacks.dlc_registry import published_images, registry_accounts

MODEL_DIR = "/opt/ml/model"  # where SageMaker puts ModelDataSource (precompiled artifacts)


@dataclass(frozen=True)
class Preset:
    """A Hugging Face Neuron serving container."""

    repository: str
    default_tag: str


PRESETS = {
    # Hugging Face vLLM on Neuron (optimum-neuron): SM_ON_* variables become `optimum-cli neuron serve` flags.
    # vLLM 0.11.0 with optimum-neuron 0.4.5 on Neuron SDK 2.26.1: published per Hugging Face's "Available DLCs on
    # AWS" (the SDK's list stops at optimum 0.4.4); see data/container_images.json additional_tags.
    "hf-vllm-neuron": Preset(
        published_images()["hf-vllm-neuron"].repository,
        "0.11.0-optimum0.4.5-neuronx-py310-sdk2.26.1-ubuntu22.04",
    ),
    # Hugging Face TGI on Neuron (older path, still published): PyTorch 2.1.2 with optimum-neuron 0.0.28, the SDK's
    # huggingface-llm-neuronx version 0.0.28 (no "-v1.2" suffix: no first-party list publishes one). In newer tags
    # the number after "optimum" is not optimum-neuron's: the SDK files 2.5.1-optimum3.3.4 under optimum-neuron
    # 0.2.0, when the Neuron backend had moved into TGI itself (TGI backends/neuron), so 3.3.4 reads as TGI's.
    "hf-tgi-neuron": Preset(
        published_images()["hf-tgi-neuron"].repository,
        "2.1.2-optimum0.0.28-neuronx-py310-ubuntu22.04",
    ),
}

#: Presets whose exporter can compile without a Neuron device, so `make compile` can build their artifacts on a
#: CPU instance (optimum-neuron 0.4.x; 0.0.28, in the TGI image, refuses to export decoders off a Neuron device).
COMPILABLE_PRESETS = ("hf-vllm-neuron",)


def image_repository_and_tag(endpoint: Endpoint) -> tuple[str, str]:
    """(repository, tag) of a preset endpoint's image; the registry host is resolved per region."""
    preset = PRESETS[endpoint.container.preset]
    return preset.repository, endpoint.container.version or preset.default_tag


def environment(endpoint: Endpoint) -> dict[str, str]:
    """Container environment for the endpoint's preset; the model is read from S3 when precompiled."""
    model = MODEL_DIR if endpoint.precompiled_artifacts_s3_uri else endpoint.model_id
    tp = str(endpoint.tensor_parallel_degree)
    preset = endpoint.container.preset
    env: dict[str, str]
    if preset == "hf-vllm-neuron":
        env = {
            "SM_ON_MODEL": model,
            "SM_ON_TENSOR_PARALLEL_SIZE": tp,
            "SM_ON_BATCH_SIZE": str(endpoint.batch_size),
            "SM_ON_SEQUENCE_LENGTH": str(endpoint.max_sequence_length),
        }
        if endpoint.compile_at_startup:
            # The DLC entrypoint turns SM_ON_<NAME>=<value> into `--<name> <value>` and passes the bare flag when
            # the value is empty (optimum-neuron docker/vllm/Dockerfile, v0.4.5); serve's --allow_non_cached_model
            # is store_true, so a value would be a stray argument. SageMaker accepts empty values (CreateModel
            # ContainerDefinition.Environment: value length 0-1024, pattern [\S\s]*).
            env["SM_ON_ALLOW_NON_CACHED_MODEL"] = ""
    elif preset == "hf-tgi-neuron":
        # TGI refuses batch/sequence sizes above the compiled ones; inputs get half the sequence.
        env = {
            "HF_MODEL_ID": model,
            "HF_NUM_CORES": tp,
            "HF_AUTO_CAST_TYPE": endpoint.precision,
            "MAX_BATCH_SIZE": str(endpoint.batch_size),
            "MAX_INPUT_TOKENS": str(endpoint.max_sequence_length // 2),
            "MAX_TOTAL_TOKENS": str(endpoint.max_sequence_length),
        }
    else:
        env = {}
    return {**env, **endpoint.container.environment}


def registry_mapping(stack: cdk.Stack) -> cdk.CfnMapping:
    """The stack's region -> DLC registry account mapping (one per stack, resolved at synth when possible)."""
    existing = stack.node.try_find_child("DlcRegistryAccounts")
    if isinstance(existing, cdk.CfnMapping):
        return existing
    mapping = {region: {"account": account} for region, account in registry_accounts().items()}
    return cdk.CfnMapping(stack, "DlcRegistryAccounts", mapping=mapping, lazy=True)
