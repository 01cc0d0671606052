"""The ``CloudFormationModel`` plumbing the emulator's resource types share, as one mixin.

moto finds resource types as the *direct* subclasses of ``CloudFormationModel``
(``moto.cloudformation.parsing.get_model_list``), so :class:`CfnResource` is a mixin, not a base class: a
type is declared ``class Alarm(CfnResource, CloudFormationModel)`` and states only what differs.

Declared by each type:

- ``CFN_TYPE``: the resource type, e.g. ``AWS::CloudWatch::Alarm``;
- ``CFN_NAME_PROPERTY``: the property that names the resource ("" when there is none; moto then generates
  ``<stack>-<logical id>-<random>``, as CloudFormation does);
- ``CFN_PHYSICAL_ID``: the attribute ``Ref`` gives (override ``physical_resource_id`` when it is computed);
- ``CFN_ATTRIBUTES``: ``Fn::GetAtt`` name -> attribute of the instance;
- :meth:`CfnResource.create`, :meth:`CfnResource.from_physical_id`, :meth:`CfnResource.delete`, and
  :meth:`CfnResource.update` when an update is not a replacement (delete, then create).

The mixin maps them onto moto's ``create_from_cloudformation_json`` / ``update_from_cloudformation_json`` /
``delete_from_cloudformation_json`` / ``has_cfn_attr`` / ``get_cfn_attribute`` contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

#: A resource's template ``Properties`` (references resolved): JSON, typed as loosely as moto's own models
#: type them, so a property the template leaves out reaches the backend as None, as the API handlers pass it.
Properties = Any


def optional_int(value: Any) -> int | None:
    """A template number (CloudFormation may pass it as a string) as an int; None stays None."""
    return None if value is None else int(value)


class CfnResource:
    """Mixin for a ``CloudFormationModel`` backed by a moto backend: see the module docstring."""

    CFN_TYPE: ClassVar[str]
    CFN_NAME_PROPERTY: ClassVar[str] = ""
    CFN_PHYSICAL_ID: ClassVar[str] = "name"
    CFN_ATTRIBUTES: ClassVar[Mapping[str, str]] = {}

    # What the resource type declares.

    @classmethod
    def create(cls, name: str, properties: Properties, account_id: str, region_name: str) -> Self:
        """Create the resource named ``name`` from its template ``properties`` through the moto backend."""
        raise NotImplementedError

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> Self:
        """The resource known by its ``Ref`` value (and template properties), enough to :meth:`delete` it."""
        raise NotImplementedError

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete the resource through the moto backend; a no-op when it is already gone."""
        raise NotImplementedError

    def update(self, name: str, properties: Properties, account_id: str, region_name: str) -> Self:
        """Apply new template properties; by default a replacement: delete, then create."""
        self.delete(account_id, region_name)
        return self.create(name, properties, account_id, region_name)

    # moto's CloudFormationModel contract, in terms of the above.

    @property
    def physical_resource_id(self) -> str:
        """What ``Ref`` gives (and what moto passes to delete as the resource name)."""
        return str(getattr(self, self.CFN_PHYSICAL_ID))

    @classmethod
    def cloudformation_type(cls) -> str:
        """The CloudFormation resource type this model implements."""
        return cls.CFN_TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        """The property whose value names the resource, "" if none."""
        return cls.CFN_NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        """Whether ``Fn::GetAtt`` supports ``attr`` (moto validates template outputs with it)."""
        return attr in cls.CFN_ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        """The value of ``Fn::GetAtt <resource>.<attribute_name>``."""
        if attribute_name in self.CFN_ATTRIBUTES:
            return getattr(self, self.CFN_ATTRIBUTES[attribute_name])
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Self:
        """Stack create (and replacement on update): :meth:`create`."""
        return cls.create(resource_name, cloudformation_json.get("Properties", {}), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Self,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Self:
        """Stack update of a resource whose properties changed: :meth:`update`."""
        properties = cloudformation_json.get("Properties", {})
        return original_resource.update(new_resource_name, properties, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        """Stack delete when moto holds no instance of the resource: :meth:`from_physical_id`, :meth:`delete`."""
        properties = cloudformation_json.get("Properties", {})
        cls.from_physical_id(resource_name, properties, account_id, region_name).delete(
            account_id, region_name
        )

    def is_created(self) -> bool:
        """Always: the backend call that creates the resource is synchronous."""
        return True
