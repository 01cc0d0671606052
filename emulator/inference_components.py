"""SageMaker inference components, which moto 5.2.5 lacks entirely: the API, ``AWS::SageMaker::InferenceComponent``
in CloudFormation, and their copy count as an Application Auto Scaling dimension.

Endpoint configs: moto's CreateEndpointConfig raised ``KeyError: 'ModelName'`` on a variant without a model, which
inference-component endpoints have; only variants that name a model are checked now.

API (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateInferenceComponent.html and its
Describe/Update/UpdateRuntimeConfig/Delete/List siblings): requests are checked against botocore's service model
(:func:`emulator.sagemaker.validate_request`: required members, ranges such as NumberOfAcceleratorDevicesRequired
>= 1, patterns); then, as AWS answers:

- the endpoint must exist, and a component name exists once per account and region (ValidationException);
- the endpoint's variant must name no model: components need an endpoint config whose production variant has no
  ``ModelName`` (and an ``ExecutionRoleArn``), "Deploy models for real-time inference" / CreateEndpointConfig;
- the model must exist; its accelerators must fit one instance of the variant: a copy runs on one instance
  (Inferentia2 accelerators counted in chips, see ``stacks.config.components``);
- a Hugging Face Neuron container that could not start (configuration outside the Neuron cache) leaves the component
  ``Failed`` with the container's message, as for endpoints (:mod:`emulator.sagemaker`);
- copies are placed on at most ``ManagedInstanceScaling.MaxInstanceCount`` instances: ``CurrentCopyCount`` is what
  fits, ``DesiredCopyCount`` what was asked (DescribeInferenceComponent ``RuntimeConfig``).

Tagging API: GetResources lists the components with their tags (``sagemaker:inference-component``), as AWS lists
every resource type; the cost report reads each component's ``infersave:model-id`` there.

Application Auto Scaling: moto's dimension list lacks ``sagemaker:inference-component:DesiredCopyCount``
(RegisterScalableTarget answered "Unsupported service namespace, resource type or scalable dimension"); it is
accepted for ``inference-component/<name>`` resource ids of components that exist (AWS validates the resource:
RegisterScalableTarget, "ValidationException ... the resource does not exist").
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from moto.applicationautoscaling import models as aas_models
from moto.applicationautoscaling import responses as aas_responses
from moto.applicationautoscaling.exceptions import AWSValidationException
from moto.core.common_models import CloudFormationModel
from moto.core.resource_tagging import TaggedResource
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.sagemaker import models as sm_models
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse

from emulator.cfn_model import CfnResource, Properties
from emulator.cloudformation import ResourceFailed
from lambdas.common.catalog import load_catalog
from stacks.config.neuron_snapshot import startup_failure

DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
RESOURCE_PREFIX = "inference-component/"
#: ListInferenceComponents MaxResults (API reference: 1-100).
MAX_RESULTS = 100


def _store(backend: sm_models.SageMakerModelBackend) -> dict[str, dict[str, Any]]:
    store = getattr(backend, "emulator_inference_components", None)
    if store is None:
        store = {}
        backend.emulator_inference_components = store  # type: ignore[attr-defined]
    return store


def _arn(backend: sm_models.SageMakerModelBackend, name: str) -> str:
    return f"arn:aws:sagemaker:{backend.region_name}:{backend.account_id}:inference-component/{name.lower()}"


def _find(backend: sm_models.SageMakerModelBackend, name: str) -> dict[str, Any]:
    component = _store(backend).get(name)
    if component is None:
        raise ValidationError(message=f"Could not find inference component '{_arn(backend, name)}'.")
    return component


def lookup(backend: sm_models.SageMakerModelBackend, name: str) -> dict[str, Any] | None:
    """The component named ``name`` (any case: names are unique per account and region regardless of case), or
    None. For readers outside the API (the runtime); the dict is the stored component, not a copy."""
    store = _store(backend)
    return store.get(name) or next((c for n, c in store.items() if n.lower() == name.lower()), None)


def _variant(
    backend: sm_models.SageMakerModelBackend, endpoint_name: str, variant_name: str | None
) -> dict[str, Any]:
    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        arn = sm_models.FakeEndpoint.arn_formatter(endpoint_name, backend.account_id, backend.region_name)
        raise ValidationError(message=f"Could not find endpoint '{arn}'.")
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    variants = config.production_variants if config else []
    for variant in variants:
        if variant_name in (None, variant["VariantName"]):
            if variant.get("ModelName"):
                raise ValidationError(
                    message=f"Inference components cannot be deployed to endpoint {endpoint_name}: its variant "
                    f"{variant['VariantName']} names model {variant['ModelName']}. Use an endpoint config whose "
                    "production variant has no ModelName, with ExecutionRoleArn."
                )
            return dict(variant)
    raise ValidationError(message=f"Variant {variant_name} not found on endpoint {endpoint_name}.")


def _placed(variant: Mapping[str, Any], chips: int, wanted: int, others: int) -> int:
    """Copies that fit: whole chips per copy on at most MaxInstanceCount instances, beside other components'."""
    spec = load_catalog().get(str(variant.get("InstanceType", "")))
    scaling = variant.get("ManagedInstanceScaling") or {}
    if spec is None or not chips:
        return wanted
    instances = int(scaling.get("MaxInstanceCount") or variant.get("InitialInstanceCount") or 1)
    per_instance = spec.chips // chips
    return max(0, min(wanted, per_instance * instances - others))


def _check_fit(variant: Mapping[str, Any], chips: int, name: str) -> None:
    spec = load_catalog().get(str(variant.get("InstanceType", "")))
    if spec is not None and spec.chips and chips > spec.chips:
        raise ValidationError(
            message=f"Inference component {name} requires {chips} accelerator devices, but instance type "
            f"{spec.instance_type} of variant {variant['VariantName']} has {spec.chips}."
        )


def _chips(specification: Mapping[str, Any]) -> int:
    return int(
        float(
            (specification.get("ComputeResourceRequirements") or {}).get(
                "NumberOfAcceleratorDevicesRequired", 0
            )
        )
    )


def _failure(backend: sm_models.SageMakerModelBackend, model_name: str) -> str | None:
    model = backend._models.get(model_name)
    container = (model.primary_container or {}) if model else {}
    return startup_failure(
        str(container.get("Image", "")),
        dict(container.get("Environment") or {}),
        has_model_data=bool(container.get("ModelDataSource") or container.get("ModelDataUrl")),
    )


def _set_copies(backend: sm_models.SageMakerModelBackend, component: dict[str, Any], wanted: int) -> None:
    others = sum(
        c["RuntimeConfig"]["CurrentCopyCount"] * _chips(c["Specification"])
        for c in _store(backend).values()
        if c is not component and c["EndpointName"] == component["EndpointName"]
    )
    variant = component["_variant"]
    chips = _chips(component["Specification"])
    spec = load_catalog().get(str(variant.get("InstanceType", "")))
    other_copies = others // chips if chips and spec else 0
    component["RuntimeConfig"] = {
        "DesiredCopyCount": wanted,
        "CurrentCopyCount": 0
        if component["InferenceComponentStatus"] == "Failed"
        else _placed(variant, chips, wanted, other_copies),
    }
    component["LastModifiedTime"] = utcnow()
    _sync_instances(backend, str(component["EndpointName"]), str(component["VariantName"]))


def _instances_for(chips_per_instance: int, copy_chips: list[int]) -> int:
    """Instances that hold these copies, a copy on one instance (first fit, largest first)."""
    free: list[int] = []
    for chips in sorted(copy_chips, reverse=True):
        for index, left in enumerate(free):
            if left >= chips:
                free[index] -= chips
                break
        else:
            free.append(chips_per_instance - chips)
    return len(free)


def _sync_instances(backend: sm_models.SageMakerModelBackend, endpoint_name: str, variant_name: str) -> None:
    """Under managed instance scaling the variant's instances follow its copies: DescribeEndpoint's
    ``CurrentInstanceCount`` (and ``DesiredInstanceCount``) become the instances the placed copies need, within
    ``MinInstanceCount``..``MaxInstanceCount`` (moto kept ``InitialInstanceCount`` for good). SageMaker developer
    guide, "Scale an endpoint to zero instances": with ``MinInstanceCount`` 0, scaling the copies in "reduce[s] the
    number of in-service instances to zero"; ProductionVariantManagedInstanceScaling: the minimum and maximum
    instances the endpoint can scale in and out to. Provisioning delays are not modelled."""
    endpoint = backend.endpoints.get(endpoint_name)
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint else None
    variant = next(
        (v for v in (config.production_variants if config else []) if v["VariantName"] == variant_name), None
    )
    scaling = (variant or {}).get("ManagedInstanceScaling") or {}
    spec = load_catalog().get(str((variant or {}).get("InstanceType", "")))
    if (
        endpoint is None
        or variant is None
        or str(scaling.get("Status", "")).upper() != "ENABLED"
        or spec is None
    ):
        return
    copy_chips = [
        _chips(c["Specification"])
        for c in _store(backend).values()
        if c["EndpointName"] == endpoint_name and c["VariantName"] == variant_name
        for _ in range(int(c["RuntimeConfig"]["CurrentCopyCount"]))
    ]
    needed = _instances_for(spec.chips, [chips for chips in copy_chips if chips])
    low = int(scaling.get("MinInstanceCount") or 0)
    high = int(scaling.get("MaxInstanceCount") or max(needed, low))
    instances = max(low, min(high, needed))
    for summary in endpoint.production_variants:
        if summary["VariantName"] == variant_name:
            summary["CurrentInstanceCount"] = summary["DesiredInstanceCount"] = instances


def create_inference_component(backend: sm_models.SageMakerModelBackend, params: dict[str, Any]) -> str:
    """CreateInferenceComponent (see the module docstring); returns the ARN."""
    from emulator.sagemaker import validate_request  # noqa: PLC0415 - emulator.sagemaker imports this module

    validate_request("CreateInferenceComponent", params)
    name = params["InferenceComponentName"]
    store = _store(backend)
    if name.lower() in {n.lower() for n in store}:
        raise ValidationError(
            message=f'Cannot create already existing inference component "{_arn(backend, name)}".'
        )
    variant = _variant(backend, params["EndpointName"], params.get("VariantName"))
    specification = dict(params["Specification"])
    model_name = specification.get("ModelName")
    if model_name and model_name not in backend._models:
        raise ValidationError(message=f"Could not find model '{model_name}'.")
    _check_fit(variant, _chips(specification), name)
    reason = _failure(backend, model_name) if model_name else None
    now = utcnow()
    component: dict[str, Any] = {
        "InferenceComponentName": name,
        "InferenceComponentArn": _arn(backend, name),
        "EndpointName": params["EndpointName"],
        "EndpointArn": backend.endpoints[params["EndpointName"]].arn,
        "VariantName": variant["VariantName"],
        "Specification": specification,
        "InferenceComponentStatus": "Failed" if reason else "InService",
        "CreationTime": now,
        "LastModifiedTime": now,
        "_variant": variant,
        "_tags": list(params.get("Tags") or []),
    }
    if reason:
        component["FailureReason"] = reason[:1024]
    store[name] = component
    _set_copies(backend, component, int((params.get("RuntimeConfig") or {}).get("CopyCount", 1)))
    return str(component["InferenceComponentArn"])


def describe_inference_component(backend: sm_models.SageMakerModelBackend, name: str) -> dict[str, Any]:
    component = _find(backend, name)
    return {k: v for k, v in component.items() if not k.startswith("_")}


def update_inference_component(backend: sm_models.SageMakerModelBackend, params: dict[str, Any]) -> str:
    from emulator.sagemaker import validate_request  # noqa: PLC0415

    validate_request("UpdateInferenceComponent", params)
    component = _find(backend, params["InferenceComponentName"])
    if "Specification" in params:
        specification = dict(params["Specification"])
        _check_fit(component["_variant"], _chips(specification), component["InferenceComponentName"])
        component["Specification"] = specification
    wanted = (params.get("RuntimeConfig") or {}).get("CopyCount")
    _set_copies(
        backend, component, component["RuntimeConfig"]["DesiredCopyCount"] if wanted is None else int(wanted)
    )
    return str(component["InferenceComponentArn"])


def update_runtime_config(backend: sm_models.SageMakerModelBackend, name: str, copies: int) -> str:
    """UpdateInferenceComponentRuntimeConfig: the copy count (what Application Auto Scaling sets)."""
    if copies < 0:
        raise ValidationError(message=f"Value '{copies}' at 'desiredRuntimeConfig.copyCount' must be >= 0.")
    component = _find(backend, name)
    _set_copies(backend, component, copies)
    return str(component["InferenceComponentArn"])


def delete_inference_component(backend: sm_models.SageMakerModelBackend, name: str) -> None:
    component = _find(backend, name)
    del _store(backend)[name]
    _sync_instances(backend, str(component["EndpointName"]), str(component["VariantName"]))


def list_inference_components(
    backend: sm_models.SageMakerModelBackend, params: dict[str, Any]
) -> dict[str, Any]:
    """ListInferenceComponents, filtered by endpoint and variant, sorted by name, paginated."""
    limit = int(params.get("MaxResults") or MAX_RESULTS)
    if not 1 <= limit <= MAX_RESULTS:
        raise ValidationError(message=f"Value '{limit}' at 'maxResults' must be between 1 and {MAX_RESULTS}.")
    rows = [
        c
        for c in sorted(_store(backend).values(), key=lambda c: str(c["InferenceComponentName"]))
        if params.get("EndpointNameEquals") in (None, c["EndpointName"])
        and params.get("VariantNameEquals") in (None, c["VariantName"])
    ]
    start = int(params.get("NextToken") or 0)
    page = rows[start : start + limit]
    answer: dict[str, Any] = {
        "InferenceComponents": [
            {
                k: c[k]
                for k in (
                    "InferenceComponentName",
                    "InferenceComponentArn",
                    "EndpointName",
                    "EndpointArn",
                    "VariantName",
                    "InferenceComponentStatus",
                    "CreationTime",
                    "LastModifiedTime",
                )
            }
            for c in page
        ]
    }
    if start + limit < len(rows):
        answer["NextToken"] = str(start + limit)
    return answer


# The API actions (moto dispatches an action to the SageMakerResponse method of its snake_case name).


def _params(self: SageMakerResponse) -> dict[str, Any]:
    return dict(json.loads(self.body or "{}"))


def _create_response(self: SageMakerResponse) -> ActionResult:
    return ActionResult(
        {"InferenceComponentArn": create_inference_component(self.sagemaker_backend, _params(self))}
    )


def _describe_response(self: SageMakerResponse) -> ActionResult:
    return ActionResult(
        describe_inference_component(self.sagemaker_backend, _params(self)["InferenceComponentName"])
    )


def _update_response(self: SageMakerResponse) -> ActionResult:
    return ActionResult(
        {"InferenceComponentArn": update_inference_component(self.sagemaker_backend, _params(self))}
    )


def _update_runtime_response(self: SageMakerResponse) -> ActionResult:
    params = _params(self)
    copies = int(params["DesiredRuntimeConfig"]["CopyCount"])
    arn = update_runtime_config(self.sagemaker_backend, params["InferenceComponentName"], copies)
    return ActionResult({"InferenceComponentArn": arn})


def _delete_response(self: SageMakerResponse) -> ActionResult:
    delete_inference_component(self.sagemaker_backend, _params(self)["InferenceComponentName"])
    return ActionResult({})


def _list_response(self: SageMakerResponse) -> ActionResult:
    return ActionResult(list_inference_components(self.sagemaker_backend, _params(self)))


class InferenceComponent(CfnResource, CloudFormationModel):
    """``AWS::SageMaker::InferenceComponent``: ``Ref`` gives the ARN, ``Fn::GetAtt InferenceComponentName`` the name
    (CloudFormation resource reference, return values)."""

    CFN_TYPE = "AWS::SageMaker::InferenceComponent"
    CFN_NAME_PROPERTY = "InferenceComponentName"
    CFN_PHYSICAL_ID = "arn"
    CFN_ATTRIBUTES: ClassVar[Mapping[str, str]] = {
        "InferenceComponentArn": "arn",
        "InferenceComponentName": "name",
    }

    def __init__(self, name: str, arn: str) -> None:
        self.name = name
        self.arn = arn

    @classmethod
    def create(
        cls, name: str, properties: Properties, account_id: str, region_name: str
    ) -> InferenceComponent:
        backend = sm_models.sagemaker_backends[account_id][region_name]
        params = {
            "InferenceComponentName": properties.get("InferenceComponentName") or name,
            "EndpointName": properties["EndpointName"],
            "Specification": _numbers(properties.get("Specification") or {}),
            "RuntimeConfig": _numbers(properties.get("RuntimeConfig") or {"CopyCount": 1}),
            "Tags": properties.get("Tags") or [],
        }
        if properties.get("VariantName"):
            params["VariantName"] = properties["VariantName"]
        try:
            arn = create_inference_component(backend, params)
        except ValidationError as error:  # AWS's handler reports the API's refusal as the resource's failure
            raise ResourceFailed(cls.CFN_TYPE, params["InferenceComponentName"], error.message) from None
        component = _store(backend)[params["InferenceComponentName"]]
        if component["InferenceComponentStatus"] == "Failed":  # the handler waits for InService
            raise ResourceFailed(
                cls.CFN_TYPE,
                params["InferenceComponentName"],
                f"Inference component {arn} is in Failed status. FailureReason: {component['FailureReason']}",
                delete=lambda: delete_inference_component(backend, params["InferenceComponentName"]),
            )
        return cls(params["InferenceComponentName"], arn)

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> InferenceComponent:
        return cls(physical_id.rsplit("/", 1)[-1], physical_id)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = sm_models.sagemaker_backends[account_id][region_name]
        for name in list(_store(backend)):
            if name.lower() == self.name.lower():
                del _store(backend)[name]

    def update(
        self, name: str, properties: Properties, account_id: str, region_name: str
    ) -> InferenceComponent:
        """Same name: UpdateInferenceComponent (Specification and RuntimeConfig update without interruption);
        a new name replaces the component."""
        new_name = properties.get("InferenceComponentName") or self.name
        backend = sm_models.sagemaker_backends[account_id][region_name]
        if new_name != self.name or properties["EndpointName"] != _find(backend, self.name)["EndpointName"]:
            return super().update(name, properties, account_id, region_name)
        params = {
            "InferenceComponentName": self.name,
            "Specification": _numbers(properties.get("Specification") or {}),
        }
        if properties.get("RuntimeConfig"):
            params["RuntimeConfig"] = _numbers(properties["RuntimeConfig"])
        update_inference_component(backend, params)
        return self


def _numbers(value: Any) -> Any:
    """Template numbers arrive as strings; the API model wants numbers."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value


_moto_validate_variants = sm_models.SageMakerModelBackend.validate_production_variants


def _validate_production_variants(
    self: sm_models.SageMakerModelBackend, production_variants: list[dict[str, Any]]
) -> None:
    """moto's check that a variant's model exists, for the variants that name one: a variant of an
    inference-component endpoint names none (moto raised KeyError on it)."""
    _moto_validate_variants(self, [v for v in production_variants if v.get("ModelName")])


_moto_target_params_are_valid = aas_models._target_params_are_valid


def _target_params_are_valid(namespace: str, r_id: str, dimension: str | None) -> bool:
    """moto's check, plus the inference-component copy count (see the module docstring)."""
    if dimension == DIMENSION or (dimension is None and r_id.startswith(RESOURCE_PREFIX)):
        if namespace != "sagemaker" or not r_id.startswith(RESOURCE_PREFIX):
            raise AWSValidationException("Unsupported service namespace, resource type or scalable dimension")
        return True
    return _moto_target_params_are_valid(namespace, r_id, dimension)  # type: ignore[arg-type]  # moto accepts None


_moto_register = aas_models.ApplicationAutoscalingBackend.register_scalable_target


def _register_scalable_target(
    self: aas_models.ApplicationAutoscalingBackend, *args: Any, **kwargs: Any
) -> Any:
    """RegisterScalableTarget; an inference component must exist."""
    r_id = kwargs.get("r_id", args[1] if len(args) > 1 else "")
    dimension = kwargs.get("dimension", args[2] if len(args) > 2 else None)
    if dimension == DIMENSION:
        name = str(r_id).removeprefix(RESOURCE_PREFIX)
        backend = sm_models.sagemaker_backends[self.account_id][self.region_name]
        if name not in _store(backend):
            raise AWSValidationException(
                f"Inference component {name} does not exist; create it before registering it as a scalable target."
            )
    return _moto_register(self, *args, **kwargs)


_moto_validate_params = aas_responses.ApplicationAutoScalingResponse._validate_params


def _validate_params(self: aas_responses.ApplicationAutoScalingResponse) -> None:
    """moto's enum check of the API's ScalableDimension, which lacks the inference-component dimension."""
    if self._get_param("ScalableDimension") == DIMENSION:
        if self._get_param("ServiceNamespace") != "sagemaker":
            raise AWSValidationException("Unsupported service namespace, resource type or scalable dimension")
        return
    _moto_validate_params(self)


_original_iter_tagged_resources = sm_models.SageMakerModelBackend.iter_tagged_resources


def _iter_tagged_resources(self: sm_models.SageMakerModelBackend) -> Iterator[TaggedResource]:
    """moto's tagged SageMaker resources, then the inference components with their tags: the Resource Groups
    Tagging API's GetResources lists every resource type ("The GetResources, GetTagKeys, and GetTagValues
    operations support all resource types", Resource Groups Tagging API reference, "Services that support the
    Resource Groups Tagging API"), as ``sagemaker:inference-component``."""
    yield from _original_iter_tagged_resources(self)
    for component in _store(self).values():
        if component["_tags"]:
            yield TaggedResource(
                arn=component["InferenceComponentArn"],
                tags={t["Key"]: t["Value"] for t in component["_tags"]},
                resource_type="sagemaker:inference-component",
            )


def install() -> None:
    """The API actions, the CloudFormation type (found as a CloudFormationModel subclass), the scaling
    dimension and the components in the tagging API."""
    sm_models.SageMakerModelBackend.iter_tagged_resources = _iter_tagged_resources  # type: ignore[method-assign]
    SageMakerResponse.create_inference_component = _create_response  # type: ignore[attr-defined]
    SageMakerResponse.describe_inference_component = _describe_response  # type: ignore[attr-defined]
    SageMakerResponse.update_inference_component = _update_response  # type: ignore[attr-defined]
    SageMakerResponse.update_inference_component_runtime_config = _update_runtime_response  # type: ignore[attr-defined]
    SageMakerResponse.delete_inference_component = _delete_response  # type: ignore[attr-defined]
    SageMakerResponse.list_inference_components = _list_response  # type: ignore[attr-defined]
    sm_models.SageMakerModelBackend.validate_production_variants = _validate_production_variants  # type: ignore[method-assign]
    aas_models._target_params_are_valid = _target_params_are_valid
    aas_responses.ApplicationAutoScalingResponse._validate_params = _validate_params  # type: ignore[method-assign]
    aas_models.ApplicationAutoscalingBackend.register_scalable_target = _register_scalable_target  # type: ignore[method-assign]
