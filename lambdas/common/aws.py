"""AWS plumbing shared by the Lambda functions: client configuration and the project's endpoint listing.

Endpoints are found through the Resource Groups Tagging API (``GetResources``, 100 per page, every tag of
each endpoint in the answer): one call per page, never one per endpoint. The Tagging API can lag tag changes
by a few minutes and may list endpoints being deleted; callers that act on an endpoint re-read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from botocore.config import Config

from lambdas.common import tags
from lambdas.common.paging import paginate

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_resourcegroupstaggingapi.type_defs import TagFilterTypeDef

ENDPOINT_RESOURCE_TYPE: Final = "sagemaker:endpoint"
#: The one production variant of every endpoint infersave deploys (``stacks.inf2_endpoint``); CloudWatch's
#: ``AWS/SageMaker`` metrics and the autoscaling resource ids name it.
VARIANT_NAME: Final = "AllTraffic"
RESOURCES_PER_PAGE: Final = 100
#: Page bound of the endpoint listing: AWS pages at 100 resources, so 500 pages are 50,000 endpoints, far
#: above any account's SageMaker endpoint quota (moto pages at 100 tags: 1,000 endpoints take ~41 pages).
TAGGING_MAX_PAGES: Final = 500


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


def list_tagged_endpoints(
    tagging: ResourceGroupsTaggingAPIClient, project_name: str | None
) -> tuple[list[TaggedEndpoint], list[str]]:
    """Every SageMaker endpoint tagged ``infersave:project`` (with value ``project_name`` if given).

    Returns the endpoints in listing order and a problem per resource that is not a readable endpoint ARN.
    Raises :class:`lambdas.common.paging.PagingError` on a repeated page token or more than
    ``TAGGING_MAX_PAGES`` pages: a partial listing would silently leave endpoints out.
    """
    tag_filter: TagFilterTypeDef = {"Key": tags.PROJECT}
    if project_name:
        tag_filter["Values"] = [project_name]
    endpoints: list[TaggedEndpoint] = []
    problems: list[str] = []
    request = {
        "TagFilters": [tag_filter],
        "ResourceTypeFilters": [ENDPOINT_RESOURCE_TYPE],
        "ResourcesPerPage": RESOURCES_PER_PAGE,
    }
    what = f"tagging GetResources {tags.PROJECT}={project_name or '*'}"
    for page in paginate(
        tagging.get_resources,
        request,
        page_param="PaginationToken",
        what=what,
        max_pages=TAGGING_MAX_PAGES,
    ):
        for mapping in page.get("ResourceTagMappingList", []):
            resource_tags = {t["Key"]: t["Value"] for t in mapping.get("Tags", [])}
            try:
                endpoints.append(endpoint_from_arn(mapping.get("ResourceARN", ""), resource_tags))
            except AwsDataError as exc:
                problems.append(str(exc))
    return endpoints, problems
