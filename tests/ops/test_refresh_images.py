"""The refresh script's parsing, on a fixture shaped like the SDK's files and cfn-lint's region data (offline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops import refresh_images
from tests.conftest import FIXTURES


def test_sdk_config_gives_the_newest_registries_and_every_tag_as_the_sdk_formats_it() -> None:
    parsed = refresh_images.parse_sdk_config(json.loads((FIXTURES / "sdk_image_uri_config.json").read_text()))
    assert parsed["repository"] == "huggingface-vllm-inference-neuronx"
    # Versions are listed oldest first; the newest one's registries are the published regions.
    assert parsed["registries"] == {"ap-south-2": "772153158452", "us-west-2": "763104351884"}
    assert parsed["tags"] == [
        "0.11.0-optimum0.4.2-neuronx-py310-sdk2.26.0-ubuntu22.04",
        "0.11.0-optimum0.4.4-neuronx-py310-sdk2.26.1-ubuntu22.04",
        "2.1.2-optimum0.0.28-neuronx-py310-ubuntu22.04",  # no Neuron SDK part without sdk_versions
    ]


def test_sdk_config_without_versions_is_refused() -> None:
    with pytest.raises(refresh_images.RefreshError, match="no 'versions'"):
        refresh_images.parse_sdk_config({"inference": {"processors": ["neuronx"]}})


def test_region_data_lists_per_type_the_regions_whose_cloudformation_offers_it(tmp_path: Path) -> None:
    (tmp_path / "us-east-1.json").write_text(
        json.dumps({"AWS::Budgets::Budget": "a", "AWS::SNS::Topic": "b"})
    )
    (tmp_path / "ap-south-2.json").write_text(json.dumps({"AWS::SNS::Topic": "b"}))
    (tmp_path / "sam.json").write_text(json.dumps({"AWS::Serverless::Function": "c"}))
    offered = refresh_images.provider_regions(tmp_path)
    document = refresh_images.regions_document(
        ["AWS::SNS::Topic", "AWS::Budgets::Budget"], offered, "1.58.0", "2026-11-28"
    )
    assert document["regions"] == ["ap-south-2", "us-east-1"]
    assert document["types"] == {
        "AWS::Budgets::Budget": ["us-east-1"],
        "AWS::SNS::Topic": ["ap-south-2", "us-east-1"],
    }
    assert document["source"]["version"] == "1.58.0"


def test_template_types_skip_cdk_metadata_and_custom_resources(tmp_path: Path) -> None:
    template = {
        "Resources": {
            "A": {"Type": "AWS::SNS::Topic"},
            "B": {"Type": "AWS::CDK::Metadata"},
            "C": {"Type": "Custom::Thing"},
        }
    }
    (tmp_path / "s.template.json").write_text(json.dumps(template))
    assert refresh_images.template_types(tmp_path.glob("*.template.json")) == {"AWS::SNS::Topic"}
