"""Region rules: the config accepts a region only where infersave's resources and images exist."""

from __future__ import annotations

from stacks.config.schema import Config
from stacks.dlc_registry import DLC_REGIONS


def region_problems(config: Config) -> list[str]:
    """``env.region`` must have a Hugging Face Neuron DLC registry."""
    if config.env.region and config.env.region not in DLC_REGIONS:
        return [
            f"env.region: {config.env.region} has no Hugging Face Neuron DLC registry infersave knows; use one of "
            f"{', '.join(sorted(DLC_REGIONS))}"
        ]
    return []
