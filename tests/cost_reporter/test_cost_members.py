"""Cross-account reads: the reporter assumes the member-read role in each billed account but its own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import boto3

from lambdas.cost_reporter.dal import members
from lambdas.cost_reporter.dal.clients import Clients
from lambdas.cost_reporter.models import ReportPeriod

PERIOD = ReportPeriod(start=date(2026, 10, 1), end_exclusive=date(2026, 11, 1), kind="previous_month")
MEMBER = "222233334444"


def test_member_invocations_are_read_through_the_assumed_role(clients: Clients) -> None:
    own = clients.sts.get_caller_identity()["Account"]
    # What the member account holds: one endpoint's invocations (moto keys resources by the assumed account).
    session = members.member_session(clients.sts, MEMBER, "infersave-member-read", "ext-id-1", clients.region)
    session.client("cloudwatch").put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[{
            "MetricName": "Invocations", "Value": 42, "Unit": "None",
            "Timestamp": datetime(2026, 10, 5, tzinfo=UTC),
            "Dimensions": [{"Name": "EndpointName", "Value": "team-llm"}, {"Name": "VariantName", "Value": "AllTraffic"}],
        }],
    )  # fmt: skip
    reads = members.read_members(
        clients.sts, [own, MEMBER, "not-an-account"], own_account=own, role_name="infersave-member-read",
        external_id="ext-id-1", region=clients.region, project_name=None, period=PERIOD,
    )  # fmt: skip
    assert reads.accounts_read == [MEMBER]
    assert reads.invocations == {"team-llm": 42}
    assert reads.errors == []
    # Nothing of it is visible in the reporter's own account.
    assert (
        boto3.client("cloudwatch", region_name=clients.region).list_metrics(Namespace="AWS/SageMaker")[
            "Metrics"
        ]
        == []
    )


def test_role_arn_follows_the_partition() -> None:
    assert members.role_arn(MEMBER, "r", "us-east-1") == f"arn:aws:iam::{MEMBER}:role/r"
    assert members.role_arn(MEMBER, "r", "cn-north-1") == f"arn:aws-cn:iam::{MEMBER}:role/r"
