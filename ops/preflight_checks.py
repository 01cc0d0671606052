"""The decisions of ``python -m ops.preflight``: data read from AWS in, PASS / WARN / FAIL with a fix out.

Pure: no boto3, no clock. :mod:`ops.preflight_aws` reads the account; each ``decide_*`` function here turns
what it read into :class:`CheckResult` lines; :func:`render` prints them and :func:`exit_status` maps them to
the command's status (1 on any FAIL).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from lambdas.common import tags
from stacks.config import Config

#: SSM parameter of the default bootstrap qualifier (cdk.json sets none), read by CloudFormation's
#: ``CheckBootstrapVersion`` rule and by the CDK CLI before it publishes assets.
BOOTSTRAP_VERSION_PARAMETER: Final = "/cdk-bootstrap/hnb659fds/version"
#: The bootstrap stack version this app's templates require: aws-cdk-lib 2.275's DefaultStackSynthesizer
#: (``MIN_BOOTSTRAP_STACK_VERSION=6`` in core/lib/stack-synthesizers/default-synthesizer.js); every stack and
#: asset manifest in cdk.out/manifest.json says ``requiresBootstrapStackVersion: 6`` and each template's rule
#: "CDK bootstrap stack version 6 required". Version 8 is needed only by context lookups, which the app has
#: none of. ``tests/stacks/test_bootstrap_version.py`` checks the synthesized rule against this figure.
REQUIRED_BOOTSTRAP_VERSION: Final = 6
#: Key the Hugging Face token secret's JSON must carry (the containers read ``HF_TOKEN``).
HF_TOKEN_KEY: Final = "HF_TOKEN"  # noqa: S105 - a key name, not a secret


class Status(StrEnum):
    """Outcome of one check: FAIL blocks a deploy, WARN is worth knowing, PASS is fine."""

    PASS = "PASS"  # noqa: S105 - a status, not a password
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class CheckResult:
    """One line of the checklist: what was checked, what was found and, unless PASS, how to fix it."""

    status: Status
    check: str
    detail: str
    fix: str = ""


def render(results: Sequence[CheckResult]) -> str:
    """The checklist: one line per check, the fix indented under each WARN / FAIL, then a summary line."""
    lines: list[str] = []
    for result in results:
        lines.append(f"{result.status:<4}  {result.check}: {result.detail}")
        if result.fix and result.status is not Status.PASS:
            lines.append(f"      fix: {result.fix}")
    counts = {status: sum(r.status is status for r in results) for status in Status}
    verdict = "blocked: fix the FAIL lines before cdk deploy" if counts[Status.FAIL] else "ready to deploy"
    lines.append(
        f"{counts[Status.PASS]} passed, {counts[Status.WARN]} warning(s), {counts[Status.FAIL]} failed: {verdict}"
    )
    return "\n".join(lines) + "\n"


def exit_status(results: Iterable[CheckResult]) -> int:
    """1 if any check failed, else 0."""
    return 1 if any(r.status is Status.FAIL for r in results) else 0


def could_not_check(check: str, what: str, reason: str, fix: str) -> CheckResult:
    """A WARN for a check AWS did not let us make (denied, not enabled, not answering): not a known blocker."""
    return CheckResult(Status.WARN, check, f"could not check {what} ({reason})", fix)


# Identity: account and Region.


@dataclass(frozen=True)
class Identity:
    """Who the credentials are and where the checks run."""

    account: str
    arn: str
    credentials_region: str | None
    region: str


def decide_identity(identity: Identity, config: Config) -> list[CheckResult]:
    """The credentials' account against ``env.account``; the shell's Region against ``env.region``.

    Another account is a FAIL: every check below would read the wrong account, and the CDK CLI deploys to
    another account only by assuming that account's bootstrap deploy role (``cdk bootstrap --trust``), else it
    stops with "Need to perform AWS calls for account X, but the current credentials are for Y" (aws-cdk
    2.1148, toolkit-lib ``sdk-provider.ts`` ``fmtObtainCredentialsError``). A different shell Region is fine
    for ``cdk deploy`` (the stacks carry ``env.region``) but not for AWS CLI commands run without
    ``--region``: a WARN.
    """
    results: list[CheckResult] = []
    wanted = config.env.account
    if wanted and wanted != identity.account:
        results.append(
            CheckResult(
                Status.FAIL,
                "account",
                f"credentials are for account {identity.account} ({identity.arn}), env.account is {wanted}: "
                "the checks below read the wrong account",
                f"run the preflight (and cdk deploy) with credentials of account {wanted} (e.g. AWS_PROFILE=...), "
                f"or set env.account to {identity.account} in the config",
            )
        )
    else:
        source = "env.account" if wanted else "from the credentials; env.account not set"
        results.append(CheckResult(Status.PASS, "account", f"{identity.account} ({source}), {identity.arn}"))
    if config.env.region and identity.credentials_region not in (None, config.env.region):
        results.append(
            CheckResult(
                Status.WARN,
                "region",
                f"stacks deploy to env.region {config.env.region}; your shell's default Region is "
                f"{identity.credentials_region}",
                f"add --region {config.env.region} to AWS CLI commands, or export AWS_REGION={config.env.region}",
            )
        )
    else:
        results.append(CheckResult(Status.PASS, "region", identity.region))
    return results


# 1. Service Quotas: "<instance type> for endpoint usage".


def endpoint_quota_name(instance_type: str) -> str:
    """The SageMaker quota that caps instances of ``instance_type`` across all endpoints of a Region."""
    return f"{instance_type} for endpoint usage"


@dataclass(frozen=True)
class Quota:
    """A quota as Service Quotas answers it; ``applied`` False when only AWS's default was available."""

    name: str
    code: str
    value: float
    applied: bool


@dataclass(frozen=True)
class InstanceNeed:
    """Instances of one type the config may run at once (the sum of ``instances.max``) and by which endpoints."""

    instance_type: str
    instances: int
    endpoints: tuple[str, ...] = field(default_factory=tuple)


def instance_needs(config: Config) -> list[InstanceNeed]:
    """Per instance type the config uses: the sum of ``instances.max`` of its endpoints, sorted by type.

    Autoscaling may take every endpoint to its max at the same time, and the quota counts all of them.
    """
    by_type: dict[str, list[tuple[str, int]]] = {}
    for endpoint in config.endpoints:
        by_type.setdefault(endpoint.instance_type, []).append(
            (config.endpoint_name(endpoint), endpoint.instances.max)
        )
    return [
        InstanceNeed(t, sum(n for _, n in uses), tuple(name for name, _ in uses))
        for t, uses in sorted(by_type.items())
    ]


def decide_quota(need: InstanceNeed, quota: Quota | None, region: str) -> CheckResult:
    """PASS if the quota covers the need; FAIL (request an increase, naming the quota and value) otherwise."""
    name = endpoint_quota_name(need.instance_type)
    check = f"quota {name!r}"
    used_by = f"sum of instances.max of {', '.join(need.endpoints)}"
    if quota is None:
        return CheckResult(
            Status.FAIL,
            check,
            f"Service Quotas has no such SageMaker quota in {region}: {need.instance_type} is probably not "
            "offered for hosting there",
            f"pick a Region that offers {need.instance_type} for SageMaker hosting (env.region), or another "
            "instance_type",
        )
    source = "applied" if quota.applied else "AWS default, no applied value"
    if quota.value >= need.instances:
        return CheckResult(
            Status.PASS, check, f"{quota.value:g} ({source}) >= {need.instances} needed ({used_by})"
        )
    return CheckResult(
        Status.FAIL,
        check,
        f"{quota.value:g} ({source}) < {need.instances} needed ({used_by}); CreateEndpoint would fail with "
        "ResourceLimitExceeded",
        f"request an increase of {name!r} ({quota.code}) in {region} to at least {need.instances} (more if "
        f"other endpoints in the account use {need.instance_type}): aws service-quotas "
        f"request-service-quota-increase --service-code sagemaker --quota-code {quota.code} "
        f"--desired-value {need.instances} --region {region}",
    )


# 2. Hugging Face token secrets.


class SecretShape(StrEnum):
    """What a secret's SecretString is, judged without keeping or printing it."""

    OK = "JSON object with a non-empty HF_TOKEN"
    BINARY = "SecretBinary, no SecretString"
    NOT_JSON = "SecretString is not JSON"
    NOT_OBJECT = "SecretString is JSON but not an object"
    NO_KEY = "JSON has no key HF_TOKEN"
    EMPTY = "HF_TOKEN is empty"


def classify_secret_string(secret_string: str | None) -> SecretShape:
    """Judge a SecretString (None: the secret holds SecretBinary). Never returns or logs the value."""
    if secret_string is None:
        return SecretShape.BINARY
    try:
        document = json.loads(secret_string)
    except ValueError:
        return SecretShape.NOT_JSON
    if not isinstance(document, dict):
        return SecretShape.NOT_OBJECT
    if HF_TOKEN_KEY not in document:
        return SecretShape.NO_KEY
    token = document[HF_TOKEN_KEY]
    return SecretShape.OK if isinstance(token, str) and token.strip() else SecretShape.EMPTY


def hf_token_secrets(config: Config) -> dict[str, tuple[str, ...]]:
    """Secret name -> the endpoints that read it (``container.hf_token_secret_name``), sorted by name."""
    users: dict[str, list[str]] = {}
    for endpoint in config.endpoints:
        if endpoint.container.hf_token_secret_name:
            users.setdefault(endpoint.container.hf_token_secret_name, []).append(
                config.endpoint_name(endpoint)
            )
    return {name: tuple(endpoints) for name, endpoints in sorted(users.items())}


def decide_hf_secret(
    secret_name: str, endpoints: Sequence[str], shape: SecretShape | None, region: str
) -> CheckResult:
    """PASS when the secret exists with a JSON ``HF_TOKEN``; FAIL when missing (``shape`` None) or malformed.

    CloudFormation resolves ``{{resolve:secretsmanager:NAME:SecretString:HF_TOKEN}}`` at deploy time; a missing
    secret or key fails the inference stack's deploy.
    """
    check = f"secret {secret_name!r}"
    create = (
        f"aws secretsmanager create-secret --region {region} --name {secret_name} "
        f'--secret-string \'{{"{HF_TOKEN_KEY}":"hf_..."}}\''
    )
    if shape is None:
        return CheckResult(
            Status.FAIL,
            check,
            f"does not exist in {region} (read by {', '.join(endpoints)})",
            f"create it with your Hugging Face token: {create}",
        )
    if shape is SecretShape.OK:
        return CheckResult(Status.PASS, check, f"{shape.value} (read by {', '.join(endpoints)})")
    return CheckResult(
        Status.FAIL,
        check,
        f"{shape.value}; the deploy's dynamic reference to {HF_TOKEN_KEY} would fail",
        f"store JSON with the key {HF_TOKEN_KEY}: aws secretsmanager put-secret-value --region {region} "
        f'--secret-id {secret_name} --secret-string \'{{"{HF_TOKEN_KEY}":"hf_..."}}\'',
    )


# 3. Cost allocation tags.


@dataclass(frozen=True)
class Organization:
    """The account's place in AWS Organizations: ``management_account`` None when standalone."""

    management_account: str | None


def decide_cost_allocation_tags(
    account: str, organization: Organization, tag_status: Mapping[str, str]
) -> CheckResult:
    """Whether the cost reporter can activate its cost allocation tags (``ce:UpdateCostAllocationTagsStatus``).

    Only the management account of an organization, or a standalone account, can activate them. From a member
    account the reporter's activation fails (a report warning) and Cost Explorer cannot group the bill by
    ``infersave:*`` until the management account activates the keys: a WARN, not a blocker.
    ``tag_status`` maps each key ListCostAllocationTags knows to ``Active`` / ``Inactive``.
    """
    check = "cost allocation tags"
    keys = tags.COST_ALLOCATION_KEYS
    inactive = [key for key in keys if tag_status.get(key) != "Active"]
    if not inactive:
        return CheckResult(Status.PASS, check, f"{', '.join(keys)} are active")
    role = None
    if organization.management_account is None:
        role = "standalone account"
    elif organization.management_account == account:
        role = "management account of its organization"
    pending = ", ".join(f"{key} ({tag_status.get(key, 'not seen yet')})" for key in inactive)
    if role:
        return CheckResult(
            Status.PASS,
            check,
            f"{role}: the cost reporter activates {pending} on its first run (a key becomes activatable up "
            "to 24 h after it first appears on a resource)",
        )
    status_args = " ".join(f"TagKey={key},Status=Active" for key in inactive)
    return CheckResult(
        Status.WARN,
        check,
        f"member account of an organization (management account {organization.management_account}): the "
        f"reporter cannot activate {pending}; its reports will carry a warning and group nothing by "
        "infersave:* until they are active",
        f"in the management account {organization.management_account}, after the first deploy: aws ce "
        f"update-cost-allocation-tags-status --cost-allocation-tags-status {status_args}",
    )


# 4. CDK bootstrap.


def decide_bootstrap(parameter_value: str | None, account: str, region: str) -> CheckResult:
    """PASS when ``/cdk-bootstrap/hnb659fds/version`` is >= :data:`REQUIRED_BOOTSTRAP_VERSION`; FAIL otherwise."""
    check = "cdk bootstrap"
    fix = f"npx --no-install cdk bootstrap aws://{account}/{region}"
    if parameter_value is None:
        return CheckResult(
            Status.FAIL,
            check,
            f"{account}/{region} is not bootstrapped (no SSM parameter {BOOTSTRAP_VERSION_PARAMETER})",
            fix,
        )
    try:
        version = int(parameter_value)
    except ValueError:
        return CheckResult(
            Status.FAIL, check, f"{BOOTSTRAP_VERSION_PARAMETER} is {parameter_value!r}, not a version", fix
        )
    if version < REQUIRED_BOOTSTRAP_VERSION:
        return CheckResult(
            Status.FAIL,
            check,
            f"bootstrap version {version} < {REQUIRED_BOOTSTRAP_VERSION} required by the app's templates",
            f"upgrade the bootstrap stack: {fix}",
        )
    return CheckResult(Status.PASS, check, f"version {version} >= {REQUIRED_BOOTSTRAP_VERSION} required")


# 5. Endpoint names already taken.


def decide_endpoint_names(
    wanted: Sequence[str], existing: Mapping[str, str], in_stack: Iterable[str], stack_name: str, region: str
) -> list[CheckResult]:
    """FAIL for each configured endpoint name an endpoint outside ``stack_name`` already has.

    SageMaker endpoint names are unique per account and Region (case-insensitive), and infersave names its
    endpoints explicitly, so CloudFormation cannot create one whose name is taken (SageMaker answers
    ValidationException 'Cannot create already existing endpoint "arn:...:endpoint/NAME"'; the emulator too).
    ``existing`` maps lower-cased names of the Region's endpoints to their status; ``in_stack`` are the
    physical ids of the stack's ``AWS::SageMaker::Endpoint`` resources.
    """
    owned = {name.lower() for name in in_stack}
    free = [name for name in wanted if name.lower() not in existing]
    ours = [name for name in wanted if name.lower() in existing and name.lower() in owned]
    taken = [name for name in wanted if name.lower() in existing and name.lower() not in owned]
    results = [
        CheckResult(
            Status.FAIL,
            f"endpoint {name}",
            f"an endpoint with this name already exists ({existing[name.lower()]}) outside stack {stack_name}; "
            "CloudFormation cannot create it",
            f"delete it if it is a leftover (aws sagemaker delete-endpoint --region {region} "
            f"--endpoint-name {name}), or rename the endpoint or project in the config",
        )
        for name in taken
    ]
    if free or ours:
        parts = [f"{', '.join(free)} free"] if free else []
        parts += [f"{', '.join(ours)} managed by {stack_name} (update)"] if ours else []
        results.insert(0, CheckResult(Status.PASS, "endpoint names", "; ".join(parts)))
    return results
