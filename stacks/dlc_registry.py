"""The Hugging Face Neuron images per preset: where each is published, by which registry account, with which tags.

Plain data read from ``data/container_images.json`` (parsed from aws/sagemaker-python-sdk's ``image_uri_config``
files; source commit and date inside; refreshed by ``python -m ops.refresh_images``). The config's region and
version checks and the containers module both read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

IMAGES_FILE = Path(__file__).resolve().parent.parent / "data" / "container_images.json"


@dataclass(frozen=True)
class PublishedImage:
    """One preset's image: ECR repository, region -> registry account, and every published tag."""

    repository: str
    registries: dict[str, str]
    tags: tuple[str, ...]

    @property
    def regions(self) -> tuple[str, ...]:
        """Regions where the image is published, sorted."""
        return tuple(sorted(self.registries))


@cache
def published_images() -> dict[str, PublishedImage]:
    """Preset name -> its published image (SDK tags first, then the file's ``additional_tags``)."""
    data = json.loads(IMAGES_FILE.read_text(encoding="utf-8"))
    return {
        preset: PublishedImage(
            repository=entry["repository"],
            registries=dict(entry["registries"]),
            tags=(*entry["tags"], *(extra["tag"] for extra in entry.get("additional_tags", []))),
        )
        for preset, entry in data["presets"].items()
    }


def registry_accounts() -> dict[str, str]:
    """Region -> DLC registry account, over every preset (one account per region; a conflict is a data error)."""
    accounts: dict[str, str] = {}
    for preset, image in published_images().items():
        for region, account in image.registries.items():
            if accounts.setdefault(region, account) != account:
                raise ValueError(
                    f"{IMAGES_FILE.name}: {preset} names account {account} for {region}, another preset {accounts[region]}"
                )
    return dict(sorted(accounts.items()))


def registry_account(region: str) -> str:
    """The DLC registry account that serves ``region``; KeyError if no preset's image is published there."""
    return registry_accounts()[region]


@dataclass(frozen=True)
class BaselineImage:
    """The GPU image of the same engine as a Neuron preset, for a calibration's temporary baseline endpoint."""

    engine: str
    repository: str
    tag: str
    registries: dict[str, str]
    source: str


@cache
def gpu_baselines() -> dict[str, BaselineImage]:
    """Neuron preset -> its GPU baseline image (``gpu_baselines`` of ``data/container_images.json``)."""
    data = json.loads(IMAGES_FILE.read_text(encoding="utf-8"))
    return {
        preset: BaselineImage(
            engine=entry["engine"],
            repository=entry["repository"],
            tag=entry["tag"],
            registries=dict(entry["registries"]),
            source=f"aws/sagemaker-python-sdk {data['source']['commit'][:12]} {entry['sdk_file']} version {entry['version']}",
        )
        for preset, entry in data.get("gpu_baselines", {}).items()
        if preset != "about"
    }
