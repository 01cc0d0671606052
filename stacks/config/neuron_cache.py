"""Neuron cache readiness: would the Hugging Face Neuron container start this configuration without compiling?

The Hugging Face Neuron containers serve only configurations found in the Neuron cache (hub repo
``aws-neuron/optimum-neuron-cache``) unless told to compile:

- vLLM DLC (optimum-neuron 0.4.5): ``optimum-cli neuron serve`` looks the model up with
  ``select_hub_cached_entries`` (exact batch size, sequence length, tensor-parallel degree and dtype, target
  ``trn1`` on inf2) and raises ``ValueError("No cached version found for ...")`` without
  ``--allow_non_cached_model`` (``optimum/commands/neuron/serve.py`` lines 173-225 at tag v0.4.5).
- TGI DLC (optimum-neuron 0.0.28): ``fetch_model`` raises ``ValueError("No cached version found for ...")`` unless
  every key of the export config (task, batch_size, num_cores, auto_cast_type, sequence_length, compiler) equals
  a cached entry; there is no flag to compile instead
  (``text-generation-inference/server/text_generation_server/model.py`` lines 35-51 and 95-107 at tag v0.0.28;
  the SageMaker image's ``sagemaker-entrypoint.sh`` starts ``text-generation-launcher`` directly).

The cache is keyed by the model's architecture and the exact optimum-neuron version (plus the neuronx-cc
version folder), so entries of another version are invisible. ``neuron_cache.json`` beside this module is a
dated snapshot of the cached configurations per optimum-neuron version (``python -m ops.refresh_neuron_cache``
rebuilds it). The synth check (:func:`neuron_cache_problems`) and the emulator's endpoint start-up
(:func:`startup_failure`, used by ``emulator/sagemaker.py``) share the matching below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from lambdas.common.catalog import Catalog
from stacks.config.schema import TIMEOUT_RANGE_SECONDS, Endpoint

SNAPSHOT_PATH = Path(__file__).with_name("neuron_cache.json")
#: ``optimum<version>`` inside a Hugging Face DLC tag, e.g. 0.11.0-optimum0.4.5-neuronx-py310-sdk2.26.1-ubuntu22.04.
_OPTIMUM_VERSION = re.compile(r"optimum(\d+\.\d+\.\d+)(?![.\d])")
#: The compile target optimum-neuron gives an inf2 host (``optimum/neuron/utils/instance.py``: inf2, trn1 and
#: trn1n all normalise to "trn1"); entries for "trn2" are never served on inf2.
INF2_TARGET = "trn1"

#: Compile at start-up needs host memory for the parallel neuronx-cc jobs. No official figure exists; Hugging
#: Face builds every cached configuration on inf2.8xlarge (128 GiB; optimum-neuron ``.github/workflows/
#: cache_llm.yml`` at v0.4.5, runner group aws-inf2-8xlarge) after its CPU runners' compilations were killed
#: for lack of RAM (optimum-neuron commit 18168588, 2025-10-17), and a Llama-3.1-8B compile was killed on a
#: 32 GiB trn1.2xlarge (aws-neuron/neuronx-distributed issue #53). So infersave asks for what is known to work.
COMPILE_MIN_HOST_MEMORY_GIB = 128
#: The compile must fit the start-up health check, at most 3600 s (CreateEndpointConfig
#: ContainerStartupHealthCheckTimeoutInSeconds), together with the weights download and load. optimum-neuron's
#: docs give "30-60 minutes for large models" (docs/source/guides/cache_system.mdx, v0.4.5) and "sometimes more
#: than one hour" (export_model.mdx); no per-model figures are published. infersave allows compile at start-up
#: only for models up to this size (the 7-8B class) and asks the full 3600 s; larger models must be precompiled.
COMPILE_MAX_PARAMETERS_BILLION = Decimal(10)
COMPILE_HEALTH_CHECK_SECONDS = TIMEOUT_RANGE_SECONDS[1]

#: The messages the containers raise (copied from the sources cited in the module docstring).
_CACHE_URL = "https://huggingface.co/aws-neuron/optimum-neuron-cache"
_VLLM_EXPORT_URL = "https://huggingface.co/docs/optimum-neuron/main/en/guides/export_model"
_TGI_EXPORT_URL = "https://huggingface.co/docs/optimum-neuron/main/en/guides/export_model#exporting-neuron-models-using-neuronx-tgi"
_DTYPE_NAMES = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}


@dataclass(frozen=True)
class NeuronShape:
    """The compiled sizes a cache entry is keyed by, besides the architecture. ``dtype`` None: the model's own
    (optimum-neuron 0.4.x serve reads it from the model's config, not from the caller)."""

    batch_size: int
    sequence_length: int
    tensor_parallel_size: int
    dtype: str | None

    def matches(self, other: NeuronShape) -> bool:
        """Exact equality of every size, as serve and TGI compare them; an unknown dtype matches any."""
        same_dtype = self.dtype is None or other.dtype is None or self.dtype == other.dtype
        return (
            self.batch_size == other.batch_size
            and self.sequence_length == other.sequence_length
            and self.tensor_parallel_size == other.tensor_parallel_size
            and same_dtype
        )

    def label(self) -> str:
        """``batch 4 / seq 4096 / tp 2 / bf16``: the config fields batch_size, max_sequence_length,
        tensor_parallel_degree, precision."""
        dtype = f" / {self.dtype}" if self.dtype else ""
        return f"batch {self.batch_size} / seq {self.sequence_length} / tp {self.tensor_parallel_size}{dtype}"


@dataclass(frozen=True)
class CachedEntry:
    """One cached configuration of one model, with where it was seen and how sure the snapshot is."""

    model_id: str
    shape: NeuronShape
    config_file: str
    confidence: str
    source: str


@dataclass(frozen=True)
class CachedVersion:
    """The cached configurations an image with this optimum-neuron version can serve."""

    optimum_version: str
    neuronx_cc: str
    entries: tuple[CachedEntry, ...]

    def of_model(self, model_id: str) -> list[CachedEntry]:
        """Entries of ``model_id`` (hub ids are case-insensitive)."""
        key = model_id.casefold()
        return [e for e in self.entries if e.model_id.casefold() == key]

    def find(self, model_id: str, shape: NeuronShape) -> CachedEntry | None:
        """The entry of ``model_id`` the container would pick for ``shape``, or None."""
        return next((e for e in self.of_model(model_id) if e.shape.matches(shape)), None)

    def with_shape(self, shape: NeuronShape) -> list[CachedEntry]:
        """Entries of any model with exactly these sizes."""
        return [e for e in self.entries if e.shape.matches(shape)]


@dataclass(frozen=True)
class Snapshot:
    """The bundled snapshot: cached configurations per optimum-neuron version, and when they were read."""

    snapshot_date: str
    versions: Mapping[str, CachedVersion]


def parse_snapshot(raw: Mapping[str, object]) -> Snapshot:
    """Build a :class:`Snapshot` from the JSON document (``neuron_cache.json``); KeyError/ValueError on bad data."""
    versions: dict[str, CachedVersion] = {}
    raw_versions = raw["versions"]
    assert isinstance(raw_versions, dict)
    for version, data in raw_versions.items():
        entries = tuple(
            CachedEntry(
                model_id=str(e["model_id"]),
                shape=NeuronShape(
                    int(e["batch_size"]),
                    int(e["sequence_length"]),
                    int(e["tensor_parallel_size"]),
                    str(e["dtype"]) if e.get("dtype") else None,
                ),
                config_file=str(e["config_file"]),
                confidence=str(e["confidence"]),
                source=str(e["source"]),
            )
            for e in data["entries"]
        )
        versions[version] = CachedVersion(version, str(data["neuronx_cc"]), entries)
    return Snapshot(snapshot_date=str(raw["snapshot_date"]), versions=versions)


@cache
def load_snapshot(path: Path = SNAPSHOT_PATH) -> Snapshot:
    """The bundled snapshot (read once per process)."""
    return parse_snapshot(json.loads(path.read_text(encoding="utf-8")))


def optimum_version(image: str) -> str | None:
    """The optimum-neuron version named in a Hugging Face DLC tag or image URI (``...-optimum0.4.5-...``)."""
    match = _OPTIMUM_VERSION.search(image.rsplit(":", 1)[-1])
    return match.group(1) if match else None


# --- what the container does at start-up (the emulator runs this on CreateEndpoint) ---------------------------


def startup_failure(
    image: str, environment: Mapping[str, str], has_model_data: bool, snapshot: Snapshot | None = None
) -> str | None:
    """The error a Hugging Face Neuron container stops with for this model definition, or None if it starts.

    ``image`` is the container image URI, ``environment`` its environment, ``has_model_data`` whether SageMaker
    mounts artifacts (ModelDataSource / ModelDataUrl) at /opt/ml/model. Images without an ``optimum<version>``
    tag, or with a version the snapshot does not know, are not judged (None). A model given as a local path
    (pre-exported artifacts) skips the cache, as in serve.py and model.py.
    """
    version = optimum_version(image)
    cached = (snapshot or load_snapshot()).versions.get(version or "")
    if cached is None:
        return None
    if "SM_ON_MODEL" in environment:
        return _vllm_failure(cached, environment, has_model_data)
    if "HF_MODEL_ID" in environment:
        return _tgi_failure(cached, environment, has_model_data)
    return None


def _int(environment: Mapping[str, str], key: str) -> int | None:
    value = environment.get(key, "")
    return int(value) if value.isdigit() else None


def _vllm_failure(cached: CachedVersion, env: Mapping[str, str], has_model_data: bool) -> str | None:
    model = env["SM_ON_MODEL"]
    # The entrypoint turns SM_ON_ALLOW_NON_CACHED_MODEL into --allow_non_cached_model (docker/vllm/Dockerfile).
    if has_model_data or model.startswith("/") or "SM_ON_ALLOW_NON_CACHED_MODEL" in env:
        return None
    batch, seq, tp = (
        _int(env, "SM_ON_BATCH_SIZE"),
        _int(env, "SM_ON_SEQUENCE_LENGTH"),
        _int(env, "SM_ON_TENSOR_PARALLEL_SIZE"),
    )
    if batch is None or seq is None or tp is None:
        # serve picks the largest cached entry of the model by itself; infersave always sets all three.
        if cached.of_model(model):
            return None
    elif cached.find(model, NeuronShape(batch, seq, tp, None)):
        return None
    # serve.py v0.4.5 lines 210-225, verbatim (its double commas included). The dtype is the model's own
    # (config.dtype); the emulator cannot read it and writes bfloat16, the only one infersave's vLLM preset allows.
    message = f"No cached version found for {model} instance type {INF2_TARGET},"
    if batch is not None:
        message += f", batch size = {batch}"
    if seq is not None:
        message += f", sequence length = {seq},"
    if tp is not None:
        message += f", tp = {tp}"
    message += ", dtype = torch.bfloat16"
    return (
        f"{message}.You can start a discussion to request it on {_CACHE_URL} Alternatively, you can export your own "
        f"neuron model as explained in {_VLLM_EXPORT_URL}"
    )


def _tgi_failure(cached: CachedVersion, env: Mapping[str, str], has_model_data: bool) -> str | None:
    model = env["HF_MODEL_ID"]
    if has_model_data or model.startswith("/"):
        return None
    batch = _int(env, "MAX_BATCH_SIZE") or 1
    seq = _int(env, "MAX_TOTAL_TOKENS")
    cores = _int(env, "HF_NUM_CORES")
    dtype = env.get("HF_AUTO_CAST_TYPE") or None
    if seq is None or cores is None:
        return None  # TGI would fill them from the model and host; infersave always sets both
    if cached.find(model, NeuronShape(batch, seq, cores, dtype)):
        return None
    # model.py v0.0.28 lines 99-107, verbatim; neuron_config as get_export_config builds it (its
    # checkpoint_revision is the hub commit SHA, unknown here).
    neuron_config = {
        "task": "text-generation",
        "batch_size": batch,
        "num_cores": cores,
        "auto_cast_type": dtype,
        "sequence_length": seq,
        "compiler_type": "neuronx-cc",
        "compiler_version": cached.neuronx_cc,
        "checkpoint_id": model,
        "checkpoint_revision": None,
    }
    return (
        f"No cached version found for {model} with {neuron_config}.You can start a discussion to request it on "
        f"{_CACHE_URL}Alternatively, you can export your own neuron model as explained in {_TGI_EXPORT_URL}"
    )


# --- the synth check -------------------------------------------------------------------------------------------


def endpoint_shape(endpoint: Endpoint) -> NeuronShape:
    """The sizes the preset's container is started with (``stacks/containers.py`` ``environment``)."""
    return NeuronShape(
        endpoint.batch_size, endpoint.max_sequence_length, endpoint.tensor_parallel_degree, endpoint.precision
    )


def _image_tag(endpoint: Endpoint) -> str:
    # Imported here: stacks.containers imports stacks.config (and aws_cdk), so a top-level import would be circular.
    from stacks.containers import image_repository_and_tag  # noqa: PLC0415

    return image_repository_and_tag(endpoint)[1]


def neuron_cache_problems(
    path: str, endpoint: Endpoint, catalog: Catalog, snapshot: Snapshot | None = None
) -> list[str]:
    """An endpoint passes when its configuration is cached for its image's optimum-neuron version, it has
    precompiled artifacts, or it compiles at start-up where that can work. Custom images are not checked."""
    if endpoint.container.preset == "custom":
        if endpoint.compile_at_startup:
            return [
                f"{path}.compile_at_startup: only the Hugging Face presets have a compile flag; a custom image "
                "compiles (or not) by its own settings in container.environment; remove compile_at_startup"
            ]
        return []
    snapshot = snapshot or load_snapshot()
    if endpoint.precompiled_artifacts_s3_uri:
        if endpoint.compile_at_startup:
            return [
                f"{path}.compile_at_startup: precompiled artifacts are served as they are, nothing is compiled; "
                "remove compile_at_startup or precompiled_artifacts_s3_uri"
            ]
        return []
    tag = _image_tag(endpoint)
    version = optimum_version(tag)
    known = ", ".join(sorted(snapshot.versions))
    if version is None:
        return [
            f"{path}.container.version: tag {tag!r} names no optimum-neuron version (optimum<x.y.z>), so the Neuron "
            f"cache cannot be checked; use a Hugging Face Neuron DLC tag with one of optimum {known}, or give "
            "precompiled_artifacts_s3_uri"
        ]
    cached = snapshot.versions.get(version)
    if cached is None:
        return [
            f"{path}.container.version: optimum-neuron {version} (tag {tag!r}) is not in the bundled Neuron cache "
            f"snapshot of {snapshot.snapshot_date} (it has {known}); the cache is per exact version, so use a tag "
            "with one of those, refresh the snapshot (python -m ops.refresh_neuron_cache), or give "
            "precompiled_artifacts_s3_uri"
        ]
    if endpoint.compile_at_startup:
        return compile_problems(path, endpoint, catalog)
    shape = endpoint_shape(endpoint)
    if cached.find(endpoint.model_id, shape):
        return []
    return [
        f"{path}.model_id: {endpoint.model_id} at {shape.label()} is not in the Hugging Face Neuron cache for "
        f'optimum-neuron {version} (snapshot {snapshot.snapshot_date}), so the container would stop with "No '
        f'cached version found" after the start-up wait. {_nearest(cached, endpoint.model_id, shape)} '
        f"Fix: use cached sizes; or precompile with `make compile ENDPOINT={endpoint.name}` and set "
        f"precompiled_artifacts_s3_uri; or {_compile_hint(endpoint, catalog)}"
    ]


def _nearest(cached: CachedVersion, model_id: str, shape: NeuronShape, limit: int = 6) -> str:
    same_model = sorted(
        cached.of_model(model_id),
        key=lambda e: (e.shape.tensor_parallel_size, e.shape.batch_size, e.shape.sequence_length),
    )
    parts = []
    if same_model:
        parts.append(f"Cached for {model_id}: {'; '.join(e.shape.label() for e in same_model)}.")
    else:
        parts.append(f"Nothing is cached for {model_id} in this version.")
    others = sorted(
        {e.model_id for e in cached.with_shape(shape) if e.model_id.casefold() != model_id.casefold()}
    )
    if others:
        parts.append(f"Cached at {shape.label()}: {', '.join(others[:limit])}.")
    return " ".join(parts)


def compile_problems(path: str, endpoint: Endpoint, catalog: Catalog) -> list[str]:
    """Why ``compile_at_startup`` cannot work for this endpoint, as ``field: problem; fix`` (empty when it can)."""
    return [
        f"{path}.compile_at_startup: {problem}; {fix}" for problem, fix in _compile_reasons(endpoint, catalog)
    ]


def _compile_reasons(endpoint: Endpoint, catalog: Catalog) -> list[tuple[str, str]]:
    """(problem, fix) pairs: why the container could not compile this endpoint's configuration at start-up."""
    if endpoint.container.preset == "hf-tgi-neuron":
        return [
            (
                "TGI-neuron (optimum-neuron 0.0.28) has no flag to compile a configuration the cache lacks (server "
                "model.py fetch_model raises)",
                "use cached sizes, precompiled_artifacts_s3_uri, or preset hf-vllm-neuron",
            )
        ]
    reasons = []
    spec = catalog.get(endpoint.instance_type)
    if spec is not None and spec.host_memory_gib < COMPILE_MIN_HOST_MEMORY_GIB:
        reasons.append(
            (
                f"{spec.instance_type} has {spec.host_memory_gib} GiB of host memory; compiling needs at least "
                f"{COMPILE_MIN_HOST_MEMORY_GIB} GiB (Hugging Face's cache builder compiles on inf2.8xlarge; smaller "
                "hosts had their compilations killed)",
                "use ml.inf2.8xlarge or larger, or precompile",
            )
        )
    if endpoint.parameters_billion > COMPILE_MAX_PARAMETERS_BILLION:
        reasons.append(
            (
                f"{endpoint.parameters_billion}B parameters; Neuron compilation of large models takes 30-60 minutes "
                f"or more (optimum-neuron docs) and must fit the {COMPILE_HEALTH_CHECK_SECONDS} s start-up limit "
                f"with the download, so infersave compiles at start-up only up to {COMPILE_MAX_PARAMETERS_BILLION}B",
                "precompile (make compile) instead",
            )
        )
    if endpoint.startup_health_check_seconds < COMPILE_HEALTH_CHECK_SECONDS:
        reasons.append(
            (
                f"timeouts.startup_health_check_seconds {endpoint.startup_health_check_seconds} leaves too little "
                "time to compile",
                f"use {COMPILE_HEALTH_CHECK_SECONDS} (SageMaker's maximum) or precompile",
            )
        )
    return reasons


def _compile_hint(endpoint: Endpoint, catalog: Catalog) -> str:
    reasons = _compile_reasons(endpoint, catalog)
    if not reasons:
        return "set compile_at_startup: true (the container compiles, up to an hour, within the health check)"
    return f"compile_at_startup, which cannot work here: {'; '.join(problem for problem, _ in reasons)}"
