"""``python -m ops.preflight [--config infersave.yaml]``: check an account before the first ``cdk deploy``.

What synth cannot know, read from the account with the standard credential chain and Region (``env.region``
of the config first; ``AWS_ENDPOINT_URL`` honoured, as by the reporter's command):

1. SageMaker quotas ``<instance type> for endpoint usage`` against the sum of ``instances.max`` per type;
2. the Hugging Face token secrets (exist, JSON with ``HF_TOKEN``; the value is never printed);
3. whether this account can activate the cost allocation tags the reporter relies on (WARN only);
4. the CDK bootstrap version the templates require;
5. the credentials' account and Region against ``env``, and endpoint names already taken outside the stack.

Prints a checklist (PASS / WARN / FAIL, the fix under each WARN and FAIL). Exit status 0 when nothing
failed, 1 on any FAIL, 2 on a usage, config or credential error (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from lambdas.common import tags
from lambdas.common.retry import describe_error
from ops import preflight_aws as aws
from ops.preflight_checks import (
    CheckResult,
    Identity,
    Organization,
    could_not_check,
    decide_bootstrap,
    decide_cost_allocation_tags,
    decide_endpoint_names,
    decide_hf_secret,
    decide_identity,
    decide_quota,
    endpoint_quota_name,
    exit_status,
    hf_token_secrets,
    instance_needs,
    render,
)
from stacks.config import Config, ConfigError, load_config
from stacks.config.shards import endpoint_stack_name, endpoints_by_shard

USAGE_ERROR = 2


class CredentialError(RuntimeError):
    """The credentials are missing, invalid or expired: nothing can be checked."""


def inference_stack_name(config: Config) -> str:
    """Endpoint stack 0, which also holds the compile artifacts store (``stacks.app_builder``)."""
    return endpoint_stack_name(config.project, 0)


def _guarded(check: str, what: str, fix: str, run: Callable[[], list[CheckResult]]) -> list[CheckResult]:
    """Run one check; an AWS error becomes a WARN saying it could not be checked (access denied, not enabled,
    not implemented by the emulator), never a crash of the whole checklist."""
    try:
        return run()
    except ClientError as exc:
        reason = describe_error(exc, 160)
        if aws.is_access_denied(exc):
            fix = f"allow the read call in the message, or check by hand: {fix}"
        return [could_not_check(check, what, reason, fix)]
    except (BotoCoreError, aws.PaginationError) as exc:
        return [could_not_check(check, what, describe_error(exc, 160), fix)]


def run_checks(
    config: Config, clients: aws.Clients, quota_page_size: int = aws.SERVICE_QUOTAS_PAGE_SIZE
) -> list[CheckResult]:
    """Every check, in checklist order. Raises CredentialError when the credentials do not work."""
    try:
        identity: Identity = aws.read_identity(clients)
    except NoCredentialsError as exc:
        raise CredentialError(f"no AWS credentials: {exc}") from None
    except ClientError as exc:
        raise CredentialError(f"the credentials do not work: {describe_error(exc)}") from None
    region = clients.region
    results = decide_identity(identity, config)

    needs = instance_needs(config)

    def quotas() -> list[CheckResult]:
        found = aws.read_quotas(
            clients.service_quotas, [endpoint_quota_name(n.instance_type) for n in needs], quota_page_size
        )
        return [decide_quota(n, found.get(endpoint_quota_name(n.instance_type)), region) for n in needs]

    results += _guarded(
        "quotas",
        "SageMaker quotas",
        f"Service Quotas console, Amazon SageMaker, {region}: "
        + ", ".join(f"{endpoint_quota_name(n.instance_type)!r} >= {n.instances}" for n in needs),
        quotas,
    )

    def secret(name: str, users: tuple[str, ...]) -> Callable[[], list[CheckResult]]:
        return lambda: [
            decide_hf_secret(name, users, aws.read_secret_shape(clients.secretsmanager, name), region)
        ]

    for secret_name, endpoints in hf_token_secrets(config).items():
        results += _guarded(
            f"secret {secret_name!r}",
            "the secret",
            f"aws secretsmanager describe-secret --region {region} --secret-id {secret_name}",
            secret(secret_name, endpoints),
        )

    def cost_tags() -> list[CheckResult]:
        organization: Organization = aws.read_organization(clients.organizations)
        status = aws.read_cost_allocation_tag_status(clients.ce, tags.COST_ALLOCATION_KEYS)
        return [decide_cost_allocation_tags(identity.account, organization, status)]

    results += _guarded(
        "cost allocation tags",
        "cost allocation tags",
        "enable Cost Explorer (Billing console; the first time takes up to 24 h) and allow "
        "ce:ListCostAllocationTags and organizations:DescribeOrganization; until the reporter can activate "
        f"{', '.join(tags.COST_ALLOCATION_KEYS)}, its reports carry a warning",
        cost_tags,
    )

    results += _guarded(
        "cdk bootstrap",
        "the bootstrap version",
        f"npx --no-install cdk bootstrap aws://{identity.account}/{region}",
        lambda: [decide_bootstrap(aws.read_bootstrap_version(clients.ssm), identity.account, region)],
    )

    def endpoint_names() -> list[CheckResult]:
        existing = aws.read_endpoints(clients.sagemaker, config.project)
        checks: list[CheckResult] = []
        # Each endpoint against the endpoint stack that holds it (stacks.config.shards): one moved to another
        # stack by a new pin is "taken" until its old stack lets it go, as CloudFormation would find it.
        for shard, endpoints in endpoints_by_shard(config).items():
            wanted = [config.endpoint_name(e) for e in endpoints]
            if not wanted:
                continue
            stack = endpoint_stack_name(config.project, shard)
            in_stack = aws.read_stack_endpoints(clients.cloudformation, stack) if existing else []
            checks += decide_endpoint_names(wanted, existing, in_stack, stack, region)
        return checks

    results += _guarded(
        "endpoint names",
        "existing endpoints",
        f"aws sagemaker list-endpoints --region {region} --name-contains {config.project}",
        endpoint_names,
    )
    return results


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ops.preflight", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("infersave.yaml"), help="infersave config file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the checks and print the checklist; returns the exit status (0, 1 on a FAIL, 2 on usage errors)."""
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config)
        clients = aws.make_clients(config.env.region)
        print(f"preflight of {args.config} ({config.project}) in {clients.region}")
        results = run_checks(config, clients)
    except ConfigError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return USAGE_ERROR
    except (aws.RegionNotSetError, CredentialError, BotoCoreError) as exc:
        print(f"error: {describe_error(exc, 300)}", file=sys.stderr)
        return USAGE_ERROR
    print(render(results), end="")
    return exit_status(results)


if __name__ == "__main__":
    sys.exit(main())
