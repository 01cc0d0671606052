"""The Neuron cache refresher's parsing, on trimmed copies of the real files (no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ops.refresh_neuron_cache import (
    CONFIG_URL,
    FILE_URL,
    MODEL_CONFIG_URL,
    TREE_URL,
    WORKFLOW_URL,
    parse_config_file,
    parse_matrix,
    parse_registry_entry,
    refresh,
    render,
)
from stacks.config.neuron_snapshot import NeuronShape, parse_snapshot
from tests.conftest import FIXTURES

DIR = FIXTURES / "neuron_cache"
REGISTRY = "neuronxcc-2.21.33363.0+9c4bd4a4/0_REGISTRY/0.4.5"
ENTRY_PATH = f"{REGISTRY}/qwen3/Qwen/Qwen3-8B/abc123.json"


def test_matrix_lists_the_config_files_built_for_the_tag() -> None:
    assert parse_matrix((DIR / "cache_llm.yml").read_text()) == ["trn1/qwen3", "trn1/smollm3", "trn2/llama4"]


def test_config_file_entries_keep_inf2_targets_with_a_sequence_length() -> None:
    entries = parse_config_file("trn1/qwen3", json.loads((DIR / "qwen3.json").read_text()))
    assert [(e["model_id"], e["batch_size"], e["tensor_parallel_size"], e["dtype"]) for e in entries] == [
        ("Qwen/Qwen3-8B", 4, 2, None),  # trn1 files carry no dtype: the model's own
        ("Qwen/Qwen3-8B", 32, 8, None),
        ("Qwen/Qwen3-0.6B", 1, 2, "bf16"),  # legacy keys num_cores / auto_cast_type
    ]  # the entry without sequence_length is left out
    trn2 = parse_config_file("trn2/llama4", json.loads((DIR / "trn2_llama4.json").read_text()))
    assert trn2 == []


def test_registry_entry_of_0_4_x() -> None:
    entry = parse_registry_entry(ENTRY_PATH, json.loads((DIR / "registry_entry.json").read_text()))
    assert entry == {
        "model_id": "Qwen/Qwen3-8B",
        "batch_size": 4,
        "sequence_length": 4096,
        "tensor_parallel_size": 2,
        "dtype": "bf16",
        "registry_path": ENTRY_PATH,
    }


def _fake_hub() -> dict[str, bytes]:
    registry_files = [
        {"type": "file", "path": ENTRY_PATH},
        {"type": "directory", "path": f"{REGISTRY}/qwen3"},
    ]
    return {
        WORKFLOW_URL.format(version="0.4.5", file="cache_llm.yml"): (DIR / "cache_llm.yml").read_bytes(),
        CONFIG_URL.format(name="trn1/qwen3"): (DIR / "qwen3.json").read_bytes(),
        CONFIG_URL.format(name="trn2/llama4"): (DIR / "trn2_llama4.json").read_bytes(),
        MODEL_CONFIG_URL.format(
            model_id="Qwen/Qwen3-8B"
        ): b'{"model_type": "qwen3", "torch_dtype": "bfloat16"}',
        TREE_URL.format(path=""): json.dumps(
            [{"type": "directory", "path": "neuronxcc-2.21.33363.0+9c4bd4a4"}]
        ).encode(),
        TREE_URL.format(path=REGISTRY.replace("+", "%2B")) + "?recursive=true": json.dumps(
            registry_files
        ).encode(),
        FILE_URL.format(path=ENTRY_PATH): (DIR / "registry_entry.json").read_bytes(),
    }


def test_refresh_rebuilds_a_version_and_the_checker_reads_it() -> None:
    hub = _fake_hub()

    def fetch(url: str) -> bytes:
        if url not in hub:
            raise OSError(f"404 {url}")  # what urllib raises for a missing page
        return hub[url]

    current: dict[str, Any] = {
        "schema_version": 1,
        "snapshot_date": "2026-01-01",
        "versions": {
            "0.4.5": {"neuronx_cc": "2.21.33363.0", "builder": {"workflow": "cache_llm.yml"}, "entries": []}
        },
    }
    snapshot = refresh(fetch, current, "2026-12-01")

    block = snapshot["versions"]["0.4.5"]
    assert block["builder"]["configs"] == ["trn1/qwen3", "trn1/smollm3", "trn2/llama4"]
    assert block["configs_not_retrieved"] == ["trn1/smollm3.json"]
    confidence = {(e["model_id"], e["batch_size"]): (e["confidence"], e["dtype"]) for e in block["entries"]}
    assert confidence == {
        ("Qwen/Qwen3-0.6B", 1): ("builder-matrix", "bf16"),
        ("Qwen/Qwen3-8B", 4): ("registry", "bf16"),  # seen in 0_REGISTRY/0.4.5
        ("Qwen/Qwen3-8B", 32): ("builder-matrix", "bf16"),  # dtype from the model's config.json
    }
    parsed = parse_snapshot(json.loads(render(snapshot)))
    assert parsed.snapshot_date == "2026-12-01"
    assert parsed.versions["0.4.5"].find("qwen/qwen3-8b", NeuronShape(32, 4096, 8, "bf16")) is not None


def test_unreachable_hub_is_an_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ops import refresh_neuron_cache

    def offline(url: str) -> bytes:
        raise OSError("network is unreachable")

    monkeypatch.setattr(refresh_neuron_cache, "http_get", offline)
    assert refresh_neuron_cache.main(["--output", "/dev/null"]) == 1
    assert "could not read the hub: network is unreachable" in capsys.readouterr().err
