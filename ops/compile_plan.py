"""The compile job of one endpoint, as data: which instance, how long, what it costs at most, and the exact
``CreateProcessingJob`` request. Pure (no AWS calls), so every rule is testable offline.

Why a SageMaker **Processing** job on a CPU instance:
- optimum-neuron 0.4.x (the ``hf-vllm-neuron`` image) compiles without a Neuron device when given
  ``--instance_type`` (``optimum/commands/export/neuronx.py`` v0.4.5 sets NEURON_PLATFORM_TARGET_OVERRIDE; its
  export guide's CPU-only tip), and the image is the one the endpoint serves, so the optimum-neuron and
  neuronx-cc versions (both part of the artifact's key) are the serving ones.
- Neither job type offers an Inferentia2 instance: botocore's ``ProcessingInstanceType`` and
  ``TrainingInstanceType`` enums hold no ``ml.inf2.*`` (Training has ``ml.trn1.*``). A Neuron device is needed
  only by optimum-neuron 0.0.28 (the TGI image), which is refused here (see ``preset_problem``).
- A Processing output goes to exactly the S3 prefix we name, uncompressed (``S3Output.S3Uri``,
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingS3Output.html), so the URI to put
  into the config is known before the job starts; Training's uncompressed output
  (``CompressionType: NONE``) lands under ``<S3OutputPath>/<job>/output/model/``.
- Host memory: HF's own cache builder compiles on inf2.8xlarge (32 vCPU, 128 GiB) after CPU runners were
  "too limited in CPU/RAM" (optimum-neuron commit 18168588). The job also downloads the weights and shards them
  (so the artifacts carry weights and the endpoint can stay network-isolated), which holds the full state dict
  in memory. Estimate (UNCONFIRMED, no official figure): 64 GiB + 2 x weights.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from lambdas.common import tags
from lambdas.common.catalog import CATALOG_PATH
from ops.export_cli import ExportCliError, check_export_args, snapshot_versions
from stacks.compile_artifacts import ARTIFACTS_PREFIX, job_name_prefix
from stacks.config import Config, Endpoint
from stacks.config.neuron_snapshot import optimum_version
from stacks.containers import COMPILABLE_PRESETS, image_repository_and_tag
from stacks.dlc_registry import registry_account

#: Where the job downloads the model and writes the export, on its ML storage volume.
MODEL_DIR = "/opt/ml/processing/model"
OUTPUT_DIR = "/opt/ml/processing/output"
#: Host memory the exporter needs beyond twice the weights (GiB); an estimate, see the module docstring.
BASE_HOST_MEMORY_GIB = 64
#: Runtime bound of a job (hours): "30-60 minutes for large models" (optimum-neuron cache_system.mdx v0.4.5),
#: plus the download and the sharding; the API allows up to 777600 s.
DEFAULT_MAX_RUNTIME_HOURS = 3
MAX_RUNTIME_HOURS = 24
#: Downloads the weights, then runs the image's own exporter with the checked arguments ($3...). Each
#: ContainerEntrypoint item is at most 256 characters (API_AppSpecification).
SCRIPT = (
    "set -euo pipefail; python3 -c 'import sys; from huggingface_hub import snapshot_download as d; "
    'd(sys.argv[1], local_dir=sys.argv[2], allow_patterns=["*.json","*.safetensors","*.model","*.txt"])\' '
    '"$1" "$2"; shift 2; exec optimum-cli export neuron "$@"'
)
_S3_URI = re.compile(r"^s3://([^/]+)/(.*)$")


class CompilePlanError(ValueError):
    """The endpoint cannot be compiled by this job; ``problems`` holds ``field: problem; fix`` lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class CompileInstance:
    """A CPU instance type the compile job may run on, with its on-demand price (USD per hour)."""

    instance_type: str
    vcpus: int
    host_memory_gib: int
    hourly_price_usd: Decimal
    price_source_key: str
    price_source: str


@dataclass(frozen=True)
class StackOutputs:
    """What the inference stack exports for ``make compile``."""

    bucket_name: str
    key_arn: str
    role_arn: str


@dataclass(frozen=True)
class CompilePlan:
    """One compile job: its request, where the artifacts land and what it may cost."""

    job_name: str
    instance: CompileInstance
    max_runtime_hours: int
    artifacts_uri: str
    request: dict[str, Any]

    @property
    def max_cost_usd(self) -> Decimal:
        """Upper bound: hourly price x max runtime (the job stops there); storage and transfer excluded."""
        return (self.instance.hourly_price_usd * self.max_runtime_hours).quantize(Decimal("0.01"))


@cache
def compile_instances(path: Path = CATALOG_PATH) -> dict[str, CompileInstance]:
    """The catalog's ``compile_instances``, smallest first."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    found = [
        CompileInstance(
            instance_type=name,
            vcpus=int(entry["vcpus"]),
            host_memory_gib=int(entry["host_memory_gib"]),
            hourly_price_usd=Decimal(entry["hourly_price_usd"]),
            price_source_key=entry["price_source"],
            price_source=raw["sources"][entry["price_source"]],
        )
        for name, entry in raw["compile_instances"].items()
    ]
    return {i.instance_type: i for i in sorted(found, key=lambda i: i.host_memory_gib)}


def host_memory_needed_gib(endpoint: Endpoint) -> int:
    """Estimated host memory of download + export + sharding (GiB): 64 + 2 x weights."""
    return BASE_HOST_MEMORY_GIB + math.ceil(2 * endpoint.weights_gib)


def volume_size_gb(endpoint: Endpoint) -> int:
    """ML storage: the download, the sharded copy and the compiler's work files: 3 x weights (GB) + 50."""
    weights_gb = endpoint.parameters_billion * 2  # bf16: 2 bytes per parameter, 1e9 parameters = 1 GB
    return math.ceil(weights_gb * 3) + 50


def export_args(endpoint: Endpoint) -> list[str]:
    """``optimum-cli export neuron`` arguments for the endpoint's settings.

    No dtype flag: for decoder LLMs optimum-neuron 0.4.x takes the dtype from the model's config and drops
    ``--auto_cast_type`` (``maybe_export_from_neuron_model_class``, optimum/exporters/neuron/__main__.py v0.4.5).
    ``--instance_type inf2`` is required without a Neuron device and normalises to target ``trn1``, the value
    ``optimum-cli neuron serve`` compares with the serving host (inf2 -> trn1, optimum/neuron/utils/instance.py).
    """
    return [
        "--model",
        MODEL_DIR,
        "--task",
        "text-generation",
        "--instance_type",
        "inf2",
        "--batch_size",
        str(endpoint.batch_size),
        "--sequence_length",
        str(endpoint.max_sequence_length),
        "--tensor_parallel_size",
        str(endpoint.tensor_parallel_degree),
        OUTPUT_DIR,
    ]


def preset_problem(path: str, endpoint: Endpoint) -> str | None:
    """Why the job cannot compile this endpoint's container, or None."""
    preset = endpoint.container.preset
    if preset == "custom":
        return (
            f"{path}.container.preset: 'custom' images have no exporter make compile knows; export with your "
            "image and upload the result under the artifacts bucket's compiled/ prefix"
        )
    if preset not in COMPILABLE_PRESETS:
        return (
            f"{path}.container.preset: {preset!r} ships optimum-neuron 0.0.28, which exports decoder models only on "
            "a Neuron device ('Decoder models can only be exported on a neuron platform.', modeling_decoder.py "
            "v0.0.28), and SageMaker Processing offers no Neuron instance; use preset 'hf-vllm-neuron', or run "
            "the TGI image's `optimum-cli export neuron` on an inf2 EC2 instance and upload its output"
        )
    return None


def plan_problems(path: str, endpoint: Endpoint, instance_type: str | None) -> list[str]:
    """Every reason the job cannot compile ``endpoint`` (``field: problem; fix``)."""
    problem = preset_problem(path, endpoint)
    if problem:
        return [problem]
    problems: list[str] = []
    _, tag = image_repository_and_tag(endpoint)
    version = optimum_version(tag)
    if version not in snapshot_versions():
        problems.append(
            f"{path}.container.version: {tag!r} ships optimum-neuron {version or '(unknown)'}, whose export options "
            f"are not snapshotted (have {', '.join(snapshot_versions())}); run `python -m ops.export_cli_snapshot "
            f"--repo PATH --tag v{version or 'X.Y.Z'}` or use the preset's default version"
        )
    elif problem := _export_cli_problem(path, version, endpoint):
        problems.append(problem)
    if endpoint.container.hf_token_secret_name:
        # Gated models are exactly those the config requires a token secret for (stacks.config).
        problems.append(
            f"{path}.model_id: {endpoint.model_id} needs a Hugging Face token (container.hf_token_secret_name); "
            "the job would need HF_TOKEN in its environment, "
            "which DescribeProcessingJob shows to anyone allowed to call it; export it yourself with a token and "
            "upload the output, or use an ungated model"
        )
    try:
        choose_instance(endpoint, instance_type)
    except CompilePlanError as exc:
        problems += [f"{path}.{p}" for p in exc.problems]
    return problems


def _export_cli_problem(path: str, version: str, endpoint: Endpoint) -> str | None:
    try:
        check_export_args(version, export_args(endpoint))
    except ExportCliError as exc:
        return f"{path}: optimum-neuron {version} would refuse the export command ({exc}); fix the endpoint's settings"
    return None


def choose_instance(endpoint: Endpoint, instance_type: str | None) -> CompileInstance:
    """The named compile instance, else the smallest whose host memory holds the estimate."""
    instances = compile_instances()
    need = host_memory_needed_gib(endpoint)
    if instance_type is not None:
        if instance_type not in instances:
            raise CompilePlanError(
                [
                    f"instance_type: {instance_type!r} is not a compile instance; use one of {', '.join(instances)}"
                ]
            )
        return instances[instance_type]
    for instance in instances.values():
        if instance.host_memory_gib >= need:
            return instance
    largest = list(instances.values())[-1]
    raise CompilePlanError(
        [
            f"parameters_billion: {endpoint.parameters_billion}B parameters need about {need} GiB of host memory to "
            f"export with weights (estimate 64 GiB + 2 x weights), more than {largest.instance_type} has "
            f"({largest.host_memory_gib} GiB); export on a larger machine and upload the output"
        ]
    )


def job_name(project: str, endpoint: Endpoint, now: datetime) -> str:
    """``<project[:18]>-compile-<endpoint[:18]>-<UTC yyyymmddHHMMSS>`` (the API allows 63 characters)."""
    return f"{job_name_prefix(project)}{endpoint.name[:18]}-{now:%Y%m%d%H%M%S}"


def image_uri(endpoint: Endpoint, region: str) -> str:
    """The endpoint's serving image in ``region`` (the job runs the same optimum-neuron and neuronx-cc)."""
    repository, tag = image_repository_and_tag(endpoint)
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{registry_account(region)}.dkr.ecr.{region}.{suffix}/{repository}:{tag}"


def build_plan(
    config: Config,
    endpoint: Endpoint,
    *,
    region: str,
    outputs: StackOutputs,
    now: datetime,
    max_runtime_hours: int = DEFAULT_MAX_RUNTIME_HOURS,
    instance_type: str | None = None,
) -> CompilePlan:
    """The job for ``endpoint``; raises CompilePlanError listing every problem."""
    index = config.endpoints.index(endpoint)
    path = f"endpoints[{index}]"
    problems = plan_problems(path, endpoint, instance_type)
    if not 1 <= max_runtime_hours <= MAX_RUNTIME_HOURS:
        problems.append(
            f"--max-runtime-hours: {max_runtime_hours} is outside 1-{MAX_RUNTIME_HOURS}; pick a value in it"
        )
    if problems:
        raise CompilePlanError(problems)
    instance = choose_instance(endpoint, instance_type)
    name = job_name(config.project, endpoint, now)
    artifacts_uri = f"s3://{outputs.bucket_name}/{ARTIFACTS_PREFIX}{endpoint.name}/{name}/"
    request: dict[str, Any] = {
        "ProcessingJobName": name,
        "RoleArn": outputs.role_arn,
        "AppSpecification": {
            "ImageUri": image_uri(endpoint, region),
            "ContainerEntrypoint": ["/bin/bash", "-c", SCRIPT, "infersave-compile"],
            "ContainerArguments": [endpoint.model_id, MODEL_DIR, *export_args(endpoint)],
        },
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": instance.instance_type,
                "VolumeSizeInGB": volume_size_gb(endpoint),
                "VolumeKmsKeyId": outputs.key_arn,
            }
        },
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "neuron-artifacts",
                    "S3Output": {"S3Uri": artifacts_uri, "LocalPath": OUTPUT_DIR, "S3UploadMode": "EndOfJob"},
                }
            ],
            "KmsKeyId": outputs.key_arn,
        },
        # The job downloads from the Hugging Face Hub (weights, and NEFFs already in the public cache).
        "NetworkConfig": {"EnableNetworkIsolation": False},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime_hours * 3600},
        "Environment": {"HF_HUB_DISABLE_TELEMETRY": "1"},
        "Tags": [
            {"Key": tags.PROJECT, "Value": config.project},
            {"Key": tags.ENDPOINT, "Value": config.endpoint_name(endpoint)},
        ],
    }
    return CompilePlan(
        job_name=name,
        instance=instance,
        max_runtime_hours=max_runtime_hours,
        artifacts_uri=artifacts_uri,
        request=request,
    )


def artifacts_prefix_of(uri: str) -> tuple[str, str]:
    """(bucket, key prefix) of an ``s3://`` URI."""
    match = _S3_URI.match(uri)
    if not match:
        raise ValueError(f"{uri!r} is not s3://bucket/prefix/")
    return match.group(1), match.group(2)
