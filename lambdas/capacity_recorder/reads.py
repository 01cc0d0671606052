"""The recorder's AWS reads: the project's endpoints, their variants' instances, their components' copies.

Calls per run: the Tagging API's pages (100 endpoints each), one ``DescribeEndpoint`` per endpoint, the pages of
one account-wide ``ListInferenceComponents`` (100 components each; the summaries name their endpoint, so no call
per endpoint is needed to find which ones host components) and one ``DescribeInferenceComponent`` per component
of a project endpoint. Each request is retried on throttling (:func:`lambdas.common.retry.call_with_backoff`, on top
of the clients' adaptive retry mode); every listing is bounded (:mod:`lambdas.common.paging`).

A failure to read one endpoint or component is recorded as a :class:`Problem` and the others are still read: a
run loses only what it could not read. An endpoint or component the listing named but SageMaker no longer knows
(deleted since; the Tagging API can lag by minutes) is ``gone``, not a failure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.capacity_recorder.series import ComponentSample, VariantSample
from lambdas.common.aws import TaggedEndpoint
from lambdas.common.paging import PagingError, paginate
from lambdas.common.retry import call_with_backoff, describe_error, error_code

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

T = TypeVar("T")

#: ListInferenceComponents MaxResults (API reference: 1-100).
COMPONENTS_PER_PAGE: Final = 100
#: 1,000 pages of 100: far more inference components than an account holds.
COMPONENT_MAX_PAGES: Final = 1000


@dataclass(frozen=True)
class Problem:
    """Something the run could not read: ``what`` names it (``endpoint x``, ``inference component y``)."""

    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.what}: {self.detail}"


@dataclass
class Reading:
    """What one run read: samples, what failed, and what was listed but is gone."""

    variants: list[VariantSample] = field(default_factory=list)
    components: list[ComponentSample] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)


def _not_found(exc: ClientError) -> bool:
    """SageMaker's answer for a resource that does not exist: ``ValidationException`` "Could not find ..."."""
    return error_code(exc) == "ValidationException" and "could not find" in describe_error(exc, 500).lower()


def _count(value: Any) -> int:
    """A count from an answer (absent or null: 0)."""
    return int(value or 0)


def list_components_by_endpoint(sagemaker: SageMakerClient) -> dict[str, list[str]]:
    """Lower-cased endpoint name -> names of the inference components it hosts, for the whole account and region.

    Raises ClientError / BotoCoreError / PagingError when the listing fails.
    """
    by_endpoint: dict[str, list[str]] = defaultdict(list)
    pages = paginate(
        sagemaker.list_inference_components,
        {"MaxResults": COMPONENTS_PER_PAGE, "SortBy": "Name", "SortOrder": "Ascending"},
        page_param="NextToken",
        what="sagemaker ListInferenceComponents",
        max_pages=COMPONENT_MAX_PAGES,
    )
    for page in pages:
        for summary in page.get("InferenceComponents", []):
            by_endpoint[summary["EndpointName"].lower()].append(summary["InferenceComponentName"])
    return dict(by_endpoint)


def read_variants(sagemaker: SageMakerClient, endpoint: TaggedEndpoint) -> list[VariantSample]:
    """The endpoint's variants and their ``CurrentInstanceCount`` (0 when absent: scaled to zero, or no instance
    yet). The dimension carries the name as SageMaker spells it (``AWS/SageMaker`` metrics do too)."""
    answer = call_with_backoff(partial(sagemaker.describe_endpoint, EndpointName=endpoint.arn_name))
    name = answer["EndpointName"]
    return [
        VariantSample(
            endpoint_name=name,
            variant_name=variant["VariantName"],
            instances=_count(variant.get("CurrentInstanceCount")),
        )
        for variant in answer.get("ProductionVariants", [])
    ]


def read_component(sagemaker: SageMakerClient, component_name: str) -> ComponentSample:
    """One component's ``RuntimeConfig.CurrentCopyCount`` and its chips per copy
    (``Specification.ComputeResourceRequirements.NumberOfAcceleratorDevicesRequired``; 0 when it names none)."""
    answer = call_with_backoff(
        partial(sagemaker.describe_inference_component, InferenceComponentName=component_name)
    )
    requirements = answer.get("Specification", {}).get("ComputeResourceRequirements", {})
    return ComponentSample(
        endpoint_name=answer["EndpointName"],
        component_name=answer["InferenceComponentName"],
        copies=_count(answer.get("RuntimeConfig", {}).get("CurrentCopyCount")),
        chips_per_copy=_count(requirements.get("NumberOfAcceleratorDevicesRequired")),
    )


def _attempt(reading: Reading, what: str, read: Callable[[], T]) -> T | None:
    """``read()``; a failure goes into ``reading`` (``gone`` when SageMaker no longer knows ``what``)."""
    try:
        return read()
    except ClientError as exc:
        if _not_found(exc):
            reading.gone.append(what)
        else:
            reading.problems.append(Problem(what, describe_error(exc)))
    except BotoCoreError as exc:
        reading.problems.append(Problem(what, describe_error(exc)))
    return None


def read_capacity(sagemaker: SageMakerClient, endpoints: Sequence[TaggedEndpoint]) -> Reading:
    """Describe each endpoint and each component it hosts; failures are collected, never raised."""
    reading = Reading()
    try:
        components = list_components_by_endpoint(sagemaker)
    except (ClientError, BotoCoreError, PagingError) as exc:
        components = {}
        reading.problems.append(
            Problem("inference components (ListInferenceComponents)", describe_error(exc))
        )
    for endpoint in endpoints:
        variants = _attempt(reading, f"endpoint {endpoint.name}", partial(read_variants, sagemaker, endpoint))
        reading.variants += variants or []
        # The components are read even when DescribeEndpoint failed: their samples do not depend on it.
        for name in components.get(endpoint.arn_name.lower(), []):
            what = f"inference component {name} (endpoint {endpoint.name})"
            component = _attempt(reading, what, partial(read_component, sagemaker, name))
            if component is not None:
                reading.components.append(component)
    return reading
