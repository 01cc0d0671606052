"""CloudFormation plumbing shared by the emulator's resource types, and moto 5.2.5's change-set bugs.

moto finds the resource types its CloudFormation supports with ``CloudFormationModel.__subclasses__()`` and
caches the answer (``moto.cloudformation.parsing.get_model_list`` / ``get_model_map``, both ``lru_cache``).
The emulator's types are ordinary ``CloudFormationModel`` subclasses, exactly what an upstream pull request
would add to each service's ``models.py``; :func:`refresh_model_registry` drops moto's cache so they are seen
whichever was imported first.

DeleteChangeSet: ``CloudFormationBackend.delete_change_set`` raises ``UnboundLocalError`` (HTTP 500) when the
change set does not exist. Real CloudFormation answers success in that case as long as the stack exists, and
the CDK CLI relies on it: before each change-set deploy (``cdk bootstrap``, ``cdk deploy`` without
``--method=direct``) it deletes ``cdk-deploy-change-set`` whether or not one is left over.

ExecuteChangeSet: moto applies the change set's template to the stack's resources but keeps the outputs (and
description) of the template the stack had before: after a CREATE change set (the stack starts empty) the
stack has no ``Outputs``, after an UPDATE the old ones; its exports are never registered, and a stack made by
a CREATE change set cannot resolve ``Fn::ImportValue`` (it is not given the region's exports). ``cdk deploy``
without ``--method=direct`` then prints no outputs, and a stack importing another's output fails with "No
export named ...". :func:`_apply_change_set` resolves imports against the region's exports, then rebuilds
the stack's outputs and exports from the change set's template, as CreateStack and AWS do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError


def refresh_model_registry() -> None:
    """Forget moto's cached list of CloudFormation models so newly defined subclasses are picked up."""
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()


def stack_name_of(stack_id: str | None) -> str:
    """Stack name from a stack ARN (``arn:aws:cloudformation:...:stack/<name>/<uuid>``); "" if unknown."""
    if not stack_id or ":stack/" not in stack_id:
        return ""
    return stack_id.split(":stack/", 1)[1].split("/", 1)[0]


def to_epoch_seconds(value: Any) -> Any:
    """A CloudFormation timestamp (ISO 8601 string) as the epoch seconds moto's APIs store; else as is."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return value
    return value


def _delete_change_set(self: cfn_models.CloudFormationBackend, change_set_name: str) -> None:
    """Delete a change set by ARN or name; a change set that does not exist is not an error (as in AWS)."""
    if change_set_name in self.change_sets:
        del self.change_sets[change_set_name]
        return
    for arn, change_set in list(self.change_sets.items()):
        if change_set.change_set_name == change_set_name:
            del self.change_sets[arn]
            return
    if change_set_name.startswith("arn:"):
        # An ARN names one change set exactly; AWS reports a missing one.
        raise ValidationError(change_set_name, message=f"ChangeSet [{change_set_name}] does not exist")


_moto_apply_change_set = cfn_models.ChangeSet.apply


def _apply_change_set(self: cfn_models.ChangeSet) -> None:
    """Apply the change set with the region's exports; give the stack the outputs and exports it deployed."""
    stack = self.stack
    backend = cfn_models.cloudformation_backends[stack.account_id][stack.region_name]
    stack.cross_stack_resources = stack.resource_map.cross_stack_resources = backend.exports
    _moto_apply_change_set(self)
    stack.template = self.template
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()
    for name, export in list(backend.exports.items()):
        if export.exporting_stack_id == stack.stack_id:
            del backend.exports[name]
    backend._validate_export_uniqueness(stack)
    for export in stack.exports:
        backend.exports[export.name] = export


def install() -> None:
    """Fix DeleteChangeSet and ExecuteChangeSet as above and make moto see the emulator's resource types."""
    cfn_models.CloudFormationBackend.delete_change_set = _delete_change_set  # type: ignore[method-assign]
    cfn_models.ChangeSet.apply = _apply_change_set  # type: ignore[method-assign]
    refresh_model_registry()
