"""``serving: inference_component``: scale to zero, NeuronCores per copy and packing fail at synth with a fix."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lambdas.common.catalog import load_catalog
from stacks.config import ConfigError, parse_config
from stacks.config.components import chips_per_copy, pack

ZEPHYR = {
    "name": "zephyr",
    "model_id": "HuggingFaceH4/zephyr-7b-beta",
    "parameters_billion": 7.24,
    "container": {"preset": "hf-tgi-neuron"},  # cached at batch 4 / seq 4096 / tp 2 / bf16 (0.0.28)
    "tensor_parallel_degree": 2,
    "copies": {"min": 0, "max": 1},
}


def _components(**changes: Any) -> dict[str, Any]:
    endpoint: dict[str, Any] = {
        "name": "dev",
        "model_id": "Qwen/Qwen3-8B",  # cached for optimum-neuron 0.4.5 at batch 4 / seq 4096 / tp 2
        "parameters_billion": 8,
        "instance_type": "ml.inf2.24xlarge",
        "tensor_parallel_degree": 2,
        "serving": "inference_component",
        "instances": {"initial": 1, "min": 0, "max": 1},
        "components": {
            "copies": {"min": 0, "max": 2},
            "models": [copy.deepcopy(ZEPHYR)],
            "scale_to_zero": {"enabled": True, "idle_minutes": 15},
        },
    }
    for path, value in changes.items():
        node: Any = endpoint
        parts = path.split("__")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        node[parts[-1]] = value
    return {"project": "p", "endpoints": [endpoint]}


def _problems(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return str(caught.value)


def test_two_models_sharing_an_instance_and_scaling_to_zero_are_valid() -> None:
    config = parse_config(_components())
    endpoint = config.endpoints[0]
    assert endpoint.scales_to_zero
    assert [m.name for m in endpoint.component_settings.models] == ["zephyr"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"instances__min": 1},
            "endpoints[0].instances.min: 1 keeps instances running, so scale to zero cannot happen",
        ),
        (
            {"components__copies__min": 1},
            "endpoints[0].components.copies.min: 1 keeps a copy (and its instance) running",
        ),
        (
            {"components__scale_to_zero__enabled": False},
            "endpoints[0].instances.min: 0 needs components.scale_to_zero.enabled: true",
        ),
        (
            {"components__models__0__tensor_parallel_degree": 1},
            "endpoints[0].components.models[0].tensor_parallel_degree: 1 NeuronCores per copy; an inference "
            "component asks for whole Inferentia2 chips (2 cores each)",
        ),
        (
            {"components__copies__max": 6},
            "endpoints[0].instances.max: the most copies (6 x dev (2 cores), 1 x zephyr (2 cores)) need 2 "
            "ml.inf2.24xlarge",
        ),
        (
            {"components__models__0__parameters_billion": 70},
            "endpoints[0].components.models[0].parameters_billion: 70B parameters in bf16",
        ),
        (
            {"components__models__0__batch_size": 7},
            "endpoints[0].components.models[0].model_id: HuggingFaceH4/zephyr-7b-beta at batch 7",
        ),
        (
            {"components__models__0__name": "DEV"},
            "endpoints[0].components.models: names must differ",
        ),
    ],
    ids=[
        "instances-min",
        "copies-min",
        "zero-off",
        "odd-cores",
        "packing",
        "weights",
        "neuron-cache",
        "names",
    ],
)
def test_bad_component_configs_name_the_field_and_the_fix(changes: dict[str, Any], message: str) -> None:
    assert message in _problems(_components(**changes))


def test_min_zero_is_refused_for_instance_serving() -> None:
    raw = _components(serving="instance")
    text = _problems(raw)
    assert "endpoints[0].components: set, but serving is 'instance'" in text
    assert "endpoints[0].instances.min: 0 needs inference components (scale to zero)" in text


def test_packing_counts_whole_chips_and_never_splits_a_copy() -> None:
    spec = load_catalog().instances["ml.inf2.24xlarge"]  # 6 chips
    assert chips_per_copy(2) == 1 and chips_per_copy(8) == 4
    assert pack(spec, [("a", 6, 2)]) == 1
    assert pack(spec, [("a", 2, 8)]) == 2  # 4 + 4 chips do not fit 6
    assert pack(spec, [("a", 1, 8), ("b", 2, 2)]) == 1
