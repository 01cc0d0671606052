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

Resource failures: moto has no failed-resource path ("TODO: handle execution errors and implement rollback" in
``execute_change_set``). A resource model raises :class:`ResourceFailed` when AWS would create the resource but it
would end in a failed state (a SageMaker endpoint whose container cannot start, :mod:`emulator.sagemaker`). As in
CloudFormation, the resource gets a ``CREATE_FAILED`` event with the reason and the stack rolls back: a stack being
created deletes what it made and ends ``ROLLBACK_COMPLETE``; an update re-applies the previous template and ends
``UPDATE_ROLLBACK_COMPLETE`` (the stack-level reason names the failed resource, as in
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html). This covers CreateStack,
UpdateStack and ExecuteChangeSet (what ``cdk deploy`` uses).

Stack updates (UpdateStack, ExecuteChangeSet; a CREATE change set is an update of an empty stack): moto 5.2.5
deletes removed resources first, ignoring their ``DeletionPolicy``, then creates added ones in template order
(``DependsOn`` ignored), then updates modified ones; a resource whose properties only *reference* a replaced
resource (an endpoint naming a new endpoint config) is never updated; and a failing resource raises out of the
API call with the stack marked complete. CloudFormation instead works through the resources in dependency
order (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``DependsOn``), creating and updating, updates a resource whose
references resolve to a new value, and only then, in the cleanup phase, deletes what the template dropped, in
reverse dependency order, keeping those whose ``DeletionPolicy`` is ``Retain``
Stack deletion likewise goes in reverse dependency order (moto: any order, retried until no progress, so a
custom resource could outlive the function that must answer its Delete), skipping ``Retain`` resources; a failed
delete leaves the stack ``DELETE_FAILED``.
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).
:func:`_update_resources` does the same; any exception of a resource operation becomes a
:class:`ResourceFailed` naming the resource, so the stack fails and rolls back as described above (a custom
resource that answers FAILED, an UpdateEndpoint SageMaker refuses).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError

_RETAINED = frozenset({"Retain", "RetainExceptOnCreate"})
#: Set (True) on a resource returned by a model's update when the original still exists and the cleanup phase
#: must delete it, as CloudFormation does with replaced resources (unless ``UpdateReplacePolicy: Retain``).
REPLACED_IN_CLEANUP = "emulator_replaced_in_cleanup"
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


class ResourceFailed(Exception):
    """A resource of ``resource_type`` named ``physical_id`` ended failed; ``reason`` is its status reason.
    ``delete`` removes the failed resource when a new stack rolls back (an update's rollback replaces it)."""

    def __init__(
        self,
        resource_type: str,
        physical_id: str,
        reason: str,
        delete: Callable[[], None] | None = None,
        *,
        logical_id: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.resource_type = resource_type
        self.physical_id = physical_id
        self.reason = reason
        self.delete = delete
        self.logical_id = logical_id  # known when the failure comes from a stack operation (``_guarded``)


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


def _logical_id(stack: cfn_models.Stack, failure: ResourceFailed) -> str:
    """The template's logical id of the failed resource: the one of its type named ``physical_id`` (a name
    property), else the first of its type that was not created."""
    if failure.logical_id:
        return failure.logical_id
    resources = stack.resource_map._resource_json_map
    created = stack.resource_map._parsed_resources
    of_type = [k for k, v in resources.items() if v.get("Type") == failure.resource_type]
    named = [
        k
        for k in of_type
        if failure.physical_id in [str(p) for p in resources[k].get("Properties", {}).values()]
    ]
    return next(iter(named or [k for k in of_type if k not in created] or of_type), failure.resource_type)


def _event(stack: cfn_models.Stack, logical_id: str, resource_type: str, status: str, reason: str) -> None:
    physical = stack.stack_id if resource_type == "AWS::CloudFormation::Stack" else ""
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=physical,
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _roll_back(stack: cfn_models.Stack, failure: ResourceFailed, previous: dict[str, Any] | None) -> None:
    """Record the failure and roll back: delete a new stack's resources, or re-apply ``previous`` (the
    template before the update)."""
    logical_id = _logical_id(stack, failure)
    verb = "create" if previous is None else "update"
    _event(stack, logical_id, failure.resource_type, f"{verb.upper()}_FAILED", failure.reason)
    prefix = "" if previous is None else "UPDATE_"
    _event(
        stack,
        stack.name,
        "AWS::CloudFormation::Stack",
        f"{prefix}ROLLBACK_IN_PROGRESS",
        f"The following resource(s) failed to {verb}: [{logical_id}]. Rollback requested by user.",
    )
    outcome = "COMPLETE"
    if previous is None:
        if failure.delete:
            failure.delete()
        stack.resource_map.delete()
    else:
        # The ordered update (_update_resources) deletes removed resources only in its cleanup, which a failure
        # never reaches: they still exist and the previous template finds them in place.
        try:
            stack.resource_map.update(previous, stack.parameters)
        except Exception:
            outcome = "FAILED"
    stack.status = f"{prefix}ROLLBACK_{outcome}"
    if previous is not None:
        stack.output_map = stack._create_output_map()
    _event(stack, stack.name, "AWS::CloudFormation::Stack", stack.status, "")


def _references(value: Any) -> Iterator[str]:
    """Logical ids (and parameters) a template value refers to: Ref, Fn::GetAtt, Fn::Sub."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                yield item
            elif key == "Fn::GetAtt":
                yield (item[0] if isinstance(item, list) else str(item).split(".", 1)[0])
            elif key == "Fn::Sub":
                text = item[0] if isinstance(item, list) else item
                yield from _SUB_NAME.findall(str(text))
                if isinstance(item, list) and len(item) > 1:
                    yield from _references(item[1])
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _depends_on(body: dict[str, Any]) -> list[str]:
    depends = body.get("DependsOn", [])
    return [depends] if isinstance(depends, str) else list(depends)


def dependency_order(resources: dict[str, Any]) -> list[str]:
    """Logical ids, each after every resource it references or depends on (template order otherwise)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in seen:
            return
        seen.add(logical_id)  # a cycle (CloudFormation rejects those) stops here instead of looping
        body = resources[logical_id]
        for dependency in [*_references(body.get("Properties", {})), *_depends_on(body)]:
            if dependency in resources:
                visit(dependency)
        order.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return order


def _physical_id(resource: Any) -> Any:
    return getattr(resource, "physical_resource_id", resource)


def _update_resources(
    self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None
) -> None:
    """Apply ``template`` to the stack's resources as CloudFormation does (see the module docstring)."""
    diff = self.build_resource_diff(template, parameters)
    old_resources = self._resource_json_map
    self._template = template
    if parameters:
        self.input_parameters = parameters
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    self._resource_json_map = template["Resources"]
    added, modified = set(diff["Add"]), set(diff["Modify"])
    new_values: set[str] = set()  # resources whose Ref (physical id) changed: their referrers update
    replaced: list[tuple[str, Any, dict[str, Any]]] = []  # originals the cleanup deletes
    for logical_id in dependency_order(self._resource_json_map):
        body = self._resource_json_map[logical_id]
        if logical_id in added:
            _guarded(self, logical_id, body["Type"], "CREATE", partial[Any](self.__getitem__, logical_id))
            continue
        refers_to_new = any(ref in new_values for ref in _references(body.get("Properties", {})))
        if logical_id not in modified and not refers_to_new:
            continue
        original = self._parsed_resources.get(logical_id)
        before = _physical_id(original)
        updated = _guarded(
            self,
            logical_id,
            body["Type"],
            "UPDATE",
            partial[Any](
                parsing.parse_and_update_resource,
                logical_id,
                body,
                self,
                account_id=self._account_id,
                region_name=self._region_name,
            ),
        )
        if updated is not None:
            self._parsed_resources[logical_id] = updated
            if _physical_id(updated) != before:
                new_values.add(logical_id)
                if getattr(updated, REPLACED_IN_CLEANUP, False):
                    replaced.append((logical_id, original, old_resources[logical_id]))
    # Cleanup: replaced originals, then what the template dropped (dependents first); Retain keeps them.
    for logical_id, original, body in replaced:
        if body.get("UpdateReplacePolicy") not in _RETAINED:
            _guarded(self, logical_id, body["Type"], "DELETE", partial(self._delete_resource, original, body))
    for logical_id in reversed(dependency_order(old_resources)):
        if logical_id not in diff["Remove"]:
            continue
        body = old_resources[logical_id]
        resource = self._parsed_resources.pop(logical_id, None)
        if resource is None or body.get("DeletionPolicy") in _RETAINED:
            continue
        _guarded(
            self,
            logical_id,
            body["Type"],
            "DELETE",
            partial(self._delete_resource, resource, body),
        )


def _delete_resources(self: parsing.ResourceMap) -> None:
    """Stack deletion: dependents first, ``Retain`` kept; the first failure (after trying the rest) raises."""
    failures: list[ResourceFailed] = []
    for logical_id in reversed(dependency_order(self._resource_json_map)):
        body = self._resource_json_map[logical_id]
        resource = self._parsed_resources.get(logical_id)
        if body.get("DeletionPolicy") in _RETAINED or resource is None or isinstance(resource, str):
            continue
        try:
            _guarded(self, logical_id, body["Type"], "DELETE", partial(self._delete_resource, resource, body))
        except ResourceFailed as failure:
            failures.append(failure)
        else:
            self._parsed_resources.pop(logical_id)
    if failures:
        raise failures[0]


def _guarded(
    self: parsing.ResourceMap, logical_id: str, resource_type: str, action: str, call: Callable[[], Any]
) -> Any:
    """Run one resource operation (``action``: CREATE, UPDATE, DELETE); a failure becomes a
    :class:`ResourceFailed` naming the resource."""
    try:
        return call()
    except ResourceFailed as failure:
        failure.logical_id = failure.logical_id or logical_id
        raise
    except Exception as exc:
        reason = " ".join(str(getattr(exc, "message", "") or exc).split()) or type(exc).__name__
        raise ResourceFailed(resource_type, "", reason, logical_id=logical_id) from exc


_moto_create_resources = cfn_models.Stack.create_resources
_moto_update = cfn_models.Stack.update
_moto_execute_change_set = cfn_models.CloudFormationBackend.execute_change_set
_moto_stack_delete = cfn_models.Stack.delete
_moto_delete_stack = cfn_models.CloudFormationBackend.delete_stack


def _create_resources(self: cfn_models.Stack) -> None:
    try:
        _moto_create_resources(self)
    except ResourceFailed as failure:
        _roll_back(self, failure, previous=None)


def _update(self: cfn_models.Stack, *args: Any, **kwargs: Any) -> None:
    previous = copy.deepcopy(self.template_dict)
    template = self.template
    try:
        _moto_update(self, *args, **kwargs)
    except ResourceFailed as failure:
        self.template = template
        self._parse_template()
        _roll_back(self, failure, previous)


def _execute_change_set(
    self: cfn_models.CloudFormationBackend, change_set_name: str, stack_name: str | None = None
) -> None:
    change_set = self.change_sets.get(change_set_name) or next(
        (c for c in self.change_sets.values() if c.change_set_name == change_set_name), None
    )
    stack = change_set.stack if change_set else None
    previous = copy.deepcopy(stack.template_dict) if stack else None
    try:
        _moto_execute_change_set(self, change_set_name, stack_name)
    except ResourceFailed as failure:
        assert change_set is not None and stack is not None
        change_set.execution_status = "EXECUTE_FAILED"
        _roll_back(stack, failure, previous if change_set.change_set_type == "UPDATE" else None)


def _stack_delete(self: cfn_models.Stack) -> None:
    """DeleteStack: a failing resource leaves the stack DELETE_FAILED instead of failing the API call."""
    try:
        _moto_stack_delete(self)
    except ResourceFailed as failure:
        _event(self, _logical_id(self, failure), failure.resource_type, "DELETE_FAILED", failure.reason)
        self.status = "DELETE_FAILED"
        _event(self, self.name, "AWS::CloudFormation::Stack", self.status, "")


def _delete_stack(self: cfn_models.CloudFormationBackend, name_or_stack_id: str) -> None:
    """moto's DeleteStack; a stack whose deletion failed stays listed (DELETE_FAILED), as in AWS."""
    _moto_delete_stack(self, name_or_stack_id)
    for stack_id, stack in list(self.deleted_stacks.items()):
        if stack.status == "DELETE_FAILED":
            self.stacks[stack_id] = self.deleted_stacks.pop(stack_id)


def install() -> None:
    """Fix DeleteChangeSet and ExecuteChangeSet as above, run stack updates and deletes in CloudFormation's
    order, fail and roll back stacks whose resources fail, and make moto see the emulator's resource types."""
    cfn_models.CloudFormationBackend.delete_change_set = _delete_change_set  # type: ignore[method-assign]
    cfn_models.ChangeSet.apply = _apply_change_set  # type: ignore[method-assign]
    cfn_models.Stack.create_resources = _create_resources  # type: ignore[method-assign]
    cfn_models.Stack.update = _update  # type: ignore[method-assign]
    cfn_models.CloudFormationBackend.execute_change_set = _execute_change_set  # type: ignore[method-assign]
    parsing.ResourceMap.update = _update_resources  # type: ignore[method-assign]
    parsing.ResourceMap.delete = _delete_resources  # type: ignore[method-assign]
    cfn_models.Stack.delete = _stack_delete  # type: ignore[method-assign]
    cfn_models.CloudFormationBackend.delete_stack = _delete_stack  # type: ignore[method-assign]
    refresh_model_registry()
