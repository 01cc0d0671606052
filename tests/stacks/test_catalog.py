"""The bundled catalog is internally consistent (the stacks and the Lambda read the same file)."""

from __future__ import annotations

import json
from decimal import Decimal

from lambdas.common.catalog import CATALOG_PATH, load_catalog


def test_every_price_has_a_known_source_and_is_positive() -> None:
    catalog = load_catalog()
    for spec in catalog.instances.values():
        if spec.hourly_price_usd is None:
            assert spec.price_source is None, spec.instance_type
            continue
        assert spec.hourly_price_usd > 0, spec.instance_type
        assert spec.price_source in catalog.sources, spec.instance_type


def test_inferentia2_layout_follows_the_chip() -> None:
    # One Inferentia2 chip = 2 NeuronCores-v2 + 32 GiB HBM.
    for spec in load_catalog().instances.values():
        if spec.is_inferentia2:
            assert spec.neuron_cores == 2 * spec.chips, spec.instance_type
            assert spec.accelerator_memory_gib == 32 * spec.chips, spec.instance_type
            assert spec.memory_per_neuron_core_gib == Decimal(16)
            assert not spec.local_nvme, "inf2 uses EBS volumes (KmsKeyId and VolumeSizeInGB allowed)"
        else:
            assert spec.neuron_cores == 0, spec.instance_type


def test_gpu_memory_per_device_matches_the_family() -> None:
    per_gpu_gib = {"g5": 24, "g6": 24, "g6e": 48, "p4d": 40}
    for spec in load_catalog().instances.values():
        if not spec.is_inferentia2:
            assert spec.accelerator_memory_gib == per_gpu_gib[spec.family] * spec.chips, spec.instance_type


def test_price_grows_with_size_within_inf2() -> None:
    catalog = load_catalog()
    prices = [catalog.instances[t].hourly_price_usd for t in catalog.inferentia2_types]
    assert prices == sorted(prices)
    assert (
        catalog.instances["ml.inf2.48xlarge"].hourly_price_usd
        == 2 * catalog.instances["ml.inf2.24xlarge"].hourly_price_usd
    )


def test_names_are_sagemaker_types_and_prices_exact_strings() -> None:
    raw = json.loads(CATALOG_PATH.read_text())
    for name, entry in raw["instances"].items():
        assert name.startswith("ml."), name
        assert entry["hourly_price_usd"] is None or isinstance(entry["hourly_price_usd"], str), (
            f"{name}: prices are strings so they parse to exact Decimals"
        )
