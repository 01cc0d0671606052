"""The boto3 clients of a report run, with retries configured.

Endpoints come from boto3's normal resolution, so ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_<SERVICE>``)
point the reporter at an emulator without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3

from lambdas.common.aws import billing_api_regions, client_config

if TYPE_CHECKING:
    from mypy_boto3_athena import AthenaClient
    from mypy_boto3_ce import CostExplorerClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_pricing import PricingClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sts import STSClient

_USER_AGENT = "infersave-cost-reporter"
# Throttled read APIs: adaptive mode also rate-limits client-side once throttling is seen.
_THROTTLED_READS = client_config(_USER_AGENT, adaptive=True, max_attempts=6)
_DEFAULT = client_config(_USER_AGENT)


class RegionNotSetError(RuntimeError):
    """No AWS region in the environment or the shared config."""


@dataclass(frozen=True)
class Clients:
    """Every AWS client a report run uses; ``region`` is where the endpoints live."""

    region: str
    tagging: ResourceGroupsTaggingAPIClient
    ce: CostExplorerClient
    cloudwatch: CloudWatchClient
    pricing: PricingClient
    s3: S3Client
    sns: SNSClient
    #: Athena in the endpoints' region (the organization report's workgroup lives in the cost stack).
    athena: AthenaClient
    #: STS in the endpoints' region: the own account, and the member-read role of other accounts.
    sts: STSClient


def make_clients(pricing_region: str | None = None, session: boto3.session.Session | None = None) -> Clients:
    """Clients for the session's region (standard credential chain and region resolution); Cost Explorer and,
    unless ``pricing_region`` overrides it, the Price List in the region their partition serves them from."""
    session = session or boto3.session.Session()
    region = session.region_name
    if not region:
        raise RegionNotSetError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, or a profile region)")
    billing = billing_api_regions(region)
    return Clients(
        region=region,
        tagging=session.client("resourcegroupstaggingapi", region_name=region, config=_DEFAULT),
        ce=session.client("ce", region_name=billing.cost_explorer, config=_THROTTLED_READS),
        cloudwatch=session.client("cloudwatch", region_name=region, config=_THROTTLED_READS),
        pricing=session.client("pricing", region_name=pricing_region or billing.price_list, config=_DEFAULT),
        s3=session.client("s3", region_name=region, config=_DEFAULT),
        sns=session.client("sns", region_name=region, config=_DEFAULT),
        athena=session.client("athena", region_name=region, config=_THROTTLED_READS),
        sts=session.client("sts", region_name=region, config=_DEFAULT),
    )
