"""Lambda layers and KMS key policies created by CloudFormation, as moto 5.2.5 gets them wrong.

moto 5.2.5 gaps closed (each a change to moto's existing model, in the shape an upstream fix would take):

- ``AWS::Lambda::LayerVersion`` has no ``physical_resource_id``, so ``Ref`` gives moto's Python object and a
  function in the same template cannot name the layer; its name property is read from ``LayerVersion``
  instead of ``LayerName``. Here ``Ref`` gives the layer version ARN and ``Fn::GetAtt LayerVersionArn``
  works, as in CloudFormation; deleting the resource deletes the version.
- ``AWS::Lambda::Function`` ignores ``Layers`` (and ``Tags``) on create: the function runs without the
  layer. Here the layers are attached through the function's own layer lookup, which rejects ARNs moto does
  not hold (an AWS-published layer ARN still fails: bundle the layer in the app), and the tags applied.
- ``AWS::KMS::Key`` stores ``KeyPolicy`` as the template's JSON object, so ``get_key_policy`` answers an
  object where the API answers a string (``json.loads`` of it fails); a missing ``KeyPolicy`` (optional in
  CloudFormation, which then applies the default policy) raises ``KeyError``. Here the policy is serialised,
  and left to moto's default when absent.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-layerversion.html
"""

from __future__ import annotations

import copy
import json
from typing import Any

from moto.awslambda import models as lambda_models
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.kms import models as kms_models

_moto_create_function = lambda_models.LambdaFunction.create_from_cloudformation_json
_moto_create_key = kms_models.Key.create_from_cloudformation_json


def _layer_physical_resource_id(self: lambda_models.LayerVersion) -> str:
    """``Ref`` of ``AWS::Lambda::LayerVersion``: the layer version ARN, as in CloudFormation."""
    return self.arn


def _layer_name_type() -> str:
    """The layer's name property is ``LayerName``, as in the CloudFormation resource."""
    return "LayerName"


def _layer_has_cfn_attr(cls: type[lambda_models.LayerVersion], attr: str) -> bool:
    """``Fn::GetAtt`` supports ``LayerVersionArn`` only, as in CloudFormation."""
    return attr == "LayerVersionArn"


def _layer_get_cfn_attribute(self: lambda_models.LayerVersion, attribute_name: str) -> str:
    """``Fn::GetAtt <layer>.LayerVersionArn``: the layer version ARN."""
    if attribute_name == "LayerVersionArn":
        return self.arn
    raise UnformattedGetAttTemplateException()


def _layer_delete(self: lambda_models.LayerVersion, account_id: str, region_name: str) -> None:
    """Delete this layer version (a no-op if already gone)."""
    backend = lambda_models.lambda_backends[account_id][region_name]
    if backend.layers_versions_by_arn(self.arn) is not None:
        backend.delete_layer_version(self.name, str(self.version))


def _create_function(
    cls: type[lambda_models.LambdaFunction],
    /,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> lambda_models.LambdaFunction:
    """moto's Function creation, then the template's ``Layers`` and ``Tags`` applied."""
    function = _moto_create_function.__func__(  # type: ignore[attr-defined]
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )
    properties = cloudformation_json["Properties"]
    if properties.get("Layers"):
        function.layers = function._get_layers_data(properties["Layers"])
    if properties.get("Tags"):
        function.tags.update({t["Key"]: t["Value"] for t in properties["Tags"]})
    return function  # type: ignore[no-any-return]


def _create_key(
    cls: type[kms_models.Key],
    /,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> kms_models.Key:
    """moto's Key creation with the key policy as the JSON string the API stores and the tags it keys."""
    cloudformation_json = copy.deepcopy(cloudformation_json)
    properties = cloudformation_json["Properties"]
    policy = properties.get("KeyPolicy")
    properties["KeyPolicy"] = json.dumps(policy) if isinstance(policy, dict) else policy
    # CloudFormation writes Tags as Key/Value; moto's KMS tagger (like the KMS API) keys them TagKey/TagValue.
    properties["Tags"] = [
        {"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in properties.get("Tags") or []
    ]
    return _moto_create_key.__func__(  # type: ignore[attr-defined, no-any-return]
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )


def install() -> None:
    """Give layer versions a CloudFormation identity; let functions and keys keep what the template says."""
    layer = lambda_models.LayerVersion
    layer.physical_resource_id = property(_layer_physical_resource_id)  # type: ignore[attr-defined]
    layer.cloudformation_name_type = staticmethod(_layer_name_type)  # type: ignore[method-assign]
    layer.has_cfn_attr = classmethod(_layer_has_cfn_attr)  # type: ignore[method-assign, assignment]
    layer.get_cfn_attribute = _layer_get_cfn_attribute  # type: ignore[attr-defined]
    layer.delete = _layer_delete  # type: ignore[attr-defined]
    lambda_models.LambdaFunction.create_from_cloudformation_json = classmethod(_create_function)  # type: ignore[method-assign, assignment]
    kms_models.Key.create_from_cloudformation_json = classmethod(_create_key)  # type: ignore[method-assign, assignment]
