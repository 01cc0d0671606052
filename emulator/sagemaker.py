"""SageMaker gaps of moto 5.2.5: instance types newer than its allow-list, names given in templates, and
processing jobs AWS would refuse.

- Endpoint configs reject instance types newer than moto's allow-list (inf2, g5, g6, g6e, p4d...): any
  well-formed ``ml.*`` hosting type is accepted instead.
- CloudFormation ignores ``EndpointName``, ``EndpointConfigName`` and ``ModelName``: moto's models declare no
  name property (``cloudformation_name_type`` returns ""), so every endpoint gets a generated
  ``<stack>-<logical id>-<random>`` name and anything that addresses the endpoint by its configured name
  (metrics, scaling resource ids, the cost reporter) misses it. The models now declare their name property,
  as CloudFormation does; without one the generated name is kept.

- CreateEndpoint with the name of an existing endpoint replaced it silently; SageMaker refuses it with
  ValidationException ``Cannot create already existing endpoint "arn:...:endpoint/NAME".`` (the text AWS
  answers, quoted in aws/amazon-sagemaker-examples#2491 and hashicorp/terraform-provider-aws#40080), names
  compared case-insensitively as in the lower-cased ARNs. A CloudFormation stack whose endpoint name is taken
  now fails as on AWS (``ops.preflight`` checks this before a deploy). Stack updates are unaffected: an
  endpoint keeping its name is updated in place (UpdateEndpoint, below), a renamed one replaced (delete, create).
- Processing jobs: moto accepts any ``CreateProcessingJob`` request (an ``ml.inf2.xlarge`` processing job, a
  300-character container argument, a missing ``ProcessingResources``), drops ``ProcessingResources`` and
  ``Environment`` from ``DescribeProcessingJob`` and completes the job at once. AWS refuses such requests with a
  ``ValidationException`` listing each violated constraint of the API reference: required members, enums (the
  ``ProcessingInstanceType`` list has no ``ml.inf2.*`` or ``ml.trn1.*`` type), lengths, ranges, patterns
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateProcessingJob.html,
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingClusterConfig.html). botocore's client
  checks only required members and types; the constraints are in its service model, which
  :func:`validate_request` evaluates server-side. Accepted jobs keep ``ProcessingResources`` and ``Environment``.

Tags given in the template (``Tags`` on the three types) reach the resources through moto's own create path,
so ``list_tags`` shows them; ``tests/emulator/test_sagemaker.py`` pins that.

Container start-up: moto puts every endpoint InService. A Hugging Face Neuron container (an image tagged
``...-optimum<version>-...``) serves only configurations in the Neuron cache unless it may compile or is given
precompiled artifacts; otherwise it stops with "No cached version found ..." and the endpoint goes to ``Failed``
with that text as ``FailureReason`` (DescribeEndpoint: "FailureReason: If the status of the endpoint is Failed,
the reason why it failed"; https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeEndpoint.html).
CreateEndpoint reads the variant's model (image, environment, ModelDataSource/ModelDataUrl) and decides with
:func:`stacks.config.neuron_snapshot.startup_failure`, the same matching the synth check uses; the endpoint fails at
once instead of after the start-up health check. Through CloudFormation the endpoint resource then fails and
the stack rolls back (:class:`emulator.cloudformation.ResourceFailed`), as AWS's handler waits for InService.

UpdateEndpoint, which moto 5.2.5 lacks (API) or replaces by delete + create (CloudFormation, losing the instance
count), is added as in AWS: the endpoint moves to the new endpoint config; with ``RetainAllVariantProperties``
variants of the same name keep their current instance count and weight unless listed in
``ExcludeRetainedVariantProperties`` (``DesiredInstanceCount``, ``DesiredWeight``), otherwise they take the
config's initial values (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateEndpoint.html,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_VariantProperty.html). A CloudFormation update
of ``AWS::SageMaker::Endpoint`` with the same name calls it (only a new ``EndpointName`` replaces the endpoint).

The update is refused when it would change the instance type of a variant registered as an Application Auto
Scaling scalable target, or remove such a variant: "If the update would change the instance type for any model
that is a target for auto scaling, the update fails"; deregistering first is required for "changing the
instance type of a production variant configured for auto scaling" and "removing a production variant
configured for auto scaling" (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-update.html).
AWS does not document the exact message; the ValidationException here names the variant, both instance types
and the fix.

Every property of ``AWS::SageMaker::Model`` and ``AWS::SageMaker::EndpointConfig`` requires replacement, and
CloudFormation deletes the replaced resource only in the update's cleanup phase (the endpoint still uses the old
config until its own update succeeds); moto deleted it at once. Here the new one is created and the old one
left to :mod:`emulator.cloudformation`'s cleanup; with an explicit name (which CloudFormation
cannot replace without a conflict) moto's delete-then-create stays.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StructureShape
from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.cloudformation import parsing as cfn_parsing
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.sagemaker import models as sm_models
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse

from emulator.cloudformation import REPLACED_IN_CLEANUP, ResourceFailed
from stacks.config.neuron_snapshot import startup_failure

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
#: DescribeEndpoint FailureReason: at most 1024 characters (API reference).
FAILURE_REASON_MAX = 1024

# Any well-formed SageMaker hosting instance type, e.g. ml.inf2.48xlarge, ml.g6e.12xlarge, ml.p4d.24xlarge.
_INSTANCE_TYPE = re.compile(r"^ml\.[a-z][a-z0-9-]*\.(medium|large|[0-9]*xlarge|metal)$")


def _validate_instance_type(self: Any, instance_type: str) -> None:
    """Reject what is not a well-formed ``ml.*`` hosting type, with the API's ValidationException."""
    if not _INSTANCE_TYPE.match(instance_type):
        raise ValidationError(
            message=f"Value '{instance_type}' at 'instanceType' failed to satisfy constraint: "
            "Member must be a SageMaker instance type such as ml.inf2.xlarge"
        )


_original_create_endpoint = sm_models.SageMakerModelBackend.create_endpoint


def _create_unique_endpoint(
    self: Any, endpoint_name: str, endpoint_config_name: str, tags: list[dict[str, str]]
) -> Any:
    """CreateEndpoint, refused as by SageMaker when an endpoint of that name (any case) exists."""
    if endpoint_name.lower() in {name.lower() for name in self.endpoints}:
        arn = sm_models.FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
        raise ValidationError(message=f'Cannot create already existing endpoint "{arn}".')
    endpoint = _original_create_endpoint(self, endpoint_name, endpoint_config_name, tags)
    # Remembered for UpdateEndpoint's autoscaling rule: DescribeEndpoint does not list instance types and the
    # config may be deleted later.
    endpoint.emulator_instance_types = _variant_instance_types(self, endpoint_config_name)  # type: ignore[attr-defined]
    return endpoint


def _endpoint_name_type() -> str:
    """``AWS::SageMaker::Endpoint`` is named by ``EndpointName``."""
    return "EndpointName"


def _endpoint_config_name_type() -> str:
    """``AWS::SageMaker::EndpointConfig`` is named by ``EndpointConfigName``."""
    return "EndpointConfigName"


def _model_name_type() -> str:
    """``AWS::SageMaker::Model`` is named by ``ModelName``."""
    return "ModelName"


_MAX_REPORTED = 3  # AWS lists a few violations and the count


@cache
def _input_shape(operation: str) -> StructureShape:
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model(operation).input_shape
    assert isinstance(shape, StructureShape)
    return shape


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # Java-only classes such as \p{L}: AWS checks them, this module cannot
        return None


def violations(shape: Shape, value: Any, path: str) -> list[str]:
    """Every constraint of ``shape`` (botocore's model) that ``value`` breaks, as AWS words them."""
    problems: list[str] = []
    metadata = shape.metadata
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            return [f"Value at '{path}' failed to satisfy constraint: Member must be a structure"]
        for required in shape.required_members:
            if value.get(required) is None:
                problems.append(
                    f"Value null at '{_join(path, required)}' failed to satisfy constraint: Member must not be null"
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                problems += violations(member, value[name], _join(path, name))
        return problems
    if isinstance(shape, ListShape | MapShape):
        size = len(value)
        if size < metadata.get("min", 0) or size > metadata.get("max", size):
            problems.append(
                f"Value at '{path}' failed to satisfy constraint: Member must have length between "
                f"{metadata.get('min', 0)} and {metadata.get('max')}"
            )
        if isinstance(shape, ListShape):
            for index, item in enumerate(value):
                problems += violations(shape.member, item, f"{path}.{index + 1}.member")
        else:
            for key, item in value.items():
                problems += violations(shape.value, item, f"{path}.{key}")
        return problems
    if shape.type_name == "string":
        text = str(value)
        enum = getattr(shape, "enum", None)
        if enum and text not in enum:
            problems.append(
                f"Value '{text}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: "
                f"[{', '.join(enum)}]"
            )
        if len(text) < metadata.get("min", 0) or len(text) > metadata.get("max", len(text)):
            problems.append(
                f"Value '{text[:40]}...' at '{path}' failed to satisfy constraint: Member must have length "
                f"less than or equal to {metadata.get('max')} and greater than or equal to {metadata.get('min', 0)}"
            )
        pattern = _compiled(metadata["pattern"]) if "pattern" in metadata else None
        if pattern is not None and not pattern.fullmatch(text):
            problems.append(
                f"Value '{text}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression "
                f"pattern: {metadata['pattern']}"
            )
    elif shape.type_name in {"integer", "long", "float", "double"}:
        if "min" in metadata and value < metadata["min"]:
            problems.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value greater than "
                f"or equal to {metadata['min']}"
            )
        if "max" in metadata and value > metadata["max"]:
            problems.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value less than or "
                f"equal to {metadata['max']}"
            )
    return problems


def _join(path: str, member: str) -> str:
    return f"{path}.{_lower_first(member)}" if path else _lower_first(member)


def validate_request(operation: str, params: dict[str, Any]) -> None:
    """Raise the ValidationException AWS answers when ``params`` break the operation's constraints."""
    problems = violations(_input_shape(operation), params, "")
    if problems:
        count = len(problems)
        shown = "; ".join(problems[:_MAX_REPORTED])
        raise ValidationError(message=f"{count} validation error{'s' if count > 1 else ''} detected: {shown}")


_original_create = SageMakerResponse.create_processing_job


def _create_processing_job(self: SageMakerResponse) -> Any:
    params = json.loads(self.body or "{}")
    validate_request("CreateProcessingJob", params)
    result = _original_create(self)
    job = self.sagemaker_backend.processing_jobs[params["ProcessingJobName"]]
    # DescribeProcessingJob answers these in AWS; moto's job does not keep them.
    job.processing_resources = params["ProcessingResources"]  # type: ignore[attr-defined]
    job.environment = params.get("Environment")  # type: ignore[attr-defined]
    return result


def container_failure(backend: Any, endpoint_config_name: str) -> str | None:
    """Why the containers of this endpoint config would not start (the first variant's reason), or None."""
    config = backend.endpoint_configs.get(endpoint_config_name)
    for variant in config.production_variants if config else []:
        model = backend._models.get(variant.get("ModelName", ""))
        container = (model.primary_container or {}) if model else {}
        reason = startup_failure(
            str(container.get("Image", "")),
            dict(container.get("Environment") or {}),
            has_model_data=bool(container.get("ModelDataSource") or container.get("ModelDataUrl")),
        )
        if reason:
            return reason[:FAILURE_REASON_MAX]
    return None


_moto_endpoint_from_cfn = sm_models.FakeEndpoint.create_from_cloudformation_json


def _create_endpoint(
    self: Any, endpoint_name: str, endpoint_config_name: str, tags: list[dict[str, str]]
) -> Any:
    """CreateEndpoint; the endpoint is ``Failed`` with the container's message when its container cannot start."""
    endpoint = _create_unique_endpoint(self, endpoint_name, endpoint_config_name, tags)
    reason = container_failure(self, endpoint_config_name)
    if reason:
        endpoint.endpoint_status = "Failed"
        endpoint.failure_reason = reason  # moto declares it None
    return endpoint


def _endpoint_from_cfn(
    cls: Any,
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    """``AWS::SageMaker::Endpoint``: a failed endpoint fails the resource (and the stack rolls back, deleting it)."""
    endpoint = _moto_endpoint_from_cfn(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    if endpoint.endpoint_status == "Failed":
        backend = sm_models.sagemaker_backends[account_id][region_name]
        raise ResourceFailed(
            "AWS::SageMaker::Endpoint",
            endpoint.endpoint_name,
            f"Endpoint {endpoint.arn} is in Failed status. FailureReason: {endpoint.failure_reason}",
            delete=lambda: backend.delete_endpoint(endpoint.endpoint_name),
        )
    return endpoint


def _variant_instance_types(backend: sm_models.SageMakerModelBackend, config_name: str) -> dict[str, str]:
    """Variant name -> instance type of an endpoint config ("" for serverless variants)."""
    config = backend.describe_endpoint_config(config_name)
    return {v["VariantName"]: v.get("InstanceType", "") for v in config["ProductionVariants"]}


def _registered_variants(backend: sm_models.SageMakerModelBackend, endpoint_name: str) -> set[str]:
    """Names of the endpoint's variants registered as scalable targets (instance count dimension)."""
    targets = applicationautoscaling_backends[backend.account_id][backend.region_name].targets
    prefix = f"endpoint/{endpoint_name}/variant/"
    return {rid.removeprefix(prefix) for rid in targets.get(SCALABLE_DIMENSION, {}) if rid.startswith(prefix)}


def _check_autoscaling(
    backend: sm_models.SageMakerModelBackend, endpoint: Any, new_types: dict[str, str]
) -> None:
    """Refuse to change the instance type of (or remove) a variant that is a scalable target."""
    current: dict[str, str] = getattr(endpoint, "emulator_instance_types", {})
    for variant in sorted(_registered_variants(backend, endpoint.endpoint_name)):
        old_type = current.get(variant)
        if old_type is None:
            continue
        if variant not in new_types:
            change = "removes it"
        elif new_types[variant] != old_type:
            change = f"changes its instance type from {old_type} to {new_types[variant]}"
        else:
            continue
        raise ValidationError(
            message=f"The endpoint update {change}, but variant {variant} of endpoint {endpoint.endpoint_name} is "
            "registered as an Application Auto Scaling scalable target. Deregister the scalable target "
            "(DeregisterScalableTarget) before you update the endpoint, then register it again."
        )


def update_endpoint(
    self: sm_models.SageMakerModelBackend,
    endpoint_name: str,
    endpoint_config_name: str,
    retain_all_variant_properties: bool = False,
    exclude_retained_variant_properties: list[dict[str, str]] | None = None,
) -> str:
    """UpdateEndpoint (see the module docstring); returns the endpoint ARN."""
    endpoint = self.endpoints.get(endpoint_name)
    if endpoint is None:
        arn = sm_models.FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
        raise ValidationError(message=f"Could not find endpoint '{arn}'.")
    try:
        config = self.describe_endpoint_config(endpoint_config_name)
    except ValidationError:
        arn = sm_models.FakeEndpointConfig.arn_formatter(
            endpoint_config_name, self.account_id, self.region_name
        )
        raise ValidationError(message=f"Could not find endpoint configuration '{arn}'.") from None
    new_types = {v["VariantName"]: v.get("InstanceType", "") for v in config["ProductionVariants"]}
    _check_autoscaling(self, endpoint, new_types)
    excluded = {p.get("VariantPropertyType") for p in exclude_retained_variant_properties or []}
    previous = {v["VariantName"]: v for v in endpoint.production_variants}
    variants = endpoint._process_production_variants(config["ProductionVariants"])
    if retain_all_variant_properties:
        for variant in variants:
            old = previous.get(variant["VariantName"])
            if old is None:
                continue
            for field, prefix in (("DesiredInstanceCount", "InstanceCount"), ("DesiredWeight", "Weight")):
                if field not in excluded and field in old:
                    variant[f"Desired{prefix}"] = old[f"Desired{prefix}"]
                    variant[f"Current{prefix}"] = old.get(f"Current{prefix}", old[f"Desired{prefix}"])
    endpoint.production_variants = variants
    endpoint.endpoint_config_name = endpoint_config_name
    endpoint.data_capture_config = config.get("DataCaptureConfig") or {}
    endpoint.emulator_instance_types = new_types  # type: ignore[attr-defined]
    endpoint.last_modified_time = utcnow()
    return str(endpoint.arn)


def _update_endpoint_response(self: SageMakerResponse) -> ActionResult:
    """The UpdateEndpoint API action."""
    arn = update_endpoint(
        self.sagemaker_backend,
        endpoint_name=self._get_param("EndpointName"),
        endpoint_config_name=self._get_param("EndpointConfigName"),
        retain_all_variant_properties=bool(self._get_param("RetainAllVariantProperties", False)),
        exclude_retained_variant_properties=self._get_param("ExcludeRetainedVariantProperties"),
    )
    return ActionResult({"EndpointArn": arn})


def _truthy(value: Any) -> bool:
    """A template boolean (CloudFormation may pass ``"true"``)."""
    return value is True or str(value).lower() == "true"


_moto_update_endpoint_cfn = sm_models.FakeEndpoint.update_from_cloudformation_json


def _update_endpoint_from_cloudformation(
    cls: type[sm_models.FakeEndpoint],
    *,  # moto passes them by keyword (moto.cloudformation.parsing.parse_and_update_resource)
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> sm_models.FakeEndpoint:
    """Same name: UpdateEndpoint (tags from the template applied); a new name: moto's replacement. An update
    whose new containers cannot start fails and leaves the endpoint serving its current config, as a failed
    UpdateEndpoint does; the stack then rolls back."""
    properties = cloudformation_json["Properties"]
    backend = sm_models.sagemaker_backends[account_id][region_name]
    reason = container_failure(backend, str(properties["EndpointConfigName"]))
    if reason:
        raise ResourceFailed(
            "AWS::SageMaker::Endpoint",
            original_resource.endpoint_name,
            f"Endpoint {original_resource.arn} update failed. FailureReason: {reason}",
        )
    if properties.get("EndpointName", original_resource.endpoint_name) != original_resource.endpoint_name:
        return _moto_update_endpoint_cfn.__func__(  # type: ignore[attr-defined, no-any-return]
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
    update_endpoint(
        backend,
        endpoint_name=original_resource.endpoint_name,
        endpoint_config_name=properties["EndpointConfigName"],
        retain_all_variant_properties=_truthy(properties.get("RetainAllVariantProperties", False)),
        exclude_retained_variant_properties=properties.get("ExcludeRetainedVariantProperties"),
    )
    tags = {t["Key"]: t["Value"] for t in original_resource.tags}
    tags.update({t["Key"]: t["Value"] for t in properties.get("Tags") or []})
    original_resource.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
    return original_resource  # type: ignore[no-any-return]


def _replace_from_cloudformation(
    cls: type[Any],
    *,  # moto passes them by keyword
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> Any:
    """Create the replacement and leave the original to the cleanup phase (see the module docstring)."""
    named = cls.cloudformation_name_type() in cloudformation_json["Properties"]
    if named:  # one name cannot exist twice: moto's delete, then create
        cls.delete_from_cloudformation_json(
            original_resource.physical_resource_id, cloudformation_json, account_id, region_name
        )
    new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
    setattr(new, REPLACED_IN_CLEANUP, not named)
    return new


#: SageMaker names (ModelName, EndpointConfigName, EndpointName, InferenceComponentName): at most 63 characters
#: (CreateModel / CreateEndpointConfig / CreateInferenceComponent API reference, "Length Constraints: Maximum
#: length of 63").
NAME_MAX = 63
_SAGEMAKER_NAMED = (
    "AWS::SageMaker::Model",
    "AWS::SageMaker::EndpointConfig",
    "AWS::SageMaker::Endpoint",
    "AWS::SageMaker::InferenceComponent",
)
_moto_generate_resource_name = cfn_parsing.generate_resource_name


def _generate_resource_name(resource_type: str, stack_name: str, logical_id: str) -> str:
    """moto's ``<stack>-<logical id>-<random>``, cut to SageMaker's 63 characters as CloudFormation's generated
    names fit the type (moto did this only for target groups, load balancers and buckets). A longer name made
    CreateInferenceComponent refuse the generated ModelName of its model."""
    name = _moto_generate_resource_name(resource_type, stack_name, logical_id)
    if resource_type not in _SAGEMAKER_NAMED or len(name) <= NAME_MAX:
        return name
    suffix = name.rsplit("-", 1)[-1]
    return f"{name[: NAME_MAX - len(suffix) - 1].rstrip('-')}-{suffix}"


def install() -> None:
    """Accept every well-formed instance type, honour explicit names in CloudFormation templates, refuse a
    second endpoint of the same name, fail endpoints whose Hugging Face Neuron container could not start,
    validate CreateProcessingJob like AWS (keeping its resources and environment for Describe), add UpdateEndpoint
    with its autoscaling rule, and replace models and endpoint configs in CloudFormation's order."""
    SageMakerResponse.create_processing_job = _create_processing_job  # type: ignore[method-assign]
    cfn_parsing.generate_resource_name = _generate_resource_name
    sm_models.FakeEndpointConfig.validate_instance_type = _validate_instance_type  # type: ignore[method-assign]
    sm_models.SageMakerModelBackend.create_endpoint = _create_endpoint  # type: ignore[method-assign]
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sagemaker-endpoint.html
    sm_models.FakeEndpoint.cloudformation_name_type = staticmethod(_endpoint_name_type)  # type: ignore[method-assign]
    sm_models.FakeEndpointConfig.cloudformation_name_type = staticmethod(_endpoint_config_name_type)  # type: ignore[method-assign]
    sm_models.Model.cloudformation_name_type = staticmethod(_model_name_type)  # type: ignore[method-assign]
    sm_models.FakeEndpoint.create_from_cloudformation_json = classmethod(_endpoint_from_cfn)  # type: ignore[method-assign, assignment]
    sm_models.SageMakerModelBackend.update_endpoint = update_endpoint  # type: ignore[attr-defined]
    SageMakerResponse.update_endpoint = _update_endpoint_response  # type: ignore[attr-defined]
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-endpoint.html
    # (EndpointConfigName: update requires no interruption; EndpointName: replacement)
    sm_models.FakeEndpoint.update_from_cloudformation_json = classmethod(_update_endpoint_from_cloudformation)  # type: ignore[method-assign, assignment]
    for model in (sm_models.Model, sm_models.FakeEndpointConfig):
        model.update_from_cloudformation_json = classmethod(_replace_from_cloudformation)  # type: ignore[method-assign, assignment]
