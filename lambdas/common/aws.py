"""AWS plumbing shared by the Lambda functions: client configuration and the project's endpoint listing.

Endpoints are found through the Resource Groups Tagging API (``GetResources``, 100 per page, every tag of
each endpoint in the answer): one call per page, never one per endpoint. The Tagging API can lag tag changes
by a few minutes and may list endpoints being deleted; callers that act on an endpoint re-read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final

from botocore.config import Config

from lambdas.common import tags
from lambdas.common.paging import follow_pages
from lambdas.common.retry import call_with_backoff

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_resourcegroupstaggingapi.type_defs import (
        GetResourcesOutputTypeDef,
        ResourceTagMappingTypeDef,
        TagFilterTypeDef,
    )

ENDPOINT_RESOURCE_TYPE: Final = "sagemaker:endpoint"
#: The one production variant of every endpoint infersave deploys (``stacks.inf2_endpoint``); CloudWatch's
#: ``AWS/SageMaker`` metrics and the autoscaling resource ids name it.
VARIANT_NAME: Final = "AllTraffic"
RESOURCES_PER_PAGE: Final = 100

#: Region-name prefix -> partition, as botocore's ``data/endpoints.json`` ``regionRegex`` values assign them
#: (checked against botocore 1.44.8); every other region is in ``aws``.
_PARTITION_PREFIXES: Final = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc"),
)
#: Partition -> (Cost Explorer region, Price List region). Cost Explorer is one endpoint per partition with the
#: signing region botocore's ``endpoints.json`` gives (aws: ce.us-east-1.amazonaws.com, aws-cn:
#: ce.cn-northwest-1.amazonaws.com.cn; none in aws-us-gov). The Price List Query API answers in us-east-1 (also
#: eu-central-1, ap-south-1) for aws and in cn-northwest-1 for aws-cn (Billing user guide, "Using the AWS Price
#: List Query API"; docs.amazonaws.cn price-changes).
_BILLING_API_REGIONS: Final = {
    "aws": ("us-east-1", "us-east-1"),
    "aws-cn": ("cn-northwest-1", "cn-northwest-1"),
}


class UnsupportedPartitionError(ValueError):
    """The region's partition has no Cost Explorer / Price List endpoint this code knows."""


def partition_of(region: str) -> str:
    """The partition (``aws``, ``aws-cn``, ``aws-us-gov``, ...) of a region name."""
    for prefix, partition in _PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


@dataclass(frozen=True)
class BillingApiRegions:
    """Where a partition serves the account-wide billing APIs for callers in any of its regions."""

    cost_explorer: str
    price_list: str


def billing_api_regions(region: str) -> BillingApiRegions:
    """The Cost Explorer and Price List client regions for code running in ``region``."""
    partition = partition_of(region)
    if partition not in _BILLING_API_REGIONS:
        raise UnsupportedPartitionError(
            f"region {region} is in partition {partition}, which has no Cost Explorer endpoint "
            f"(botocore endpoints.json); supported partitions: {', '.join(_BILLING_API_REGIONS)}"
        )
    cost_explorer, price_list = _BILLING_API_REGIONS[partition]
    return BillingApiRegions(cost_explorer=cost_explorer, price_list=price_list)


def client_config(
    user_agent_extra: str, *, adaptive: bool = False, max_attempts: int = 5, read_timeout: int = 30
) -> Config:
    """botocore settings of every client: retries with backoff, short connect and bounded read timeouts.

    ``adaptive`` (for throttled read APIs) also rate-limits client-side once throttling is seen.
    """
    return Config(
        retries={"mode": "adaptive" if adaptive else "standard", "max_attempts": max_attempts},
        connect_timeout=5,
        read_timeout=read_timeout,
        user_agent_extra=user_agent_extra,
    )


class AwsDataError(ValueError):
    """AWS answered something this code cannot read (a malformed ARN, a field of the wrong shape)."""


@dataclass(frozen=True)
class TaggedEndpoint:
    """A SageMaker endpoint carrying ``infersave:project``, as the Tagging API lists it.

    ``name`` is the ``infersave:endpoint`` tag when set (it keeps the real spelling), else the name in the
    ARN, which SageMaker writes lower-case; ``arn_name`` is always the latter (what SageMaker APIs accept).
    """

    arn: str
    name: str
    region: str
    tags: dict[str, str]

    @property
    def arn_name(self) -> str:
        """The endpoint name as written in its ARN (lower-case; SageMaker names are case-insensitive)."""
        return self.arn.split(":", 5)[5].removeprefix("endpoint/")


def endpoint_from_arn(arn: str, resource_tags: Mapping[str, str]) -> TaggedEndpoint:
    """Parse ``arn:aws:sagemaker:<region>:<account>:endpoint/<name>``; raises AwsDataError otherwise."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("endpoint/") or parts[5] == "endpoint/":
        raise AwsDataError(f"not a SageMaker endpoint ARN: {arn!r}")
    name = resource_tags.get(tags.ENDPOINT) or parts[5].removeprefix("endpoint/")
    return TaggedEndpoint(arn=arn, name=name, region=parts[3], tags=dict(resource_tags))


def tagged_resources(
    tagging: ResourceGroupsTaggingAPIClient, project_name: str | None, resource_type: str
) -> Iterator[ResourceTagMappingTypeDef]:
    """Every resource of ``resource_type`` (``sagemaker:endpoint``, ``sagemaker:inference-component``) tagged
    ``infersave:project`` (with value ``project_name`` if given), with all its tags: GetResources, 100 a page,
    retried with backoff, pages bounded by :func:`lambdas.common.paging.follow_pages`."""
    tag_filter: TagFilterTypeDef = {"Key": tags.PROJECT}
    if project_name:
        tag_filter["Values"] = [project_name]

    def fetch(token: str | None) -> GetResourcesOutputTypeDef:
        return call_with_backoff(
            partial(
                tagging.get_resources,
                TagFilters=[tag_filter],
                ResourceTypeFilters=[resource_type],
                ResourcesPerPage=RESOURCES_PER_PAGE,
                PaginationToken=token or "",
            )
        )

    pages = follow_pages(
        fetch, lambda page: page.get("PaginationToken"), what=f"Tagging GetResources {resource_type}"
    )
    for page in pages:
        yield from page.get("ResourceTagMappingList", [])


def list_tagged_endpoints(
    tagging: ResourceGroupsTaggingAPIClient, project_name: str | None
) -> tuple[list[TaggedEndpoint], list[str]]:
    """Every SageMaker endpoint tagged ``infersave:project`` (with value ``project_name`` if given).

    Returns the endpoints in listing order and a problem per resource that is not a readable endpoint ARN.
    """
    endpoints: list[TaggedEndpoint] = []
    problems: list[str] = []
    for mapping in tagged_resources(tagging, project_name, ENDPOINT_RESOURCE_TYPE):
        resource_tags = {t["Key"]: t["Value"] for t in mapping.get("Tags", [])}
        try:
            endpoints.append(endpoint_from_arn(mapping.get("ResourceARN", ""), resource_tags))
        except AwsDataError as exc:
            problems.append(str(exc))
    return endpoints, problems
