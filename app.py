#!/usr/bin/env python3
"""infersave CDK app. The only module that reads CDK context and the environment.

Context: ``-c config=PATH`` picks the config file (default ``infersave.yaml``);
``-c local=true`` targets the local emulator (drops the bootstrap-version rule, which moto cannot check);
``-c calibrate=<endpoint>`` synthesizes only that endpoint's temporary GPU baseline stack (``make calibrate``);
``-c legacy_scaling_ids=true`` keeps the scalable targets' pre-gate logical ids (one deploy when upgrading a stack
deployed before the scaling gate; see README "Deploy to a real account").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import aws_cdk as cdk

from lambdas.common.catalog import load_catalog
from stacks.app_builder import build_app, build_calibration_app
from stacks.config import ConfigError, load_config, region_problems
from stacks.estimate import budget_problems, estimate, render_table
from stacks.nag import enable_nag
from stacks.template_limits import assembly_problems

ROOT = Path(__file__).resolve().parent


def main() -> None:
    """Load and validate the config, then synthesize the stacks (cdk-nag runs as a validation plugin)."""
    app = cdk.App()
    config_path = Path(str(app.node.try_get_context("config") or "infersave.yaml"))
    if not config_path.is_absolute():
        config_path = ROOT / config_path
    try:
        config = load_config(config_path)
        region = config.env.region or os.environ.get("CDK_DEFAULT_REGION")
        if not config.env.region:  # the CLI's region: the same rules as for env.region
            problems = region_problems(config, region)
            if problems:
                raise ConfigError(str(config_path), problems)
    except ConfigError as exc:
        print(f"infersave: {exc}", file=sys.stderr)
        sys.exit(1)
    result = estimate(config, load_catalog())
    print(render_table(result), file=sys.stderr)
    errors, _warnings = budget_problems(result)  # warnings become annotations of the guardrails stack
    if errors:
        print("infersave: " + "; ".join(errors), file=sys.stderr)
        sys.exit(1)
    local = str(app.node.try_get_context("local") or "false").lower() == "true"
    legacy_scaling_ids = str(app.node.try_get_context("legacy_scaling_ids") or "false").lower() == "true"
    account = config.env.account or os.environ.get("CDK_DEFAULT_ACCOUNT")
    enable_nag(app)
    calibrate = app.node.try_get_context("calibrate")
    if calibrate:
        try:
            build_calibration_app(
                app, config, str(calibrate), env=cdk.Environment(account=account, region=region), local=local
            )
        except ValueError as exc:
            print(f"infersave: {exc}", file=sys.stderr)
            sys.exit(1)
        app.synth()
        return
    build_app(
        app,
        config,
        env=cdk.Environment(account=account, region=region),
        local=local,
        legacy_scaling_ids=legacy_scaling_ids,
    )
    assembly = app.synth()
    # The written templates against CloudFormation's quotas: fail here rather than at deploy.
    problems = assembly_problems(
        {stack.stack_name: Path(stack.template_full_path) for stack in assembly.stacks_recursively}
    )
    if problems:
        print("infersave: the synthesized templates would not deploy:", file=sys.stderr)
        print("\n".join(f"  - {p}" for p in problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
