"""The synthesized templates against CloudFormation's per-template quotas, exactly (after synth, before deploy).

``stacks.config.limits`` refuses a config that cannot fit from counted and estimated figures, before any
construct is built; this module reads what the CDK wrote and refuses what still does not fit (a template body
above 1 MB when tags or container variables are larger than estimated, say), so `cdk synth` fails instead of
`cdk deploy`. Quotas: "Understand CloudFormation quotas" (AWS CloudFormation User Guide), as in
cfn-lint 1.58.0's ``cfnlint.helpers.LIMITS``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from stacks.config.limits import (
    DYNAMIC_REFERENCE_LIMIT,
    STACK_OUTPUT_LIMIT,
    STACK_RESOURCE_LIMIT,
    TEMPLATE_BODY_LIMIT_BYTES,
)

PARAMETER_LIMIT: Final = 200
MAPPING_LIMIT: Final = 200
MAPPING_ATTRIBUTE_LIMIT: Final = 200
DESCRIPTION_LIMIT_BYTES: Final = 1024
FIX: Final = (
    'pin some of its endpoints to another stack with endpoints[].shard (README "Hundreds of endpoints")'
)


def template_problems(stack_name: str, body: str) -> list[str]:
    """``<stack>: problem; fix`` lines for one template body (the JSON text the CLI uploads)."""
    template: dict[str, Any] = json.loads(body)
    counts = {
        "resources": (len(template.get("Resources", {})), STACK_RESOURCE_LIMIT),
        "outputs": (len(template.get("Outputs", {})), STACK_OUTPUT_LIMIT),
        "parameters": (len(template.get("Parameters", {})), PARAMETER_LIMIT),
        "mappings": (len(template.get("Mappings", {})), MAPPING_LIMIT),
        # {{resolve:...}} references (a gated model's Hugging Face token).
        "dynamic references": (body.count("{{resolve:"), DYNAMIC_REFERENCE_LIMIT),
    }
    problems = [
        f"{stack_name}: {count} {what}, above CloudFormation's {limit} per template; {FIX}"
        for what, (count, limit) in counts.items()
        if count > limit
    ]
    for name, mapping in template.get("Mappings", {}).items():
        if len(mapping) > MAPPING_ATTRIBUTE_LIMIT:
            problems.append(
                f"{stack_name}: mapping {name} has {len(mapping)} keys, above CloudFormation's "
                f"{MAPPING_ATTRIBUTE_LIMIT}; report it (infersave's mappings do not grow with endpoints)"
            )
    size = len(body.encode("utf-8"))
    if size > TEMPLATE_BODY_LIMIT_BYTES:
        problems.append(
            f"{stack_name}: template body {size:,} bytes, above CloudFormation's {TEMPLATE_BODY_LIMIT_BYTES:,} "
            f"(from S3); {FIX}, or shorten tags and container variables"
        )
    if len(template.get("Description", "").encode("utf-8")) > DESCRIPTION_LIMIT_BYTES:
        problems.append(
            f"{stack_name}: description above {DESCRIPTION_LIMIT_BYTES} bytes; shorten the project name"
        )
    return problems


def assembly_problems(templates: dict[str, Path]) -> list[str]:
    """Problems of every synthesized template, by stack name -> template file."""
    problems: list[str] = []
    for stack_name, path in sorted(templates.items()):
        problems += template_problems(stack_name, path.read_text(encoding="utf-8"))
    return problems
