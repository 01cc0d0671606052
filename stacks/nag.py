"""cdk-nag (AwsSolutions) in every synth, and the one helper that records an acknowledgement with its reason."""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def enable_nag(app: cdk.App) -> None:
    """Run the AwsSolutions pack as a CDK validation plugin: any unacknowledged finding fails synth."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding on ``scope`` (and its children) with the reason a reviewer would accept.

    ``rule_id`` is the finding as cdk-nag reports it, e.g. ``AwsSolutions-IAM5[Resource::*]``.
    """
    if len(reason) < 20:
        raise ValueError(f"acknowledgement of {rule_id} needs a real reason, got {reason!r}")
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))


def account_region_in_finding(scope: IConstruct) -> tuple[str, str]:
    """The stack's account and region as cdk-nag spells them in a finding: pseudo parameters where the stack
    has no literal."""
    stack = cdk.Stack.of(scope)
    region = "<AWS::Region>" if cdk.Token.is_unresolved(stack.region) else stack.region
    account = "<AWS::AccountId>" if cdk.Token.is_unresolved(stack.account) else stack.account
    return account, region


def arn_in_finding(scope: IConstruct, service: str, resource: str) -> str:
    """An ARN as cdk-nag spells it inside a finding id."""
    account, region = account_region_in_finding(scope)
    return f"arn:<AWS::Partition>:{service}:{region}:{account}:{resource}"
