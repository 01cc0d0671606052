"""Cross-account reads of the organization report: the reporter (in the management account) assumes the
member-read role (``org/member-read-role.yaml``, rolled out with StackSets) in each account the CUR bills
an endpoint in, and lists that account's tagged endpoints and their ``Invocations`` in the same region.

STS AssumeRole with an ExternalId (IAM user guide, "Access to AWS accounts owned by third parties": the
condition ``sts:ExternalId`` in the role's trust policy); one session per account and run, 15 minutes (the
shortest STS allows, longer than a report run). An account whose role cannot be assumed is an error naming it;
the rest of the report goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from lambdas.common.aws import TaggedEndpoint, client_config, partition_of
from lambdas.common.paging import PagingError
from lambdas.common.retry import call_with_backoff, describe_error
from lambdas.cost_reporter.dal import cloudwatch, resources
from lambdas.cost_reporter.models import Issue, ReportPeriod

if TYPE_CHECKING:
    from mypy_boto3_sts import STSClient

_ACCOUNT = re.compile(r"^\d{12}$")
SESSION_SECONDS = 900
_CONFIG = client_config("infersave-cost-reporter-member", adaptive=True, max_attempts=6)


@dataclass
class MemberReads:
    """What the member accounts gave: endpoints, invocations by lower-case name, problems."""

    endpoints: list[TaggedEndpoint] = field(default_factory=list)
    invocations: dict[str, int] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    accounts_read: list[str] = field(default_factory=list)


def role_arn(account_id: str, role_name: str, region: str) -> str:
    """The member-read role's ARN in ``account_id`` (the partition of ``region``)."""
    return f"arn:{partition_of(region)}:iam::{account_id}:role/{role_name}"


def member_session(
    sts: STSClient, account_id: str, role_name: str, external_id: str, region: str
) -> boto3.session.Session:
    """A session with the member-read role's temporary credentials."""
    answer = call_with_backoff(
        partial(
            sts.assume_role,
            RoleArn=role_arn(account_id, role_name, region),
            RoleSessionName="infersave-cost-report",
            ExternalId=external_id,
            DurationSeconds=SESSION_SECONDS,
        )
    )
    credentials = answer["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def read_members(
    sts: STSClient,
    accounts: Iterable[str],
    *,
    own_account: str,
    role_name: str,
    external_id: str,
    region: str,
    project_name: str | None,
    period: ReportPeriod,
) -> MemberReads:
    """List tagged endpoints and sum invocations in every account of ``accounts`` but ``own_account``."""
    reads = MemberReads()
    for account in sorted(set(accounts) - {own_account}):
        if not _ACCOUNT.match(account):
            continue
        try:
            session = member_session(sts, account, role_name, external_id, region)
            tagging = session.client("resourcegroupstaggingapi", config=_CONFIG)
            metrics = session.client("cloudwatch", config=_CONFIG)
            endpoints, listing = resources.list_endpoints(tagging, project_name)
            series = cloudwatch.list_invocation_series(metrics)
            names = {endpoint.name.lower() for endpoint in endpoints} | {
                s.endpoint_name.lower() for s in series
            }
            wanted = [s for s in series if s.endpoint_name.lower() in names]
            counts, issues = cloudwatch.sum_invocations(metrics, wanted, period)
        except (ClientError, BotoCoreError, PagingError) as exc:
            reads.errors.append(
                Issue(
                    f"account {account}: could not read tags and metrics through role "
                    f"{role_arn(account, role_name, region)} ({describe_error(exc)}): its endpoints have no "
                    "baseline tags nor invocations; deploy org/member-read-role.yaml there"
                )
            )
            continue
        reads.accounts_read.append(account)
        reads.endpoints += endpoints
        reads.invocations.update(counts)
        reads.errors += [Issue(f"account {account}: {i.message}", i.endpoint_name) for i in listing + issues]
    return reads
