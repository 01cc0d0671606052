"""AWS reads and writes of the breach switch. Every function takes its boto3 client(s) as arguments.

Clients come from :func:`make_clients`, with standard-mode retries (throttling and transient errors are
retried with backoff before an error reaches the caller). Every paginated read goes through
:func:`lambdas.common.paging.paginate`, which stops with an error on a repeated page token or past the
read's page bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import boto3

from lambdas.budget_guard.planner import (
    EndpointState,
    Plan,
    Suspension,
    VariantState,
    dimension,
    unit_resource_id,
)
from lambdas.common.aws import TaggedEndpoint, client_config, list_tagged_endpoints
from lambdas.common.paging import paginate
from lambdas.common.retry import call_with_backoff

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient
    from mypy_boto3_application_autoscaling.type_defs import (
        RegisterScalableTargetRequestTypeDef,
        SuspendedStateTypeDef,
    )
    from mypy_boto3_budgets import BudgetsClient
    from mypy_boto3_budgets.type_defs import BudgetOutputTypeDef
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import DesiredWeightAndCapacityTypeDef
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sts import STSClient

SCALABLE_DIMENSION: Final = "sagemaker:variant:DesiredInstanceCount"
#: Page bounds: an endpoint has a handful of variants (one page of scalable targets) and at most 50 tags
#: (SageMaker's limit; ListTags returns up to 50 a page).
SCALABLE_TARGET_MAX_PAGES: Final = 10
LIST_TAGS_MAX_PAGES: Final = 10
#: An endpoint holds a handful of inference components (infersave: at most 21, one page of 100).
COMPONENT_MAX_PAGES: Final = 10

CLIENT_CONFIG = client_config("infersave-budget-guard", read_timeout=20)


@dataclass(frozen=True)
class Clients:
    """The boto3 clients the switch uses, created once per process (Lambda container)."""

    sagemaker: SageMakerClient
    autoscaling: ApplicationAutoScalingClient
    tagging: ResourceGroupsTaggingAPIClient
    sns: SNSClient
    budgets: BudgetsClient
    sts: STSClient


def make_clients(region_name: str | None = None, *, session: boto3.session.Session | None = None) -> Clients:
    """Clients for ``region_name`` (default: the environment's region) with retries configured; ``session``
    reuses one session's loaded service models (tests create many sets of clients).

    Budgets is a global service: boto3 sends its calls to the partition's single endpoint whatever the
    region (budgets.amazonaws.com, budgets.amazonaws.com.cn in China).
    """
    session = session or boto3.session.Session(region_name=region_name)
    return Clients(
        sagemaker=session.client("sagemaker", config=CLIENT_CONFIG),
        autoscaling=session.client("application-autoscaling", config=CLIENT_CONFIG),
        tagging=session.client("resourcegroupstaggingapi", config=CLIENT_CONFIG),
        sns=session.client("sns", config=CLIENT_CONFIG),
        budgets=session.client("budgets", config=CLIENT_CONFIG),
        sts=session.client("sts", config=CLIENT_CONFIG),
    )


def find_project_endpoints(tagging: ResourceGroupsTaggingAPIClient, *, project: str) -> list[TaggedEndpoint]:
    """The SageMaker endpoints tagged ``infersave:project=project`` with their tags, sorted by ARN name.

    The Tagging API can lag tag changes by a few minutes and may list endpoints being deleted; callers
    re-read each endpoint from SageMaker before changing it. Resources that are not endpoint ARNs are left
    out. Raises PagingError on a repeated page token (a partial list would leave endpoints unguarded).
    """
    endpoints, _ = list_tagged_endpoints(tagging, project)
    unique = {endpoint.arn_name: endpoint for endpoint in endpoints}
    return [unique[name] for name in sorted(unique)]


def describe_budget(budgets: BudgetsClient, *, account_id: str, budget_name: str) -> BudgetOutputTypeDef:
    """DescribeBudget of ``budget_name`` in ``account_id`` (the caller's own account, never a message's).

    Needs ``budgets:ViewBudget`` on ``arn:${Partition}:budgets::${Account}:budget/${BudgetName}``.
    """
    response = call_with_backoff(
        lambda: budgets.describe_budget(AccountId=account_id, BudgetName=budget_name)
    )
    return response["Budget"]


def own_account_id(sts: STSClient) -> str:
    """The account of the caller's credentials (STS GetCallerIdentity needs no permission)."""
    return sts.get_caller_identity()["Account"]


def read_endpoint_state(
    sagemaker: SageMakerClient, autoscaling: ApplicationAutoScalingClient, endpoint_name: str
) -> EndpointState:
    """The endpoint's units with their desired counts, their scalable targets (bounds, suspended state) and its
    tags. Units are its inference components (copies) when it hosts any, else its variants (instances)."""
    endpoint = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    name = endpoint["EndpointName"]  # canonical spelling: ARNs from the Tagging API are lower-cased
    components = _component_copies(sagemaker, name)
    if components:
        desired_counts = components
    else:
        desired_counts = {
            v["VariantName"]: v.get("DesiredInstanceCount", v.get("CurrentInstanceCount", 0))
            for v in endpoint.get("ProductionVariants", [])
        }
    is_components = bool(components)
    targets: dict[str, tuple[int, int, Suspension]] = {}
    if desired_counts:
        ids = [unit_resource_id(name, unit, components=is_components) for unit in desired_counts]
        pages = paginate(
            autoscaling.describe_scalable_targets,
            {
                "ServiceNamespace": "sagemaker",
                "ResourceIds": ids,
                "ScalableDimension": dimension(components=is_components),
            },
            page_param="NextToken",
            what=f"application-autoscaling DescribeScalableTargets for endpoint {name}",
            max_pages=SCALABLE_TARGET_MAX_PAGES,
        )
        for page in pages:
            for target in page.get("ScalableTargets", []):
                targets[target["ResourceId"]] = (
                    target["MinCapacity"],
                    target["MaxCapacity"],
                    suspension_from_api(target.get("SuspendedState")),
                )
    states: list[VariantState] = []
    for unit, desired in desired_counts.items():
        bounds = targets.get(unit_resource_id(name, unit, components=is_components))
        states.append(
            VariantState(
                variant_name=unit,
                desired_instance_count=desired,
                min_capacity=bounds[0] if bounds else None,
                max_capacity=bounds[1] if bounds else None,
                suspension=bounds[2] if bounds else Suspension(),
            )
        )
    return EndpointState(
        endpoint_name=name,
        endpoint_arn=endpoint["EndpointArn"],
        status=endpoint["EndpointStatus"],
        variants=tuple(states),
        tags=_list_tags(sagemaker, endpoint["EndpointArn"]),
        components=is_components,
    )


def _component_copies(sagemaker: SageMakerClient, endpoint_name: str) -> dict[str, int]:
    """Inference component name -> desired copy count, for the components the endpoint hosts (none: {})."""
    names: list[str] = []
    pages = paginate(
        sagemaker.list_inference_components,
        {"EndpointNameEquals": endpoint_name},
        page_param="NextToken",
        what=f"sagemaker ListInferenceComponents for endpoint {endpoint_name}",
        max_pages=COMPONENT_MAX_PAGES,
    )
    for page in pages:
        names += [c["InferenceComponentName"] for c in page.get("InferenceComponents", [])]
    copies: dict[str, int] = {}
    for component in sorted(names):
        runtime = sagemaker.describe_inference_component(InferenceComponentName=component).get(
            "RuntimeConfig", {}
        )
        copies[component] = int(runtime.get("DesiredCopyCount", runtime.get("CurrentCopyCount", 0)))
    return copies


def execute_plan(sagemaker: SageMakerClient, autoscaling: ApplicationAutoScalingClient, plan: Plan) -> None:
    """Carry out ``plan`` whole: :func:`apply_changes`, then :func:`write_marks`."""
    if plan.skip_reason is not None:
        return
    apply_changes(sagemaker, autoscaling, plan)
    write_marks(sagemaker, plan)


def apply_changes(sagemaker: SageMakerClient, autoscaling: ApplicationAutoScalingClient, plan: Plan) -> None:
    """Record tags, then desired counts and scalable-target bounds and suspended state.

    Guarding, desired counts go first: lowering a scalable target's max can make Application Auto Scaling
    start its own update of the endpoint, during which UpdateEndpointWeightsAndCapacities is refused.
    Restoring (``plan.bounds_first``), the bounds go first so the restored count fits inside them.
    """
    if plan.tags_before:
        _add_tags(sagemaker, plan.endpoint_arn, plan.tags_before)
    if plan.bounds_first:
        _register_targets(autoscaling, plan)
        _set_desired(sagemaker, plan)
    else:
        _set_desired(sagemaker, plan)
        _register_targets(autoscaling, plan)


def write_marks(sagemaker: SageMakerClient, plan: Plan) -> None:
    """The tags written once the changes are in place (period marker), and the record keys removed."""
    if plan.tags_after:
        _add_tags(sagemaker, plan.endpoint_arn, plan.tags_after)
    if plan.untag_keys:
        sagemaker.delete_tags(ResourceArn=plan.endpoint_arn, TagKeys=list(plan.untag_keys))


def _set_desired(sagemaker: SageMakerClient, plan: Plan) -> None:
    if plan.components:
        for change in plan.changes:
            if change.desired_instance_count is not None:
                # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateInferenceComponentRuntimeConfig.html
                sagemaker.update_inference_component_runtime_config(
                    InferenceComponentName=change.variant_name,
                    DesiredRuntimeConfig={"CopyCount": change.desired_instance_count},
                )
        return
    desired: list[DesiredWeightAndCapacityTypeDef] = [
        {"VariantName": c.variant_name, "DesiredInstanceCount": c.desired_instance_count}
        for c in plan.changes
        if c.desired_instance_count is not None
    ]
    if desired:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateEndpointWeightsAndCapacities.html
        sagemaker.update_endpoint_weights_and_capacities(
            EndpointName=plan.endpoint_name, DesiredWeightsAndCapacities=desired
        )


def _register_targets(autoscaling: ApplicationAutoScalingClient, plan: Plan) -> None:
    for change in plan.changes:
        # https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
        request: RegisterScalableTargetRequestTypeDef = {
            "ServiceNamespace": "sagemaker",
            "ResourceId": unit_resource_id(
                plan.endpoint_name, change.variant_name, components=plan.components
            ),
            "ScalableDimension": dimension(components=plan.components),  # type: ignore[typeddict-item]
            "MinCapacity": change.min_capacity,
            "MaxCapacity": change.max_capacity,
        }
        if change.suspension is not None:
            request["SuspendedState"] = suspension_to_api(change.suspension)
        autoscaling.register_scalable_target(**request)


def suspension_from_api(state: SuspendedStateTypeDef | None) -> Suspension:
    """A scalable target's ``SuspendedState``; a missing state or attribute means not suspended."""
    state = state or {}
    return Suspension(
        dynamic_in=bool(state.get("DynamicScalingInSuspended", False)),
        dynamic_out=bool(state.get("DynamicScalingOutSuspended", False)),
        scheduled=bool(state.get("ScheduledScalingSuspended", False)),
    )


def suspension_to_api(suspension: Suspension) -> SuspendedStateTypeDef:
    """All three attributes, so the call states the whole suspended state and leaves nothing implied."""
    return {
        "DynamicScalingInSuspended": suspension.dynamic_in,
        "DynamicScalingOutSuspended": suspension.dynamic_out,
        "ScheduledScalingSuspended": suspension.scheduled,
    }


def publish(sns: SNSClient, *, topic_arn: str, subject: str, message: str) -> str:
    """Publish ``message`` to ``topic_arn``; returns the message id. Subjects are cut to SNS's 100 chars."""
    response = sns.publish(TopicArn=topic_arn, Subject=subject[:100], Message=message)
    return response["MessageId"]


def _list_tags(sagemaker: SageMakerClient, arn: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    pages = paginate(
        sagemaker.list_tags,
        {"ResourceArn": arn},
        page_param="NextToken",
        what=f"sagemaker ListTags {arn}",
        max_pages=LIST_TAGS_MAX_PAGES,
    )
    for page in pages:
        for tag in page.get("Tags", []):
            tags[tag["Key"]] = tag.get("Value", "")
    return tags


def _add_tags(sagemaker: SageMakerClient, arn: str, tags: Mapping[str, str]) -> None:
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
