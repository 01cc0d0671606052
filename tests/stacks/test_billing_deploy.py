"""The billing layout deploys into the emulator as synthesized: the billing stack in us-east-1 (the budget notifies
only its topic, which e-mails each address once; moto skips the AWS::CE::* types, see emulator/__init__.py), then
the guardrails stack in eu-north-1, whose breach switch subscribes to that topic across regions."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

import emulator
from stacks.alerts_topic import billing_topic_name
from tests.stacks.conftest import ENV, Synth


@pytest.fixture
def moto_account(aws_credentials: None) -> Iterator[None]:
    emulator.install()
    with mock_aws():
        # What `cdk bootstrap` leaves; the template's bootstrap-version rule reads it.
        for region in ("us-east-1", "eu-north-1"):
            boto3.client("ssm", region_name=region).put_parameter(
                Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String"
            )
        yield


def _deploy(template: dict[str, Any], name: str, region: str) -> None:
    cfn = boto3.client("cloudformation", region_name=region)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*AWS::CE::Anomaly.*")
        cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def _stage_assets(template: dict[str, Any], region: str) -> None:
    """What `cdk deploy` uploads first: a zip at every S3Key the template's functions and layers name."""
    bucket = f"cdk-hnb659fds-assets-{ENV.account}-{region}"
    s3 = boto3.client("s3", region_name=region)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("index.py", "def handler(event, context):\n    return None\n")
    for resource in template["Resources"].values():
        code = resource["Properties"].get("Code") or resource["Properties"].get("Content") or {}
        if "S3Key" in code:
            s3.put_object(Bucket=bucket, Key=code["S3Key"], Body=archive.getvalue())


def test_billing_stack_deploys_and_alerts_each_address_once(synth: Synth, moto_account: None) -> None:
    _deploy(synth.billing["billing"].to_json(), "billing", "us-east-1")

    name = billing_topic_name(synth.billing_config.project)
    topic_arn = f"arn:aws:sns:us-east-1:{ENV.account}:{name}"
    subscriptions = boto3.client("sns", region_name="us-east-1").list_subscriptions_by_topic(
        TopicArn=topic_arn
    )
    emails = sorted(s["Endpoint"] for s in subscriptions["Subscriptions"] if s["Protocol"] == "email")
    assert emails == sorted(synth.billing_config.budget.alert_emails)

    from moto.budgets.models import budgets_backends

    budget = budgets_backends[ENV.account]["aws"].budgets[ENV.account][
        f"infersave-{synth.billing_config.project}"
    ]
    for notification in budget.notifications:
        assert notification.subscribers == [{"SubscriptionType": "SNS", "Address": topic_arn}]


def test_breach_switch_subscribes_to_the_billing_topic_across_regions(
    synth: Synth, moto_account: None
) -> None:
    _deploy(synth.billing["billing"].to_json(), "billing", "us-east-1")
    guardrails = synth.billing["guardrails"].to_json()
    _stage_assets(guardrails, "eu-north-1")

    _deploy(guardrails, "guardrails", "eu-north-1")

    topic_arn = f"arn:aws:sns:us-east-1:{ENV.account}:{billing_topic_name(synth.billing_config.project)}"
    subscriptions = boto3.client("sns", region_name="us-east-1").list_subscriptions_by_topic(
        TopicArn=topic_arn
    )
    (function,) = [s["Endpoint"] for s in subscriptions["Subscriptions"] if s["Protocol"] == "lambda"]
    assert function.startswith(f"arn:aws:lambda:eu-north-1:{ENV.account}:function:")
