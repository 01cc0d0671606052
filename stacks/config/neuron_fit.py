"""Neuron fit: tensor-parallel degree against the instance's NeuronCores, weights against accelerator memory."""

from __future__ import annotations

from decimal import Decimal

from lambdas.common.catalog import Catalog, InstanceSpec
from stacks.config.schema import Endpoint

#: NeuronCore counts the Neuron runtime accepts as a tensor-parallel degree on Inferentia2.
NEURON_TP_DEGREES = (1, 2, 4, 8, 12, 24)
#: Share of the accelerator memory of the cores used that weights may take; the rest is for the KV cache,
#: activations and the runtime. 0.8 = 20 % headroom.
WEIGHT_MEMORY_FRACTION = Decimal("0.8")


def neuron_problems(path: str, endpoint: Endpoint, catalog: Catalog) -> list[str]:
    spec = catalog.get(endpoint.instance_type)
    valid = ", ".join(catalog.inferentia2_types)
    if spec is None or not spec.is_inferentia2:
        return [
            f"{path}.instance_type: {endpoint.instance_type!r} is not an Inferentia2 type; use one of {valid}"
        ]
    problems = []
    tp = endpoint.tensor_parallel_degree
    accepted = [d for d in NEURON_TP_DEGREES if d <= spec.neuron_cores]
    if tp not in accepted:
        problems.append(
            f"{path}.tensor_parallel_degree: {tp} does not fit {spec.instance_type} "
            f"({spec.neuron_cores} NeuronCores); use one of {', '.join(map(str, accepted))} "
            "or a larger instance type"
        )
        return problems
    if endpoint.container.preset != "custom" and endpoint.precision in {"int8", "fp8"}:
        problems.append(
            f"{path}.precision: {endpoint.precision} weight quantization is not supported by preset "
            f"{endpoint.container.preset!r}; use bf16 or fp16, or a custom image that quantizes"
        )
    needed = endpoint.weights_gib / WEIGHT_MEMORY_FRACTION
    available = spec.memory_per_neuron_core_gib * tp
    if needed > available:
        problems.append(
            f"{path}.parameters_billion: {endpoint.parameters_billion}B parameters in {endpoint.precision} are "
            f"{endpoint.weights_gib:.1f} GiB of weights; with {int((1 - WEIGHT_MEMORY_FRACTION) * 100)} % headroom "
            f"they need {needed:.1f} GiB of accelerator memory, but tensor_parallel_degree {tp} on "
            f"{spec.instance_type} gives {available:.0f} GiB. {_what_fits(endpoint, catalog)}"
        )
    return problems


def _what_fits(endpoint: Endpoint, catalog: Catalog) -> str:
    """A suggestion: the smallest instance + TP that fits at this precision, or a precision that fits here."""
    needed = endpoint.weights_gib / WEIGHT_MEMORY_FRACTION
    fits: list[tuple[InstanceSpec, int]] = []
    for name in catalog.inferentia2_types:
        spec = catalog.instances[name]
        for tp in NEURON_TP_DEGREES:
            if tp <= spec.neuron_cores and spec.memory_per_neuron_core_gib * tp >= needed:
                fits.append((spec, tp))
                break
    hints = []
    if fits:
        spec, tp = fits[0]
        hints.append(f"Fits: {spec.instance_type} with tensor_parallel_degree {tp}")
    else:
        hints.append("No Inferentia2 instance holds these weights at this precision; use a smaller model")
    if endpoint.container.preset == "custom" and endpoint.precision in {"bf16", "fp16"}:
        half = endpoint.weights_gib / 2 / WEIGHT_MEMORY_FRACTION
        current = catalog.get(endpoint.instance_type)
        if current and half <= current.memory_per_neuron_core_gib * endpoint.tensor_parallel_degree:
            hints.append(f"or precision int8 on {current.instance_type}")
    return "; ".join(hints) + "."
