"""The bundled instance catalog (``instance_catalog.json``): specs and on-demand hosting prices.

Loaded by the CDK app (validation, estimates) and by the Lambda functions (price fallback), so it has
no dependency beyond the standard library. Prices are USD per instance-hour in ``price_region``;
every price carries the key of its source in ``sources``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

CATALOG_PATH = Path(__file__).with_name("instance_catalog.json")


@dataclass(frozen=True)
class InstanceSpec:
    """One SageMaker instance type: accelerator layout and on-demand hosting price."""

    instance_type: str
    family: str
    accelerator: str
    chips: int
    neuron_cores: int
    accelerator_memory_gib: int
    vcpus: int
    host_memory_gib: int
    local_nvme: bool
    hourly_price_usd: Decimal | None
    price_source: str | None

    @property
    def is_inferentia2(self) -> bool:
        """True for ``ml.inf2.*`` types."""
        return self.family == "inf2"

    @property
    def memory_per_neuron_core_gib(self) -> Decimal:
        """Accelerator memory one NeuronCore can address (GiB); 0 for GPU types."""
        if not self.neuron_cores:
            return Decimal(0)
        return Decimal(self.accelerator_memory_gib) / Decimal(self.neuron_cores)


@dataclass(frozen=True)
class Catalog:
    """All instance types of the catalog, keyed by SageMaker instance type (``ml.inf2.xlarge``)."""

    currency: str
    price_region: str
    sources: dict[str, str]
    instances: dict[str, InstanceSpec]

    def get(self, instance_type: str) -> InstanceSpec | None:
        """The spec of ``instance_type``, or None if the catalog does not list it."""
        return self.instances.get(instance_type)

    @property
    def inferentia2_types(self) -> list[str]:
        """Inferentia2 instance types, smallest first."""
        specs = [s for s in self.instances.values() if s.is_inferentia2]
        specs.sort(key=lambda s: (s.neuron_cores, s.vcpus))
        return [s.instance_type for s in specs]


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Parse the catalog file; raises ValueError naming the entry and field that is malformed."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    instances: dict[str, InstanceSpec] = {}
    for name, entry in raw["instances"].items():
        try:
            price = entry["hourly_price_usd"]
            instances[name] = InstanceSpec(
                instance_type=name,
                family=str(entry["family"]),
                accelerator=str(entry["accelerator"]),
                chips=int(entry["chips"]),
                neuron_cores=int(entry["neuron_cores"]),
                accelerator_memory_gib=int(entry["accelerator_memory_gib"]),
                vcpus=int(entry["vcpus"]),
                host_memory_gib=int(entry["host_memory_gib"]),
                local_nvme=bool(entry["local_nvme"]),
                hourly_price_usd=None if price is None else Decimal(str(price)),
                price_source=entry["price_source"],
            )
        except (KeyError, ValueError, ArithmeticError) as exc:
            raise ValueError(f"{path.name}: instance {name!r} is malformed: {exc!r}") from exc
    return Catalog(
        currency=str(raw["currency"]),
        price_region=str(raw["price_region"]),
        sources=dict(raw["sources"]),
        instances=instances,
    )
