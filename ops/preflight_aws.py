"""What ``python -m ops.preflight`` reads from AWS: one function per check, clients passed in.

Clients come from the standard credential chain (``boto3.session.Session()``; ``AWS_ENDPOINT_URL`` points
them at the emulator) with the Lambda functions' retry settings (:func:`lambdas.common.aws.client_config`),
and every page request goes through :func:`lambdas.common.retry.call_with_backoff`. Lists are paginated with
a bound on pages and stop on a repeated token, so a misbehaving endpoint cannot loop the command.

Only read APIs are called: sts:GetCallerIdentity, servicequotas:ListServiceQuotas /
ListAWSDefaultServiceQuotas, secretsmanager:GetSecretValue, ce:ListCostAllocationTags,
organizations:DescribeOrganization, ssm:GetParameter, sagemaker:ListEndpoints,
cloudformation:ListStackResources.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

import boto3
from botocore.exceptions import ClientError

from lambdas.common.aws import client_config
from lambdas.common.retry import call_with_backoff, error_code
from ops.preflight_checks import (
    BOOTSTRAP_VERSION_PARAMETER,
    Identity,
    Organization,
    Quota,
    SecretShape,
    classify_secret_string,
)

#: Cost Explorer and Organizations are served from us-east-1 for the whole aws partition.
GLOBAL_REGION: Final = "us-east-1"
SERVICE_QUOTAS_PAGE_SIZE: Final = 100  # ListServiceQuotas / ListAWSDefaultServiceQuotas MaxResults maximum
SAGEMAKER_PAGE_SIZE: Final = 100  # ListEndpoints MaxResults maximum
#: Pages read from one list before giving up; SageMaker has about 1,000 quotas in a Region (10 pages).
MAX_PAGES: Final = 50

_USER_AGENT = "infersave-preflight"
# An interactive command making a few calls: botocore's standard retries, fewer attempts than the reporter's
# (a check that cannot get an answer becomes a WARN; throttling is retried further by call_with_backoff).
_READS = client_config(_USER_AGENT, max_attempts=3)

#: Error codes that mean "you may not look", not "it is not there".
ACCESS_DENIED_CODES: Final = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


class RegionNotSetError(RuntimeError):
    """No Region in the config (``env.region``), the environment or the shared config."""


class PaginationError(RuntimeError):
    """A list did not end: a token came back twice, or more than :data:`MAX_PAGES` pages."""


@dataclass(frozen=True)
class Clients:
    """The clients of a preflight run; ``region`` is where the stacks deploy."""

    region: str
    credentials_region: str | None
    sts: Any
    service_quotas: Any
    secretsmanager: Any
    ce: Any
    organizations: Any
    ssm: Any
    sagemaker: Any
    cloudformation: Any


def make_clients(region: str | None, session: boto3.session.Session | None = None) -> Clients:
    """Clients for ``region`` (the config's ``env.region``), else the session's Region."""
    session = session or boto3.session.Session()
    target = region or session.region_name
    if not target:
        raise RegionNotSetError(
            "no AWS region: set env.region in the config, or AWS_REGION (or a profile with a region)"
        )

    def client(service: str, client_region: str = target) -> Any:
        return session.client(service, region_name=client_region, config=_READS)  # type: ignore[call-overload]

    return Clients(
        region=target,
        credentials_region=session.region_name,
        sts=client("sts"),
        service_quotas=client("service-quotas"),
        secretsmanager=client("secretsmanager"),
        ce=client("ce", GLOBAL_REGION),
        organizations=client("organizations", GLOBAL_REGION),
        ssm=client("ssm"),
        sagemaker=client("sagemaker"),
        cloudformation=client("cloudformation"),
    )


def pages(
    fetch: Callable[[str | None], dict[str, Any]], max_pages: int = MAX_PAGES
) -> Iterator[dict[str, Any]]:
    """Every page of a list: ``fetch(token)`` (None first) until no ``NextToken``; PaginationError on a repeated
    token or more than ``max_pages`` pages."""
    seen: set[str] = set()
    token: str | None = None
    for _ in range(max_pages):
        page = call_with_backoff(partial(fetch, token))
        yield page
        token = page.get("NextToken") or None
        if token is None:
            return
        if token in seen:
            raise PaginationError("the same NextToken came back twice")
        seen.add(token)
    raise PaginationError(f"more than {max_pages} pages")


def is_access_denied(exc: ClientError) -> bool:
    """Whether AWS refused the call for lack of permission."""
    return error_code(exc) in ACCESS_DENIED_CODES


def read_identity(clients: Clients) -> Identity:
    """sts:GetCallerIdentity (raises on missing or invalid credentials)."""
    answer = call_with_backoff(clients.sts.get_caller_identity)
    return Identity(
        account=str(answer["Account"]),
        arn=str(answer["Arn"]),
        credentials_region=clients.credentials_region,
        region=clients.region,
    )


def sagemaker_quotas(call: Callable[..., dict[str, Any]], page_size: int) -> Iterator[dict[str, Any]]:
    """Every SageMaker quota of a quota list (``ListServiceQuotas`` or ``ListAWSDefaultServiceQuotas``)."""

    def fetch(token: str | None) -> dict[str, Any]:
        args: dict[str, Any] = {"ServiceCode": "sagemaker", "MaxResults": page_size}
        if token:
            args["NextToken"] = token
        return call(**args)

    for page in pages(fetch):
        yield from page.get("Quotas", [])


def read_quotas(
    service_quotas: Any, names: Sequence[str], page_size: int = SERVICE_QUOTAS_PAGE_SIZE
) -> dict[str, Quota]:
    """The SageMaker quotas named ``names``: the applied value (ListServiceQuotas), else AWS's default
    (ListAWSDefaultServiceQuotas, read only if some name has no applied value). Names not found are absent."""
    wanted = set(names)
    found: dict[str, Quota] = {}
    for item in sagemaker_quotas(service_quotas.list_service_quotas, page_size):
        if item.get("QuotaName") in wanted:
            found[item["QuotaName"]] = Quota(item["QuotaName"], item["QuotaCode"], float(item["Value"]), True)
    if wanted - set(found):
        for item in sagemaker_quotas(service_quotas.list_aws_default_service_quotas, page_size):
            name = item.get("QuotaName")
            if name in wanted and name not in found:
                found[name] = Quota(name, item["QuotaCode"], float(item["Value"]), False)
    return found


def read_secret_shape(secretsmanager: Any, secret_name: str) -> SecretShape | None:
    """The shape of the secret's value (None: no such secret). The value itself is dropped here."""
    try:
        answer = call_with_backoff(partial(secretsmanager.get_secret_value, SecretId=secret_name))
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    return classify_secret_string(answer.get("SecretString"))


def read_organization(organizations: Any) -> Organization:
    """organizations:DescribeOrganization; AWSOrganizationsNotInUseException means a standalone account."""
    try:
        answer = call_with_backoff(organizations.describe_organization)
    except ClientError as exc:
        if error_code(exc) == "AWSOrganizationsNotInUseException":
            return Organization(management_account=None)
        raise
    return Organization(management_account=str(answer["Organization"]["MasterAccountId"]))


def read_cost_allocation_tag_status(ce: Any, keys: Sequence[str]) -> dict[str, str]:
    """ce:ListCostAllocationTags for ``keys`` (user-defined): key -> ``Active`` / ``Inactive``.

    Keys that never appeared on a resource are not listed. Cost Explorer bills its API per request (USD 0.01,
    README "What it costs to run"); the four keys fit one page.
    """

    def fetch(token: str | None) -> dict[str, Any]:
        args: dict[str, Any] = {"TagKeys": list(keys), "Type": "UserDefined"}
        if token:
            args["NextToken"] = token
        result: dict[str, Any] = ce.list_cost_allocation_tags(**args)
        return result

    return {
        str(tag["TagKey"]): str(tag["Status"])
        for page in pages(fetch)
        for tag in page.get("CostAllocationTags", [])
    }


def read_bootstrap_version(ssm: Any) -> str | None:
    """The value of ``/cdk-bootstrap/hnb659fds/version``, None if the parameter does not exist."""
    try:
        answer = call_with_backoff(partial(ssm.get_parameter, Name=BOOTSTRAP_VERSION_PARAMETER))
    except ClientError as exc:
        if error_code(exc) == "ParameterNotFound":
            return None
        raise
    return str(answer["Parameter"]["Value"])


def read_endpoints(sagemaker: Any, name_contains: str) -> dict[str, str]:
    """Endpoints of the Region whose name contains ``name_contains``: lower-cased name -> status."""

    def fetch(token: str | None) -> dict[str, Any]:
        args: dict[str, Any] = {"NameContains": name_contains, "MaxResults": SAGEMAKER_PAGE_SIZE}
        if token:
            args["NextToken"] = token
        result: dict[str, Any] = sagemaker.list_endpoints(**args)
        return result

    return {
        str(e["EndpointName"]).lower(): str(e.get("EndpointStatus", "?"))
        for page in pages(fetch)
        for e in page.get("Endpoints", [])
    }


def read_stack_endpoints(cloudformation: Any, stack_name: str) -> list[str]:
    """Names of the stack's ``AWS::SageMaker::Endpoint`` resources; [] if the stack does not exist.

    The physical id of an endpoint is its ARN (``Ref`` returns the ARN, AWS::SageMaker::Endpoint reference):
    the name is what follows ``endpoint/``.
    """

    def fetch(token: str | None) -> dict[str, Any]:
        args: dict[str, Any] = {"StackName": stack_name}
        if token:
            args["NextToken"] = token
        result: dict[str, Any] = cloudformation.list_stack_resources(**args)
        return result

    try:
        return [
            str(r["PhysicalResourceId"]).rsplit(":endpoint/", 1)[-1]
            for page in pages(fetch)
            for r in page.get("StackResourceSummaries", [])
            if r.get("ResourceType") == "AWS::SageMaker::Endpoint" and r.get("PhysicalResourceId")
        ]
    except ClientError as exc:
        # CloudFormation answers ValidationError "Stack with id X does not exist" for a stack never deployed.
        if error_code(exc) == "ValidationError" and "does not exist" in str(exc):
            return []
        raise
