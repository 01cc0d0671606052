"""Region rules: the config accepts a region only where infersave's resources and each endpoint's image exist.

Facts come from bundled data files (source and date inside, refreshed by ``python -m ops.refresh_images``):
``data/resource_regions.json`` (which CloudFormation types each region offers, from cfn-lint's region data) and
``data/container_images.json`` (where each preset's image is published). Synth never imports cfn-lint.

Budgets and Cost Anomaly Detection are account-wide services whose CloudFormation types are missing from some
regions; there they go to a billing stack in :data:`BILLING_HOME` (see docs/architecture.md, "Billing stack").
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from lambdas.common.aws import partition_of
from stacks.config.schema import Config
from stacks.dlc_registry import IMAGES_FILE, published_images

RESOURCE_REGIONS_FILE = Path(__file__).resolve().parents[2] / "data" / "resource_regions.json"
#: The types of the budget and anomaly alerts; where one is missing, all go to the billing stack.
BILLING_TYPES = ("AWS::Budgets::Budget", "AWS::CE::AnomalyMonitor", "AWS::CE::AnomalySubscription")
#: Deployed only for endpoints with ``serving: inference_component``. cfn-lint 1.58.0's region data lacks it in
#: e.g. eu-west-3, us-west-1, ap-northeast-3, eu-south-1, af-south-1 (data/resource_regions.json).
COMPONENT_TYPES = ("AWS::SageMaker::InferenceComponent",)
#: Where the billing stack goes: the aws partition serves AWS Budgets and Cost Explorer (which runs Cost Anomaly
#: Detection) from us-east-1 (botocore endpoints.json: budgets and ce are global with credential scope us-east-1).
BILLING_HOME = "us-east-1"
#: Regions enabled by default (launched before 2019-03-20); the others are opt-in. SNS does not deliver from a
#: topic in a default region to a Lambda function in an opt-in region (SNS developer guide, "Prerequisites for
#: integrating Amazon SNS with Lambda functions across regions"; its opt-in list also names ap-northeast-3).
DEFAULT_ENABLED_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "ap-south-1",
        "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "eu-central-1", "eu-west-1",
        "eu-west-2", "eu-west-3", "eu-north-1",
    }
)  # fmt: skip
#: Why a partition other than aws is refused (checked against cfn-lint's region data and botocore's endpoints).
_PARTITION_REASONS = {
    "aws-cn": "AWS China bills in CNY while the budget, the instance catalog and the report are in USD, and the "
    "China regions have their own registry accounts, service principals and console",
    "aws-us-gov": "CloudFormation offers neither AWS::Budgets::Budget nor AWS::CE::AnomalyMonitor in either "
    "GovCloud region (nor SageMaker in us-gov-east-1), and Cost Explorer has no GovCloud endpoint: a GovCloud "
    "account is billed through its associated standard account",
}


@cache
def _resource_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RESOURCE_REGIONS_FILE.read_text(encoding="utf-8"))
    return data


def resource_regions() -> dict[str, frozenset[str]]:
    """CloudFormation type -> the regions that offer it (bundled cfn-lint region data)."""
    return {t: frozenset(regions) for t, regions in _resource_data()["types"].items()}


def _source() -> str:
    source = _resource_data()["source"]
    return f"cfn-lint {source['version']} region data in data/{RESOURCE_REGIONS_FILE.name}, read {source['read']}"


def missing_types(region: str, types: tuple[str, ...] | None = None) -> list[str]:
    """The types (default: all infersave deploys) that CloudFormation does not offer in ``region``."""
    offered = resource_regions()
    return [t for t in (types or tuple(offered)) if region not in offered.get(t, frozenset())]


def billing_region(region: str) -> str | None:
    """Where the budget and anomaly alerts go: None (the endpoints' stacks) when ``region`` offers every billing
    type, else :data:`BILLING_HOME` (a billing stack of its own)."""
    return BILLING_HOME if missing_types(region, BILLING_TYPES) else None


def _layout_problems(region: str) -> list[str]:
    endpoint_types = tuple(t for t in resource_regions() if t not in BILLING_TYPES + COMPONENT_TYPES)
    missing = missing_types(region, endpoint_types)
    if missing:
        return [
            f"env.region: CloudFormation in {region} does not offer {', '.join(missing)} ({_source()}); deploy to "
            f"a region that offers every type infersave deploys"
        ]
    billing = billing_region(region)
    if billing and missing_types(billing):
        return [f"env.region: the billing stack's region {billing} lacks {', '.join(missing_types(billing))}"]
    return []


def _image_problems(config: Config, region: str) -> list[str]:
    problems = []
    images = published_images()
    for index, endpoint in enumerate(config.endpoints):
        preset = endpoint.container.preset
        image = images.get(preset)
        if image is None or region in image.registries:
            continue  # custom images are the user's
        elsewhere = [p for p, i in images.items() if region in i.registries]
        other = f" or preset {' / '.join(elsewhere)}, published there" if elsewhere else ""
        problems.append(
            f"endpoints[{index}].container.preset: the {preset} image ({image.repository}) is not published in "
            f"{region} (data/{IMAGES_FILE.name}); deploy to one of {', '.join(image.regions)}{other}"
        )
    return problems


def _component_problems(config: Config, region: str) -> list[str]:
    missing = missing_types(region, COMPONENT_TYPES)
    if not missing:
        return []
    return [
        f"endpoints[{index}].serving: inference_component needs {', '.join(missing)}, which CloudFormation in "
        f"{region} does not offer ({_source()}); use serving: instance or deploy to a region that offers it"
        for index, endpoint in enumerate(config.endpoints)
        if endpoint.serving == "inference_component"
    ]


def _breach_switch_problems(config: Config, region: str) -> list[str]:
    billing = billing_region(region)
    if not (config.budget.breach_switch.enabled and billing) or region in DEFAULT_ENABLED_REGIONS:
        return []
    return [
        f"budget.breach_switch.enabled: {region} has no {', '.join(missing_types(region, BILLING_TYPES))}, so "
        f"the budget goes to the billing stack in {billing}, and SNS does not deliver from {billing} to a Lambda "
        f"function in the opt-in region {region} (SNS developer guide, cross-region delivery to Lambda); disable "
        f"the breach switch or deploy to a region enabled by default that offers Budgets"
    ]


def region_problems(config: Config, region: str | None) -> list[str]:
    """Problems with deploying ``config`` to ``region`` (the config's ``env.region`` or the CDK CLI's)."""
    if not region:
        return [
            "env.region: not set, and the CDK CLI has no default region; set env.region (e.g. us-east-1): the "
            "region rules and where the billing stack goes depend on it"
        ]
    partition = partition_of(region)
    if partition != "aws":
        reason = _PARTITION_REASONS.get(partition, "infersave has never been deployed there")
        return [
            f"env.region: {region} is in partition {partition}, which infersave refuses: {reason}; deploy to a "
            f"region of the aws partition"
        ]
    if region not in _resource_data()["regions"]:
        return [
            f"env.region: {region} is not a region of the {_source()}; check the spelling or refresh the data "
            f"(python -m ops.refresh_images)"
        ]
    return (
        (_layout_problems(region) or _image_problems(config, region))
        + _component_problems(config, region)
        + _breach_switch_problems(config, region)
    )


def accepted_regions(config: Config) -> list[str]:
    """Every region the config could be deployed to (the regions of the bundled data that pass every rule)."""
    return [r for r in _resource_data()["regions"] if not region_problems(config, r)]
