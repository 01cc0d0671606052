"""Endpoint checks across fields: the GPU baseline exists in the catalog, the endpoint name fits, off-hours."""

from __future__ import annotations

from lambdas.common.catalog import Catalog
from stacks.config.schema import Config, Endpoint


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
    if endpoint.artifacts_kms_key_arn and not endpoint.precompiled_artifacts_s3_uri:
        problems.append(
            f"{path}.artifacts_kms_key_arn: set without precompiled_artifacts_s3_uri, so nothing reads with it; "
            "set the artifacts URI or remove the key"
        )
    if endpoint.off_hours and endpoint.off_hours.min_capacity > endpoint.instances.min:
        problems.append(
            f"{path}.off_hours.min_capacity: {endpoint.off_hours.min_capacity} is above instances.min "
            f"{endpoint.instances.min}; off-hours capacity must not exceed business-hours minimum"
        )
    return problems
