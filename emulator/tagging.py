"""Resource Groups Tagging API gaps of moto 5.2.5 that the cost reporter's tagging step relies on.

Measured on moto 5.2.5: ``get_resources`` and ``tag_resources`` already cover SageMaker endpoints through
``SageMakerModelBackend`` (a ``TaggableResourcesMixin``), so this module does not re-implement that path.
It closes the two differences from AWS that remain on it:

- Adding a tag whose key already exists appends a second tag with the same key (``AddTags``, and
  ``TagResources`` which delegates to it). AWS replaces the value: "If you specify a tag key that is already
  associated with the resource, the new tag value overwrites the previous value" (SageMaker AddTags and
  Resource Groups Tagging API TagResources references).
- ``TagResources``/``UntagResources`` accept any number of ARNs. AWS accepts 1 to 20 per call
  (``ResourceARNList``, "Array Members: Minimum number of 1 item. Maximum number of 20 items.").

Both fixes stay inside moto's own backends and are candidates for upstream.
"""

from __future__ import annotations

from typing import Any

from moto.resourcegroupstaggingapi import models as rgta_models
from moto.resourcegroupstaggingapi.exceptions import ResourceGroupsTaggingAPIError
from moto.sagemaker import models as sm_models

#: AWS limit on ResourceARNList for TagResources and UntagResources.
MAX_ARNS_PER_CALL = 20

_original_tag_resources = rgta_models.ResourceGroupsTaggingAPIBackend.tag_resources
_original_untag_resources = rgta_models.ResourceGroupsTaggingAPIBackend.untag_resources


def _add_tags(self: Any, arn: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
    """SageMaker AddTags with AWS semantics: a known key gets its value replaced, a new key is appended."""
    resource = self._get_resource_from_arn(arn)
    position = {tag["Key"]: index for index, tag in enumerate(resource.tags)}
    for tag in tags:
        if tag["Key"] in position:
            resource.tags[position[tag["Key"]]] = {"Key": tag["Key"], "Value": tag["Value"]}
        else:
            position[tag["Key"]] = len(resource.tags)
            resource.tags.append({"Key": tag["Key"], "Value": tag["Value"]})
    result: list[dict[str, str]] = resource.tags
    return result


def _check_arn_count(resource_arns: list[str]) -> None:
    """Raise InvalidParameterException, as AWS does, unless there are 1 to 20 ARNs."""
    if not 1 <= len(resource_arns) <= MAX_ARNS_PER_CALL:
        raise ResourceGroupsTaggingAPIError(
            "InvalidParameterException",
            f"ResourceARNList must contain between 1 and {MAX_ARNS_PER_CALL} ARNs, got {len(resource_arns)}",
        )


def _tag_resources(self: Any, resource_arns: list[str], tags: dict[str, str]) -> dict[str, dict[str, Any]]:
    """TagResources with AWS's 1-20 ARN limit, then moto's own tagging."""
    _check_arn_count(resource_arns)
    result: dict[str, dict[str, Any]] = _original_tag_resources(self, resource_arns, tags)
    return result


def _untag_resources(
    self: Any, resource_arn_list: list[str], tag_keys: list[str]
) -> dict[str, dict[str, Any]]:
    """UntagResources with AWS's 1-20 ARN limit, then moto's own untagging."""
    _check_arn_count(resource_arn_list)
    result: dict[str, dict[str, Any]] = _original_untag_resources(self, resource_arn_list, tag_keys)
    return result


def install() -> None:
    """Give SageMaker tag writes AWS's overwrite semantics and enforce the 20-ARN limit of TagResources."""
    sm_models.SageMakerModelBackend.add_tags = _add_tags  # type: ignore[method-assign]
    backend = rgta_models.ResourceGroupsTaggingAPIBackend
    backend.tag_resources = _tag_resources  # type: ignore[method-assign]
    backend.untag_resources = _untag_resources  # type: ignore[method-assign]
