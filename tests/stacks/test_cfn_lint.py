"""cfn-lint finds nothing in the synthesized templates for every region the configs accept (W3005, redundant
DependsOn from CDK, is ignored). One synth per stack layout (tests/stacks/conftest.py); each template is linted
once with every region whose deploy has that layout (cfn-lint takes several regions per run)."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from aws_cdk.assertions import Template
from cfnlint.api import ManualArgs, lint

from stacks.config import Config
from stacks.config.regions import BILLING_HOME, accepted_regions, billing_region
from tests.stacks.conftest import Synth

IGNORED = ["W3005"]
#: (budget in a billing stack?, breach switch?) -> the Synth field holding a synth of that layout.
LAYOUTS = {(False, False): "default", (False, True): "full", (True, True): "billing", (True, False): "opt_in"}


def _layout(config: Config, region: str) -> str:
    switch = config.budget.breach_switch.enabled and config.budget.monthly_limit_usd is not None
    return LAYOUTS[(billing_region(region) is not None, switch)]


def _lint(template: Template, regions: list[str]) -> list[str]:
    matches = lint(json.dumps(template.to_json()), config=ManualArgs(regions=regions, ignore_checks=IGNORED))
    return [str(m) for m in matches]


def _regions_per_layout(synth: Synth) -> dict[str, set[str]]:
    regions: dict[str, set[str]] = defaultdict(set)
    for config in (synth.default_config, synth.full_config, synth.billing_config, synth.opt_in_config):
        for region in accepted_regions(config):
            regions[_layout(config, region)].add(region)
    return regions


def test_every_layout_is_exercised(synth: Synth) -> None:
    assert set(_regions_per_layout(synth)) == set(LAYOUTS.values())


@pytest.mark.parametrize("layout", sorted(LAYOUTS.values()))
def test_templates_are_cfn_lint_clean_in_every_accepted_region(synth: Synth, layout: str) -> None:
    regions = sorted(_regions_per_layout(synth)[layout])
    for role, template in getattr(synth, layout).items():
        where = [BILLING_HOME] if role == "billing" else regions
        problems = _lint(template, where)
        assert not problems, f"{layout}/{role} in {where}: " + "\n".join(problems)


def test_lint_fails_where_cloudformation_lacks_a_type(synth: Synth) -> None:
    # Why the billing stack exists: the same budget in the endpoints' region would not deploy.
    problems = _lint(synth.opt_in["billing"], ["ap-south-2"])
    assert any("E3006" in p and "AWS::Budgets::Budget" in p for p in problems), problems


def test_region_data_covers_every_type_the_templates_use(synth: Synth) -> None:
    # A type added to a stack without refreshing data/resource_regions.json would escape the region rules.
    from stacks.config.regions import resource_regions

    used = {
        resource["Type"]
        for layout in LAYOUTS.values()
        for template in getattr(synth, layout).values()
        for resource in template.to_json()["Resources"].values()
    }
    used = {t for t in used if t != "AWS::CDK::Metadata" and not t.startswith("Custom::")}
    missing = used - set(resource_regions())
    assert not missing, (
        f"refresh with: make synth && python -m ops.refresh_images --templates cdk.out ({missing})"
    )


def test_endpoint_stacks_of_a_sharded_project_are_cfn_lint_clean(synth: Synth) -> None:
    # The four layouts above hold one endpoint stack; the further stacks (and stack 0 beside them) are the
    # same layout as the default's in us-east-1, plus their alarms and the exports between them.
    for role, template in synth.sharded.items():
        problems = _lint(template, ["us-east-1"])
        assert not problems, f"sharded/{role}: " + "\n".join(problems)
