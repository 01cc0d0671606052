"""Rebuild the bundled Neuron cache snapshot (``stacks/config/neuron_cache.json``) from the Hugging Face Hub.

``python -m ops.refresh_neuron_cache [--output PATH]`` needs the network (huggingface.co, raw.githubusercontent.com);
tests run its parsing on fixtures only. For each optimum-neuron version already in the snapshot it:

1. reads the cache builder's matrix at that version's git tag (``.github/workflows/cache_llm.yml`` since v0.4.1,
   ``inference_cache_llm.yml`` before): the ``inference-cache-config/*.json`` files built for that version;
2. reads those files from the hub repo ``aws-neuron/optimum-neuron-cache`` (``{model_id: [{batch_size,
   sequence_length, num_cores | tensor_parallel_size, auto_cast_type?, instance_type?}]}``, the format
   ``tools/cache/auto_fill_llm_cache.py`` reads); files without a dtype use the model's own ``config.json`` dtype;
3. lists the version's registry (``neuronxcc-<neuronx-cc>*/0_REGISTRY/<version>/``), reads its entries, and marks
   the configurations it holds ``registry`` (seen), the others ``builder-matrix`` (listed, not seen).

Entries whose target is trn2 (never served on inf2) or without a sequence length are left out.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from stacks.config.neuron_snapshot import INF2_TARGET, SNAPSHOT_PATH

HUB_REPO = "aws-neuron/optimum-neuron-cache"
HUB = "https://huggingface.co"
CONFIG_URL = f"{HUB}/{HUB_REPO}/raw/main/inference-cache-config/{{name}}.json"
TREE_URL = f"{HUB}/api/models/{HUB_REPO}/tree/main/{{path}}"
FILE_URL = f"{HUB}/{HUB_REPO}/resolve/main/{{path}}"
MODEL_CONFIG_URL = f"{HUB}/{{model_id}}/raw/main/config.json"
WORKFLOW_URL = (
    "https://raw.githubusercontent.com/huggingface/optimum-neuron/v{version}/.github/workflows/{file}"
)
#: inf2, trn1 and trn1n compile for the same target (optimum/neuron/utils/instance.py).
_INF2_INSTANCE_TYPES = {"inf2", "trn1", "trn1n"}
_DTYPES = {"bf16": "bf16", "bfloat16": "bf16", "torch.bfloat16": "bf16", "fp16": "fp16", "float16": "fp16",
           "torch.float16": "fp16", "fp32": "fp32", "float32": "fp32", "torch.float32": "fp32"}  # fmt: skip

Fetch = Callable[[str], bytes]


def http_get(url: str) -> bytes:
    """GET ``url`` (30 s timeout); HTTP errors propagate with the URL in the message."""
    request = urllib.request.Request(url, headers={"User-Agent": "infersave-refresh-neuron-cache"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - fixed https URLs above
        body: bytes = response.read()
        return body


def parse_matrix(workflow_yaml: str) -> list[str]:
    """The ``config`` matrix of the cache builder workflow: names like ``trn1/qwen3`` or ``qwen2.5``."""
    workflow = yaml.safe_load(workflow_yaml)
    names: list[str] = []
    for job in workflow.get("jobs", {}).values():
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        names += [str(n) for n in matrix.get("config", [])]
    return names


def normalise_dtype(value: object) -> str | None:
    """``bf16`` / ``fp16`` / ``fp32`` from the spellings optimum-neuron and transformers use; None if unknown."""
    return _DTYPES.get(str(value)) if value else None


def parse_config_file(name: str, document: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Entries of one inference-cache-config file that an inf2 host can be served (target trn1)."""
    entries = []
    for model_id, configs in document.items():
        for config in configs:
            instance_type = str(config.get("instance_type", INF2_TARGET))
            tp = config.get("tensor_parallel_size", config.get("num_cores"))
            if (
                instance_type not in _INF2_INSTANCE_TYPES
                or tp is None
                or config.get("sequence_length") is None
            ):
                continue
            entries.append(
                {
                    "model_id": model_id,
                    "batch_size": int(config["batch_size"]),
                    "sequence_length": int(config["sequence_length"]),
                    "tensor_parallel_size": int(tp),
                    "dtype": normalise_dtype(config.get("auto_cast_type")),
                    "config_file": f"{name}.json",
                }
            )
    return entries


def parse_registry_entry(path: str, document: dict[str, Any]) -> dict[str, Any] | None:
    """A registry file's configuration: 0.4.x ``{..., "neuron": {batch_size, sequence_length, tp_degree,
    torch_dtype, target}, "_model_id"}``; 0.0.x ``{..., "neuron": {batch_size, sequence_length, num_cores,
    auto_cast_type, checkpoint_id}}`` under ``<model_type>/<org>/<model>/<hash>.json``."""
    neuron = document.get("neuron")
    if not isinstance(neuron, dict) or neuron.get("target", INF2_TARGET) != INF2_TARGET:
        return None
    parts = path.split("/")
    model_id = document.get("_model_id") or neuron.get("checkpoint_id") or "/".join(parts[-3:-1])
    tp = neuron.get("tp_degree", neuron.get("num_cores"))
    if tp is None or neuron.get("sequence_length") is None:
        return None
    return {
        "model_id": str(model_id),
        "batch_size": int(neuron["batch_size"]),
        "sequence_length": int(neuron["sequence_length"]),
        "tensor_parallel_size": int(tp),
        "dtype": normalise_dtype(neuron.get("auto_cast_type") or neuron.get("torch_dtype")),
        "registry_path": path,
    }


def _key(entry: dict[str, Any]) -> tuple[str, int, int, int]:
    return (
        entry["model_id"].casefold(),
        entry["batch_size"],
        entry["sequence_length"],
        entry["tensor_parallel_size"],
    )


def merge(
    listed: Iterable[dict[str, Any]], registry: Iterable[dict[str, Any]], date: str
) -> list[dict[str, Any]]:
    """Listed configurations with their confidence: ``registry`` when the version's registry holds them,
    else ``builder-matrix``; registry entries nobody listed are kept as ``registry``."""
    seen = {_key(r): r for r in registry}
    merged: dict[tuple[str, int, int, int], dict[str, Any]] = {}
    for entry in listed:
        hit = seen.get(_key(entry))
        merged[_key(entry)] = {
            **entry,
            "confidence": "registry" if hit else "builder-matrix",
            "source": f"{HUB_REPO} {hit['registry_path'] if hit else 'inference-cache-config/' + entry['config_file']}, "
            f"read {date}",
        }
    for key, hit in seen.items():
        if key not in merged:
            merged[key] = {
                **{k: v for k, v in hit.items() if k != "registry_path"},
                "config_file": "-",
                "confidence": "registry",
                "source": f"{HUB_REPO} {hit['registry_path']}, read {date}",
            }
    return sorted(merged.values(), key=lambda e: (e["model_id"], e["tensor_parallel_size"], e["batch_size"]))


def list_tree(fetch: Fetch, path: str, recursive: bool) -> list[dict[str, Any]]:
    """Files and folders under ``path`` of the cache repo (HF ``/api/models/.../tree``, 1,000 per page by cursor)."""
    items: list[dict[str, Any]] = []
    query = {"recursive": "true"} if recursive else {}
    cursor: str | None = None
    while True:
        page_query = {**query, **({"cursor": cursor} if cursor else {})}
        url = TREE_URL.format(path=urllib.parse.quote(path)) + (
            f"?{urllib.parse.urlencode(page_query)}" if page_query else ""
        )
        page = json.loads(fetch(url))
        items += page if isinstance(page, list) else page.get("items", [])
        cursor = page.get("nextCursor") if isinstance(page, dict) else None
        if not cursor:
            return items


def registry_entries(fetch: Fetch, version: str, neuronx_cc: str) -> list[dict[str, Any]]:
    """Configurations in ``neuronxcc-<neuronx_cc>*/0_REGISTRY/<version>``; empty when the folder does not exist."""
    roots = [
        i["path"]
        for i in list_tree(fetch, "", recursive=False)
        if i["path"].startswith(f"neuronxcc-{neuronx_cc}")
    ]
    found = []
    for root in roots:
        try:
            files = list_tree(fetch, f"{root}/0_REGISTRY/{version}", recursive=True)
        except OSError:  # 404: no registry for this version
            continue
        for item in files:
            if item.get("type") == "file" and item["path"].endswith(".json"):
                entry = parse_registry_entry(
                    item["path"], json.loads(fetch(FILE_URL.format(path=item["path"])))
                )
                if entry:
                    found.append(entry)
    unique = {_key(e): e for e in found}
    return list(unique.values())


def model_dtype(fetch: Fetch, model_id: str) -> str | None:
    """The dtype in the model's own config.json (what optimum-neuron 0.4.x compiles with); None if unreadable."""
    try:
        config = json.loads(fetch(MODEL_CONFIG_URL.format(model_id=model_id)))
    except (OSError, ValueError):
        return None  # gated or missing: the entry then matches any dtype
    return normalise_dtype(config.get("dtype") or config.get("torch_dtype"))


def refresh_version(fetch: Fetch, version: str, meta: dict[str, Any], date: str) -> dict[str, Any]:
    """One version's block of the snapshot, rebuilt from the hub (``meta`` keeps its image and compiler)."""
    workflow = fetch(WORKFLOW_URL.format(version=version, file=meta["builder"]["workflow"])).decode()
    configs = parse_matrix(workflow)
    listed: list[dict[str, Any]] = []
    not_retrieved: list[str] = []
    for name in configs:
        try:
            listed += parse_config_file(name, json.loads(fetch(CONFIG_URL.format(name=name))))
        except (OSError, ValueError):
            not_retrieved.append(f"{name}.json")
    dtypes: dict[str, str | None] = {}
    for entry in listed:
        if entry["dtype"] is None:
            if entry["model_id"] not in dtypes:
                dtypes[entry["model_id"]] = model_dtype(fetch, entry["model_id"])
            entry["dtype"] = dtypes[entry["model_id"]]
    registry = registry_entries(fetch, version, meta["neuronx_cc"])
    return {
        **meta,
        "builder": {**meta["builder"], "configs": configs},
        "configs_not_retrieved": not_retrieved,
        "entries": merge(listed, registry, date),
    }


def render(snapshot: dict[str, Any]) -> str:
    """The snapshot as indented JSON with one entry per line (reviewable diffs)."""
    one_line: dict[str, str] = {}
    versions = {}
    for version, block in snapshot["versions"].items():
        tokens = []
        for entry in block["entries"]:
            token = f"@entry{len(one_line)}@"
            one_line[f'"{token}"'] = json.dumps(entry)
            tokens.append(token)
        versions[version] = {**block, "entries": tokens}
    text = json.dumps({**snapshot, "versions": versions}, indent=2)
    for token, entry in one_line.items():
        text = text.replace(token, entry)
    return text + "\n"


def refresh(fetch: Fetch, current: dict[str, Any], date: str) -> dict[str, Any]:
    """The whole snapshot rebuilt for the versions ``current`` lists."""
    versions = {v: refresh_version(fetch, v, {k: m for k, m in meta.items() if k not in {"entries", "configs_not_retrieved"}}, date)
                for v, meta in current["versions"].items()}  # fmt: skip
    return {**current, "snapshot_date": date, "live_hub_read": True, "versions": versions}


def main(argv: list[str] | None = None) -> int:
    """Refresh the snapshot in place (or to ``--output``); exits 1 with the reason when the hub is unreachable."""
    parser = argparse.ArgumentParser(
        prog="python -m ops.refresh_neuron_cache", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--output", type=Path, default=SNAPSHOT_PATH, help="where to write (default: the bundled file)"
    )
    args = parser.parse_args(argv)
    current = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))
    date = datetime.now(UTC).date().isoformat()
    try:
        snapshot = refresh(http_get, current, date)
    except OSError as exc:
        print(f"refresh_neuron_cache: could not read the hub: {exc}", file=sys.stderr)
        return 1
    args.output.write_text(render(snapshot), encoding="utf-8")
    counts = ", ".join(f"{v}: {len(b['entries'])} entries" for v, b in snapshot["versions"].items())
    print(f"wrote {args.output} ({counts})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
