"""Endpoint checks across fields: the GPU baseline exists in the catalog, the endpoint name fits, off-hours."""

from __future__ import annotations

from lambdas.budget_guard import planner
from lambdas.common import tags
from lambdas.common.catalog import Catalog
from stacks.config.schema import Config, Endpoint

#: AWS allows 50 user tags per resource (SageMaker and Tagging API: "MaxItems" 50 on Tags).
MAX_TAGS_PER_RESOURCE = 50
#: Tags infersave writes on every endpoint, and the ones the breach switch adds at run time when it acts.
INFERSAVE_ENDPOINT_TAGS = (
    tags.PROJECT,
    tags.ENDPOINT,
    tags.BASELINE_INSTANCE_TYPE,
    tags.BASELINE_CAPACITY_RATIO,
    tags.CAPACITY_RATIO_SOURCE,
)
#: Written only once a calibration measured them.
TOKEN_TAGS = (tags.INPUT_TOKENS_PER_REQUEST, tags.OUTPUT_TOKENS_PER_REQUEST)
GUARD_TAGS = (
    planner.PREVIOUS_MIN,
    planner.PREVIOUS_MAX,
    planner.PREVIOUS_DESIRED,
    planner.PREVIOUS_SUSPENDED,
    planner.APPLIED_AT,
    planner.BUDGET_PERIOD,
    planner.RELEASED_PERIOD,
)


def baseline_problems(path: str, endpoint: Endpoint, catalog: Catalog) -> list[str]:
    spec = catalog.get(endpoint.baseline.instance_type)
    if spec is None or spec.is_inferentia2:
        gpu = sorted(n for n, s in catalog.instances.items() if not s.is_inferentia2)
        return [
            f"{path}.baseline.instance_type: {endpoint.baseline.instance_type!r} is not a GPU baseline in the "
            f"catalog; use one of {', '.join(gpu)}"
        ]
    return []


def endpoint_problems(path: str, config: Config, endpoint: Endpoint, catalog: Catalog) -> list[str]:
    """Cross-field checks of one endpoint: baseline, SageMaker's 63-character name limit, off-hours floor."""
    problems = baseline_problems(path, endpoint, catalog)
    if len(config.endpoint_name(endpoint)) > 63:
        problems.append(
            f"{path}.name: endpoint name {config.endpoint_name(endpoint)!r} exceeds 63 characters; shorten project or name"
        )
    # The project's and the endpoint's tags land on the same endpoint, beside infersave's own: each map within
    # its limit is not enough.
    own = len(INFERSAVE_ENDPOINT_TAGS) + sum(
        value is not None
        for value in (endpoint.baseline.input_tokens_per_request, endpoint.baseline.output_tokens_per_request)
    )
    reserved = own + (len(GUARD_TAGS) if config.budget.breach_switch.enabled else 0)
    yours = len(set(config.tags) | set(endpoint.tags))
    if yours + reserved > MAX_TAGS_PER_RESOURCE:
        problems.append(
            f"{path}.tags: with the project's tags this endpoint carries {yours} tags of yours and up to "
            f"{reserved} of infersave's ({own}, plus 7 while the breach switch acts); AWS allows "
            f"{MAX_TAGS_PER_RESOURCE} per resource: keep at most {MAX_TAGS_PER_RESOURCE - reserved} of yours"
        )
    if endpoint.artifacts_kms_key_arn and not endpoint.precompiled_artifacts_s3_uri:
        problems.append(
            f"{path}.artifacts_kms_key_arn: set without precompiled_artifacts_s3_uri, so nothing reads with it; "
            "set the artifacts URI or remove the key"
        )
    if (
        endpoint.serving == "instance"
        and endpoint.off_hours
        and endpoint.off_hours.min_capacity > endpoint.instances.min
    ):
        problems.append(
            f"{path}.off_hours.min_capacity: {endpoint.off_hours.min_capacity} is above instances.min "
            f"{endpoint.instances.min}; off-hours capacity must not exceed business-hours minimum"
        )
    copies_min = endpoint.component_settings.copies.min
    if (
        endpoint.serving == "inference_component"
        and endpoint.off_hours
        and endpoint.off_hours.min_capacity > copies_min
    ):
        problems.append(
            f"{path}.off_hours.min_capacity: {endpoint.off_hours.min_capacity} copies is above components.copies.min "
            f"{copies_min}; off-hours capacity must not exceed business-hours minimum"
        )
    return problems
