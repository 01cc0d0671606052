"""Neuron cache readiness at synth: would the Hugging Face Neuron container start this configuration?

An endpoint passes when its configuration is in the bundled snapshot for its image's optimum-neuron version
(:mod:`stacks.config.neuron_snapshot`), it has precompiled artifacts, or it compiles at start-up where that can
work (vLLM DLC only, within the bounds below). Custom images are not checked.
"""

from __future__ import annotations

from decimal import Decimal

from lambdas.common.catalog import Catalog
from stacks.config.neuron_snapshot import CachedVersion, NeuronShape, Snapshot, load_snapshot, optimum_version
from stacks.config.schema import TIMEOUT_RANGE_SECONDS, Endpoint

#: Compile at start-up needs host memory for the parallel neuronx-cc jobs. No official figure exists; Hugging
#: Face builds every cached configuration on inf2.8xlarge (128 GiB; optimum-neuron ``.github/workflows/
#: cache_llm.yml`` at v0.4.5, runner group aws-inf2-8xlarge) after its CPU runners' compilations were killed
#: for lack of RAM (optimum-neuron commit 18168588, 2025-10-20), and a Llama-3.1-8B compile was killed on a
#: 32 GiB trn1.2xlarge (aws-neuron/neuronx-distributed issue #53). So infersave asks for what is known to work.
COMPILE_MIN_HOST_MEMORY_GIB = 128
#: The compile must fit the start-up health check, at most 3600 s (CreateEndpointConfig
#: ContainerStartupHealthCheckTimeoutInSeconds), together with the weights download and load. optimum-neuron's
#: docs give "30-60 minutes for large models" (docs/source/guides/cache_system.mdx, v0.4.5) and "sometimes more
#: than one hour" (export_model.mdx); no per-model figures are published. infersave allows compile at start-up
#: only for models up to this size (the 7-8B class) and asks the full 3600 s; larger models must be precompiled.
COMPILE_MAX_PARAMETERS_BILLION = Decimal(10)
COMPILE_HEALTH_CHECK_SECONDS = TIMEOUT_RANGE_SECONDS[1]


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
    if "SM_ON_ALLOW_NON_CACHED_MODEL" in endpoint.container.environment:
        return [
            f"{path}.container.environment: SM_ON_ALLOW_NON_CACHED_MODEL bypasses the Neuron cache check and its "
            "bounds; remove it and set compile_at_startup: true"
        ]
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
