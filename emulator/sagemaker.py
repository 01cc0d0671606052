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

Container start-up: moto puts every endpoint InService. A Hugging Face Neuron container (an image tagged
``...-optimum<version>-...``) serves only configurations in the Neuron cache unless it may compile or is given
precompiled artifacts; otherwise it stops with "No cached version found ..." and the endpoint goes to ``Failed``
with that text as ``FailureReason`` (DescribeEndpoint: "FailureReason: If the status of the endpoint is Failed,
the reason why it failed"; https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeEndpoint.html).
CreateEndpoint reads the variant's model (image, environment, ModelDataSource/ModelDataUrl) and decides with
:func:`stacks.config.neuron_snapshot.startup_failure`, the same matching the synth check uses; the endpoint fails at
once instead of after the start-up health check. Through CloudFormation the endpoint resource then fails and
the stack rolls back (:class:`emulator.cloudformation.ResourceFailed`), as AWS's handler waits for InService.
"""

from __future__ import annotations

import re
from typing import Any

from moto.sagemaker import models as sm_models
from moto.sagemaker.exceptions import ValidationError

from emulator.cloudformation import ResourceFailed
from stacks.config.neuron_snapshot import startup_failure

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


def _endpoint_name_type() -> str:
    """``AWS::SageMaker::Endpoint`` is named by ``EndpointName``."""
    return "EndpointName"


def _endpoint_config_name_type() -> str:
    """``AWS::SageMaker::EndpointConfig`` is named by ``EndpointConfigName``."""
    return "EndpointConfigName"


def _model_name_type() -> str:
    """``AWS::SageMaker::Model`` is named by ``ModelName``."""
    return "ModelName"


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


_moto_create_endpoint = sm_models.SageMakerModelBackend.create_endpoint
_moto_endpoint_from_cfn = sm_models.FakeEndpoint.create_from_cloudformation_json


def _create_endpoint(
    self: Any, endpoint_name: str, endpoint_config_name: str, tags: list[dict[str, str]]
) -> Any:
    """CreateEndpoint; the endpoint is ``Failed`` with the container's message when its container cannot start."""
    endpoint = _moto_create_endpoint(self, endpoint_name, endpoint_config_name, tags)
    reason = container_failure(self, endpoint_config_name)
    if reason:
        endpoint.endpoint_status = "Failed"
        endpoint.failure_reason = reason  # type: ignore[assignment]  # moto declares it None
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


_moto_endpoint_update_from_cfn = sm_models.FakeEndpoint.update_from_cloudformation_json


def _endpoint_update_from_cfn(  # noqa: PLR0917 - moto's signature
    cls: Any,
    /,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> Any:
    """An endpoint update whose new containers cannot start fails and leaves the endpoint serving its current
    config, as a failed UpdateEndpoint does (moto would delete the endpoint first); the stack then rolls back."""
    backend = sm_models.sagemaker_backends[account_id][region_name]
    reason = container_failure(backend, str(cloudformation_json["Properties"]["EndpointConfigName"]))
    if reason:
        raise ResourceFailed(
            "AWS::SageMaker::Endpoint",
            original_resource.endpoint_name,
            f"Endpoint {original_resource.arn} update failed. FailureReason: {reason}",
        )
    return _moto_endpoint_update_from_cfn(
        original_resource, new_resource_name, cloudformation_json, account_id, region_name
    )


def install() -> None:
    """Accept every well-formed instance type, honour explicit names in CloudFormation templates, and fail
    endpoints whose Hugging Face Neuron container could not start."""
    sm_models.FakeEndpointConfig.validate_instance_type = _validate_instance_type  # type: ignore[method-assign]
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sagemaker-endpoint.html
    sm_models.FakeEndpoint.cloudformation_name_type = staticmethod(_endpoint_name_type)  # type: ignore[method-assign]
    sm_models.FakeEndpointConfig.cloudformation_name_type = staticmethod(_endpoint_config_name_type)  # type: ignore[method-assign]
    sm_models.Model.cloudformation_name_type = staticmethod(_model_name_type)  # type: ignore[method-assign]
    sm_models.SageMakerModelBackend.create_endpoint = _create_endpoint  # type: ignore[method-assign]
    sm_models.FakeEndpoint.create_from_cloudformation_json = classmethod(_endpoint_from_cfn)  # type: ignore[method-assign, assignment]
    sm_models.FakeEndpoint.update_from_cloudformation_json = classmethod(_endpoint_update_from_cfn)  # type: ignore[method-assign, assignment]
