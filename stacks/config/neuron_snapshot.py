"""The bundled Neuron cache snapshot, and what a Hugging Face Neuron container does with it at start-up.

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
rebuilds it). The synth check (:mod:`stacks.config.neuron_cache`) and the emulator's endpoint start-up
(:func:`startup_failure`, used by ``emulator/sagemaker.py``) share the matching below. Standard library only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SNAPSHOT_PATH = Path(__file__).with_name("neuron_cache.json")
#: ``optimum<version>`` inside a Hugging Face DLC tag, e.g. 0.11.0-optimum0.4.5-neuronx-py310-sdk2.26.1-ubuntu22.04.
_OPTIMUM_VERSION = re.compile(r"optimum(\d+\.\d+\.\d+)(?![.\d])")
#: The compile target optimum-neuron gives an inf2 host (``optimum/neuron/utils/instance.py``: inf2, trn1 and
#: trn1n all normalise to "trn1"); entries for "trn2" are never served on inf2.
INF2_TARGET = "trn1"

#: The messages the containers raise (copied from the sources cited in the module docstring).
_CACHE_URL = "https://huggingface.co/aws-neuron/optimum-neuron-cache"
_VLLM_EXPORT_URL = "https://huggingface.co/docs/optimum-neuron/main/en/guides/export_model"
_TGI_EXPORT_URL = "https://huggingface.co/docs/optimum-neuron/main/en/guides/export_model#exporting-neuron-models-using-neuronx-tgi"


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
