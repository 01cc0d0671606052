"""Refresh the bundled region data: ``python -m ops.refresh_images [--sdk PATH] [--templates DIR]``.

Two files under ``data/``, each with its source and date inside:

- ``container_images.json``: per preset, the regions and registry accounts of the Hugging Face Neuron images and
  their published tags, parsed from aws/sagemaker-python-sdk's ``image_uri_config`` files. ``--sdk PATH`` reads a
  local checkout; without it the script clones the repository (the only network use, and only when run by hand).
  The file's ``additional_tags`` (tags published after the SDK's list, each with its own source) are kept.
- ``resource_regions.json``: for every CloudFormation type infersave deploys, the regions whose CloudFormation
  offers it, from the installed cfn-lint's region data (``cfnlint/data/schemas/providers/<region>.json``).
  The type list is the file's own plus those in the templates of ``--templates DIR`` (e.g. ``cdk.out``).

Synth reads these files; it never imports cfn-lint or touches the network.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IMAGES_FILE = ROOT / "data" / "container_images.json"
REGIONS_FILE = ROOT / "data" / "resource_regions.json"
SDK_REPOSITORY = "https://github.com/aws/sagemaker-python-sdk"
SDK_CONFIG_DIR = "sagemaker-core/src/sagemaker/core/image_uri_config"
#: Preset -> the SDK's image_uri_config file for it.
PRESET_FILES = {
    "hf-vllm-neuron": "huggingface-vllm-neuronx.json",
    "hf-tgi-neuron": "huggingface-llm-neuronx.json",
}
#: Neuron preset -> (the SDK file of the GPU image of the same engine, its pinned version, engine): the image a
#: calibration's temporary baseline endpoint runs (``gpu_baselines`` in the images file).
BASELINE_FILES = {
    "hf-tgi-neuron": ("huggingface-llm.json", "3.3.6", "tgi"),
    "hf-vllm-neuron": ("huggingface-vllm.json", "0.14.0", "vllm"),
}
#: Types CDK adds that CloudFormation's region data does not describe (CDK guards them with a region condition).
IGNORED_TYPES = ("AWS::CDK::Metadata",)


class RefreshError(RuntimeError):
    """The source did not have the shape this script reads."""


def image_tags(version: Mapping[str, Any]) -> list[str]:
    """Every image tag one SDK version entry publishes, built as the SDK's ``image_uris._format_tag`` does:
    ``<tag_prefix>-neuronx-<py>[-<neuron sdk>]-<os>`` (the Neuron SDK part only where ``sdk_versions`` is set)."""
    prefix = version["tag_prefix"]
    container_versions = sorted(set(version["container_version"].values()))
    tags = []
    for py in version["py_versions"]:
        for os_version in container_versions:
            for sdk in version.get("sdk_versions") or [None]:
                parts = [prefix, "neuronx", py, sdk, os_version]
                tags.append("-".join(p for p in parts if p))
    return tags


def parse_sdk_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """One ``image_uri_config`` file as ``{repository, registries, tags}``.

    ``registries`` (region -> account) are those of the newest version (versions are listed oldest first);
    a region missing from an older version's list does not matter: the tag check is separate.
    """
    scope = config.get("inference", config)
    versions = scope.get("versions")
    if not isinstance(versions, dict) or not versions:
        raise RefreshError("no 'versions' in the image_uri_config file")
    repositories = {v["repository"] for v in versions.values()}
    if len(repositories) != 1:
        raise RefreshError(f"expected one repository, found {sorted(repositories)}")
    newest = list(versions.values())[-1]
    tags: list[str] = []
    for version in versions.values():
        tags += image_tags(version)
    return {
        "repository": repositories.pop(),
        "registries": dict(sorted(newest["registries"].items())),
        "tags": tags,
    }


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git (found on PATH) and return its output."""
    executable = shutil.which("git")
    if executable is None:
        raise RefreshError("git is not on PATH")
    completed = subprocess.run(  # noqa: S603 - fixed git sub-commands of this module
        [executable, *args], cwd=cwd, check=True, capture_output=True, text=True
    )
    return completed.stdout.strip()


def images_document(sdk: Path, previous: Mapping[str, Any], today: str) -> dict[str, Any]:
    """The new ``container_images.json`` from an SDK checkout, keeping ``additional_tags`` of ``previous``."""
    commit = git("rev-parse", "HEAD", cwd=sdk)
    commit_date = git("log", "-1", "--format=%cI", cwd=sdk)
    presets: dict[str, Any] = {}
    for preset, filename in PRESET_FILES.items():
        path = sdk / SDK_CONFIG_DIR / filename
        parsed = parse_sdk_config(json.loads(path.read_text(encoding="utf-8")))
        extra = previous.get("presets", {}).get(preset, {}).get("additional_tags", [])
        presets[preset] = {"sdk_file": f"{SDK_CONFIG_DIR}/{filename}", **parsed, "additional_tags": extra}
    return {
        "about": previous.get("about", ""),
        "source": {"repository": SDK_REPOSITORY, "commit": commit, "commit_date": commit_date, "read": today},
        "presets": presets,
        "gpu_baselines": gpu_baselines(sdk, previous.get("gpu_baselines", {}).get("about", "")),
    }


def gpu_baselines(sdk: Path, about: str) -> dict[str, Any]:
    """The pinned GPU image per preset (tag as the SDK's ``_format_tag``: ``<prefix>-gpu-<py>-<container>``)."""
    document: dict[str, Any] = {"about": about}
    for preset, (filename, version, engine) in BASELINE_FILES.items():
        config = json.loads((sdk / SDK_CONFIG_DIR / filename).read_text(encoding="utf-8"))
        entry = config.get("inference", config)["versions"].get(version)
        if entry is None:
            raise RefreshError(f"{filename} has no version {version}: pick a published one in BASELINE_FILES")
        document[preset] = {
            "engine": engine,
            "sdk_file": f"{SDK_CONFIG_DIR}/{filename}",
            "version": version,
            "repository": entry["repository"],
            "tag": f"{entry['tag_prefix']}-gpu-{entry['py_versions'][0]}-{entry['container_version']['gpu']}",
            "registries": dict(sorted(entry["registries"].items())),
        }
    return document


def provider_regions(providers: Path) -> dict[str, set[str]]:
    """cfn-lint's region data: region -> the resource types its CloudFormation offers."""
    regions = {}
    for path in sorted(providers.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and path.stem != "sam":
            regions[path.stem] = set(data)
    if not regions:
        raise RefreshError(f"no region files in {providers}")
    return regions


def template_types(templates: Iterable[Path]) -> set[str]:
    """Resource types used in CloudFormation templates (JSON), without CDK's own metadata type."""
    types: set[str] = set()
    for path in templates:
        resources = json.loads(path.read_text(encoding="utf-8")).get("Resources", {})
        types |= {r["Type"] for r in resources.values() if not r["Type"].startswith("Custom::")}
    return types - set(IGNORED_TYPES)


def regions_document(
    types: Iterable[str], offered: Mapping[str, set[str]], cfn_lint: str, today: str
) -> dict[str, Any]:
    """The new ``resource_regions.json``: per type, the sorted regions that offer it."""
    return {
        "source": {
            "tool": "cfn-lint",
            "version": cfn_lint,
            "path": "cfnlint/data/schemas/providers",
            "read": today,
        },
        "regions": sorted(offered),
        "types": {
            t: sorted(r for r, available in offered.items() if t in available) for t in sorted(set(types))
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Rewrite both data files; prints what changed in size."""
    parser = argparse.ArgumentParser(prog="python -m ops.refresh_images", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sdk", type=Path, help="local checkout of aws/sagemaker-python-sdk (default: clone it)"
    )
    parser.add_argument(
        "--templates", type=Path, help="a cdk.out directory whose templates add resource types"
    )
    args = parser.parse_args(argv)
    today = dt.datetime.now(dt.UTC).date().isoformat()

    spec = importlib.util.find_spec("cfnlint")  # found, not imported: only its data files are read
    if spec is None or spec.origin is None:
        raise RefreshError("cfn-lint is not installed (make install)")
    cfn_lint_version = importlib.metadata.version("cfn-lint")

    previous_regions = json.loads(REGIONS_FILE.read_text(encoding="utf-8")) if REGIONS_FILE.exists() else {}
    types = set(previous_regions.get("types", {}))
    if args.templates:
        types |= template_types(args.templates.glob("*.template.json"))
    offered = provider_regions(Path(spec.origin).parent / "data" / "schemas" / "providers")
    REGIONS_FILE.write_text(
        json.dumps(regions_document(types, offered, cfn_lint_version, today), indent=1) + "\n"
    )
    print(
        f"{REGIONS_FILE.relative_to(ROOT)}: {len(types)} types x {len(offered)} regions (cfn-lint {cfn_lint_version})"
    )

    previous_images = json.loads(IMAGES_FILE.read_text(encoding="utf-8")) if IMAGES_FILE.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        sdk = args.sdk
        if sdk is None:
            sdk = Path(tmp) / "sdk"
            git("clone", "--depth", "1", SDK_REPOSITORY, str(sdk))
        document = images_document(sdk, previous_images, today)
    IMAGES_FILE.write_text(json.dumps(document, indent=1) + "\n")
    for preset, entry in document["presets"].items():
        print(
            f"{IMAGES_FILE.relative_to(ROOT)}: {preset}: {len(entry['registries'])} regions, {len(entry['tags'])} tags"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
