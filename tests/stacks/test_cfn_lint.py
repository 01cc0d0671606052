"""cfn-lint finds nothing in the synthesized templates (W3005, redundant DependsOn from CDK, is ignored)."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import ManualArgs, lint

from tests.stacks.conftest import Synth

IGNORED = ["W3005"]


@pytest.mark.parametrize("which", ["default", "full"])
def test_templates_are_cfn_lint_clean(synth: Synth, which: str) -> None:
    templates = getattr(synth, which)
    for role, template in templates.items():
        matches = lint(
            json.dumps(template.to_json()),
            config=ManualArgs(regions=["us-east-1"], ignore_checks=IGNORED),
        )
        assert not matches, f"{which}/{role}: " + "\n".join(str(m) for m in matches)
