"""SageMaker gaps of moto 5.2.5: instance types newer than its allow-list, and names given in templates.

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
  now fails as on AWS (``ops.preflight`` checks this before a deploy). Stack updates are unaffected: moto
  deletes the old endpoint before it creates the new one.

Tags given in the template (``Tags`` on the three types) reach the resources through moto's own create path,
so ``list_tags`` shows them; ``tests/emulator/test_sagemaker.py`` pins that.
"""

from __future__ import annotations

import re
from typing import Any

from moto.sagemaker import models as sm_models
from moto.sagemaker.exceptions import ValidationError

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


def _create_endpoint(
    self: Any, endpoint_name: str, endpoint_config_name: str, tags: list[dict[str, str]]
) -> Any:
    """CreateEndpoint, refused as by SageMaker when an endpoint of that name (any case) exists."""
    if endpoint_name.lower() in {name.lower() for name in self.endpoints}:
        arn = sm_models.FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
        raise ValidationError(message=f'Cannot create already existing endpoint "{arn}".')
    return _original_create_endpoint(self, endpoint_name, endpoint_config_name, tags)


def _endpoint_name_type() -> str:
    """``AWS::SageMaker::Endpoint`` is named by ``EndpointName``."""
    return "EndpointName"


def _endpoint_config_name_type() -> str:
    """``AWS::SageMaker::EndpointConfig`` is named by ``EndpointConfigName``."""
    return "EndpointConfigName"


def _model_name_type() -> str:
    """``AWS::SageMaker::Model`` is named by ``ModelName``."""
    return "ModelName"


def install() -> None:
    """Accept every well-formed instance type, honour explicit names in CloudFormation templates and refuse a
    second endpoint of the same name."""
    sm_models.FakeEndpointConfig.validate_instance_type = _validate_instance_type  # type: ignore[method-assign]
    sm_models.SageMakerModelBackend.create_endpoint = _create_endpoint  # type: ignore[method-assign]
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sagemaker-endpoint.html
    sm_models.FakeEndpoint.cloudformation_name_type = staticmethod(_endpoint_name_type)  # type: ignore[method-assign]
    sm_models.FakeEndpointConfig.cloudformation_name_type = staticmethod(_endpoint_config_name_type)  # type: ignore[method-assign]
    sm_models.Model.cloudformation_name_type = staticmethod(_model_name_type)  # type: ignore[method-assign]
