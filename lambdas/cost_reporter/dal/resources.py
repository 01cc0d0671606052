"""Endpoints in scope and their tags, through the Resource Groups Tagging API (bulk: 100 per page).

Never one call per endpoint to read: ``GetResources`` lists every endpoint carrying ``infersave:project``
with all its tags (:func:`lambdas.common.aws.list_tagged_endpoints`, shared with the breach switch).
Writes are batched: endpoints missing the same tags share a ``TagResources`` call
(at most 20 ARNs each); an endpoint missing its ``infersave:endpoint`` tag (a value of its own) gets a call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from lambdas.common import tags
from lambdas.common.aws import TaggedEndpoint, list_tagged_endpoints, tagged_resources
from lambdas.common.retry import call_with_backoff, describe_error, error_code
from lambdas.cost_reporter.models import Issue

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient

MAX_ARNS_PER_TAG_CALL = 20
#: Inference components in the tagging API ("GetResources ... support all resource types", Resource Groups
#: Tagging API reference, "Services that support the Resource Groups Tagging API"; ARN
#: ``arn:aws:sagemaker:<region>:<account>:inference-component/<name>``).
COMPONENT_RESOURCE_TYPE = "sagemaker:inference-component"


@dataclass(frozen=True)
class TaggingOutcome:
    """Endpoints with the tags they now carry, and what could not be tagged."""

    endpoints: list[TaggedEndpoint]
    warnings: list[Issue]


def list_endpoints(
    client: ResourceGroupsTaggingAPIClient, project_name: str | None
) -> tuple[list[TaggedEndpoint], list[Issue]]:
    """Every SageMaker endpoint tagged ``infersave:project`` (with value ``project_name`` if given).

    Resources that are not readable endpoint ARNs become warnings.
    """
    endpoints, problems = list_tagged_endpoints(client, project_name)
    return endpoints, [Issue(problem) for problem in problems]


def component_models(client: ResourceGroupsTaggingAPIClient, project_name: str | None) -> dict[str, str]:
    """The Hugging Face model id (tag ``infersave:model-id``) of every inference component tagged
    ``infersave:project`` (with value ``project_name`` if given), by lower-case component name; bulk, 100 a page."""
    models: dict[str, str] = {}
    for mapping in tagged_resources(client, project_name, COMPONENT_RESOURCE_TYPE):
        arn = mapping.get("ResourceARN", "")
        name = arn.partition(":inference-component/")[2]
        model = next((t["Value"] for t in mapping.get("Tags", []) if t["Key"] == tags.MODEL_ID), None)
        if name and model:
            models[name.lower()] = model
    return models


def missing_tags(endpoint: TaggedEndpoint, defaults: Mapping[str, str]) -> dict[str, str]:
    """Tags to add: ``infersave:endpoint`` and each default whose key the endpoint lacks (no overwrite)."""
    wanted = {tags.ENDPOINT: endpoint.name, **defaults}
    return {key: value for key, value in wanted.items() if key not in endpoint.tags}


def _tag_batches(
    endpoints: list[TaggedEndpoint], defaults: Mapping[str, str]
) -> list[tuple[list[TaggedEndpoint], dict[str, str]]]:
    shared: dict[frozenset[tuple[str, str]], list[TaggedEndpoint]] = defaultdict(list)
    batches: list[tuple[list[TaggedEndpoint], dict[str, str]]] = []
    for endpoint in endpoints:
        missing = missing_tags(endpoint, defaults)
        if tags.ENDPOINT in missing:
            batches.append(([endpoint], missing))
        elif missing:
            shared[frozenset(missing.items())].append(endpoint)
    for tag_set, members in shared.items():
        for i in range(0, len(members), MAX_ARNS_PER_TAG_CALL):
            batches.append((members[i : i + MAX_ARNS_PER_TAG_CALL], dict(tag_set)))
    return batches


def ensure_tags(
    client: ResourceGroupsTaggingAPIClient, endpoints: list[TaggedEndpoint], defaults: Mapping[str, str]
) -> TaggingOutcome:
    """Add missing ``infersave:endpoint`` and baseline tags; failures become warnings, never errors."""
    by_arn = {endpoint.arn: endpoint for endpoint in endpoints}
    warnings: list[Issue] = []
    for members, new_tags in _tag_batches(endpoints, defaults):
        arns = [endpoint.arn for endpoint in members]
        try:
            answer = call_with_backoff(partial(client.tag_resources, ResourceARNList=arns, Tags=new_tags))
            failed = {
                arn: f"{info.get('ErrorCode', '')} {info.get('ErrorMessage', '')}".strip()
                for arn, info in answer.get("FailedResourcesMap", {}).items()
            }
        except ClientError as exc:
            failed = dict.fromkeys(arns, f"{error_code(exc)}: {describe_error(exc)}")
        for endpoint in members:
            if endpoint.arn in failed:
                warnings.append(
                    Issue(f"could not add tags {sorted(new_tags)}: {failed[endpoint.arn]}", endpoint.name)
                )
            else:
                by_arn[endpoint.arn] = replace(endpoint, tags={**endpoint.tags, **new_tags})
    return TaggingOutcome(endpoints=[by_arn[endpoint.arn] for endpoint in endpoints], warnings=warnings)
