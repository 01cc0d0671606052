"""CloudFormation's per-template quotas, which moto 5.2.5 does not check: CreateStack, UpdateStack and
CreateChangeSet refuse a template over them with ``ValidationError``, as AWS does.

Quotas ("Understand CloudFormation quotas", AWS CloudFormation User Guide; cfn-lint 1.58.0 ``LIMITS``): 500
resources, 200 outputs, 200 parameters, 200 mappings, 1 MB of template body from S3. The message format is
AWS's as users quote it ("Template format error: Number of resources, 203, is greater than maximum allowed,
200", from the years of the 200 limit: clebert/aws-simple#98, serverless/serverless#2387); outputs, parameters
and mappings are assumed to follow it. So a stack that would fail to deploy on AWS fails in the demo and tests
too, and infersave's own synth-time checks (``stacks.config.limits``, ``stacks.template_limits``) can be
compared with what the service says.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import yaml
from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import ValidationError

SECTION_LIMITS = {"Resources": 500, "Outputs": 200, "Parameters": 200, "Mappings": 200}
TEMPLATE_BODY_LIMIT_BYTES = 1_000_000


def quota_error(template: str) -> str | None:
    """AWS's message for the first quota ``template`` (JSON or YAML text) exceeds, or None."""
    size = len(template.encode("utf-8"))
    if size > TEMPLATE_BODY_LIMIT_BYTES:
        # Wording not found in AWS's documentation or user reports (UNCONFIRMED); the limit is documented.
        return f"Template may not exceed {TEMPLATE_BODY_LIMIT_BYTES} bytes in size."
    try:
        body: Any = json.loads(template)
    except ValueError:
        try:
            body = yaml.safe_load(template)
        except yaml.YAMLError:
            return None  # CloudFormation YAML tags (!Ref): left to moto's own parser
    if not isinstance(body, dict):
        return None
    for section, limit in SECTION_LIMITS.items():
        count = len(body.get(section) or {})
        if count > limit:
            return f"Template format error: Number of {section.lower()}, {count}, is greater than maximum allowed, {limit}"
    return None


def _checked(method: Callable[..., Any], position: int) -> Callable[..., Any]:
    def wrapper(self: cfn_models.CloudFormationBackend, *args: Any, **kwargs: Any) -> Any:
        template = kwargs.get("template", args[position] if len(args) > position else None)
        if isinstance(template, str):
            error = quota_error(template)
            if error:
                raise ValidationError(message=error)
        return method(self, *args, **kwargs)

    return wrapper


def install() -> None:
    """Check the template of CreateStack, UpdateStack and CreateChangeSet before moto sees it."""
    backend = cfn_models.CloudFormationBackend
    # (name, template) / (stack_name, change_set_name, template) / (name, template): the template's position.
    backend.create_stack = _checked(backend.create_stack, 1)  # type: ignore[method-assign]
    backend.create_change_set = _checked(backend.create_change_set, 2)  # type: ignore[method-assign]
    backend.update_stack = _checked(backend.update_stack, 1)  # type: ignore[method-assign]
