"""SageMaker gaps of moto 5.2.5: instance types newer than its allow-list, and names given in templates.

- Endpoint configs reject instance types newer than moto's allow-list (inf2, g5, g6, g6e, p4d...): any
  well-formed ``ml.*`` hosting type is accepted instead.
- CloudFormation ignores ``EndpointName``, ``EndpointConfigName`` and ``ModelName``: moto's models declare no
  name property (``cloudformation_name_type`` returns ""), so every endpoint gets a generated
  ``<stack>-<logical id>-<random>`` name and anything that addresses the endpoint by its configured name
  (metrics, scaling resource ids, the cost reporter) misses it. The models now declare their name property,
  as CloudFormation does; without one the generated name is kept.

Tags given in the template (``Tags`` on the three types) reach the resources through moto's own create path,
so ``list_tags`` shows them; ``tests/emulator/test_sagemaker.py`` pins that.

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

import re
from typing import Any

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.sagemaker import models as sm_models
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse

from emulator.cloudformation import REPLACED_IN_CLEANUP

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"

# Any well-formed SageMaker hosting instance type, e.g. ml.inf2.48xlarge, ml.g6e.12xlarge, ml.p4d.24xlarge.
_INSTANCE_TYPE = re.compile(r"^ml\.[a-z][a-z0-9-]*\.(medium|large|[0-9]*xlarge|metal)$")


def _validate_instance_type(self: Any, instance_type: str) -> None:
    """Reject what is not a well-formed ``ml.*`` hosting type, with the API's ValidationException."""
    if not _INSTANCE_TYPE.match(instance_type):
        raise ValidationError(
            message=f"Value '{instance_type}' at 'instanceType' failed to satisfy constraint: "
            "Member must be a SageMaker instance type such as ml.inf2.xlarge"
        )


def _endpoint_name_type() -> str:
    """``AWS::SageMaker::Endpoint`` is named by ``EndpointName``."""
    return "EndpointName"


def _endpoint_config_name_type() -> str:
    """``AWS::SageMaker::EndpointConfig`` is named by ``EndpointConfigName``."""
    return "EndpointConfigName"


def _model_name_type() -> str:
    """``AWS::SageMaker::Model`` is named by ``ModelName``."""
    return "ModelName"


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


_moto_create_endpoint = sm_models.SageMakerModelBackend.create_endpoint


def _create_endpoint(
    self: sm_models.SageMakerModelBackend,
    endpoint_name: str,
    endpoint_config_name: str,
    tags: list[dict[str, str]],
) -> sm_models.FakeEndpoint:
    """moto's CreateEndpoint, remembering the instance types it was deployed with (as DescribeEndpoint does
    not list them and the config may be deleted later)."""
    endpoint = _moto_create_endpoint(self, endpoint_name, endpoint_config_name, tags)
    endpoint.emulator_instance_types = _variant_instance_types(self, endpoint_config_name)  # type: ignore[attr-defined]
    return endpoint


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
    """Same name: UpdateEndpoint (tags from the template applied); a new name: moto's replacement."""
    properties = cloudformation_json["Properties"]
    if properties.get("EndpointName", original_resource.endpoint_name) != original_resource.endpoint_name:
        return _moto_update_endpoint_cfn.__func__(  # type: ignore[attr-defined, no-any-return]
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
    backend = sm_models.sagemaker_backends[account_id][region_name]
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


def install() -> None:
    """Accept every well-formed instance type and honour explicit names in CloudFormation templates."""
    sm_models.FakeEndpointConfig.validate_instance_type = _validate_instance_type  # type: ignore[method-assign]
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sagemaker-endpoint.html
    sm_models.FakeEndpoint.cloudformation_name_type = staticmethod(_endpoint_name_type)  # type: ignore[method-assign]
    sm_models.FakeEndpointConfig.cloudformation_name_type = staticmethod(_endpoint_config_name_type)  # type: ignore[method-assign]
    sm_models.Model.cloudformation_name_type = staticmethod(_model_name_type)  # type: ignore[method-assign]
    sm_models.SageMakerModelBackend.create_endpoint = _create_endpoint  # type: ignore[method-assign]
    sm_models.SageMakerModelBackend.update_endpoint = update_endpoint  # type: ignore[attr-defined]
    SageMakerResponse.update_endpoint = _update_endpoint_response  # type: ignore[attr-defined]
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-endpoint.html
    # (EndpointConfigName: update requires no interruption; EndpointName: replacement)
    sm_models.FakeEndpoint.update_from_cloudformation_json = classmethod(_update_endpoint_from_cloudformation)  # type: ignore[method-assign, assignment]
    for model in (sm_models.Model, sm_models.FakeEndpointConfig):
        model.update_from_cloudformation_json = classmethod(_replace_from_cloudformation)  # type: ignore[method-assign, assignment]
