"""Serving-container presets: image repository and tag per preset, and the config -> environment mapping.

Image URIs are resolved per region at deploy time through a CloudFormation mapping of the Deep Learning
Containers registry accounts (most regions use 763104351884; the exceptions come from
aws/sagemaker-python-sdk ``src/sagemaker/image_uri_config/huggingface-llm-neuronx.json``, read 2026-11-28).
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk

from stacks.config import Endpoint

MODEL_DIR = "/opt/ml/model"  # where SageMaker puts ModelDataSource (precompiled artifacts)

#: DLC registry account per region, where it is not the default 763104351884.
DLC_REGISTRY_EXCEPTIONS = {
    "ap-south-2": "772153158452",
    "ap-southeast-4": "457447274322",
    "ap-southeast-5": "550225433462",
    "ap-southeast-7": "590183813437",
    "ca-west-1": "204538143572",
    "cn-north-1": "727897471807",
    "cn-northwest-1": "727897471807",
    "eu-central-2": "380420809688",
    "eu-south-2": "503227376785",
    "il-central-1": "780543022126",
    "mx-central-1": "637423239942",
    "us-gov-east-1": "446045086412",
    "us-gov-west-1": "442386744353",
}
DLC_DEFAULT_REGISTRY = "763104351884"
#: Regions that offer ml.inf2 hosting and the Hugging Face Neuron DLCs (same source as above).
DLC_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "eu-west-1",
    "eu-west-3",
    "sa-east-1",
    *DLC_REGISTRY_EXCEPTIONS,
)


@dataclass(frozen=True)
class Preset:
    """A Hugging Face Neuron serving container."""

    repository: str
    default_version: str
    tag_suffix: str


PRESETS = {
    # Hugging Face vLLM on Neuron (optimum-neuron): SM_ON_* variables become `optimum-cli neuron serve` flags.
    "hf-vllm-neuron": Preset(
        "huggingface-vllm-inference-neuronx", "0.11.0-optimum0.4.4", "-neuronx-py310-ubuntu22.04"
    ),
    # Hugging Face TGI on Neuron (older path, still published).
    "hf-tgi-neuron": Preset(
        "huggingface-pytorch-tgi-inference", "2.1.2-optimum0.0.28", "-neuronx-py310-ubuntu22.04"
    ),
}


def registry_account(region: str) -> str:
    """The DLC registry account that serves ``region``."""
    return DLC_REGISTRY_EXCEPTIONS.get(region, DLC_DEFAULT_REGISTRY)


def image_repository_and_tag(endpoint: Endpoint) -> tuple[str, str]:
    """(repository, tag) of a preset endpoint's image; the registry host is resolved per region."""
    preset = PRESETS[endpoint.container.preset]
    version = endpoint.container.version or preset.default_version
    return preset.repository, f"{version}{preset.tag_suffix}"


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
    mapping = {region: {"account": registry_account(region)} for region in DLC_REGIONS}
    return cdk.CfnMapping(stack, "DlcRegistryAccounts", mapping=mapping, lazy=True)
