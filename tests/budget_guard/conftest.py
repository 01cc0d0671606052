"""Fixtures: moto-backed clients, a topic with a queue to read what the switch publishes, endpoints."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

import emulator
from emulator.budgets import set_actual_spend
from lambdas.budget_guard import aws, service
from tests.budget_guard.samples import ACCOUNT_ID, BUDGET_NAME, NOW, TOPIC_ARN

REGION = "us-east-1"
PROJECT = "demo"
#: One session for every test's clients: it keeps the loaded service models (0.6 s per set of clients).
_SESSION = boto3.session.Session(region_name=REGION)


@pytest.fixture(autouse=True)
def aws_credentials(aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite-wide fake credentials (tests/conftest.py), the guard's metrics namespace, and its clock
    set to ``NOW`` (the sample alert's day)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "infersave")
    monkeypatch.setattr(service, "utc_now", lambda: NOW)


@dataclass
class Env:
    """Moto world of one test: the switch's clients and a queue subscribed to the alerts topic."""

    clients: aws.Clients
    queue_url: str

    def published(self) -> list[dict[str, Any]]:
        """Messages published to the alerts topic since the last call (SNS envelopes)."""
        sqs = boto3.client("sqs", region_name=REGION)
        out: list[dict[str, Any]] = []
        while True:
            got = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return out
            for message in got:
                out.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def env() -> Iterator[Env]:
    """Clients created inside mock_aws, with the project's emulator extensions installed."""
    with mock_aws():
        emulator.install()  # moto 5.2.5 lists SageMaker endpoints in GetResources natively
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic_arn = sns.create_topic(Name=TOPIC_ARN.rsplit(":", 1)[1])["TopicArn"]
        assert topic_arn == TOPIC_ARN
        queue_url = sqs.create_queue(QueueName="alerts-copy")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        yield Env(clients=aws.make_clients(REGION, session=_SESSION), queue_url=queue_url)


def make_budget(
    env: Env,
    *,
    limit: str = "1000",
    spent: str = "1012.34",
    name: str = BUDGET_NAME,
    project: str = PROJECT,
    start: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    budget_type: str = "COST",
) -> None:
    """The project's monthly budget as the guardrails stack creates it, with ``spent`` as AWS's actual spend."""
    env.clients.budgets.create_budget(
        AccountId=ACCOUNT_ID,
        Budget={
            "BudgetName": name,
            "BudgetType": budget_type,
            "TimeUnit": "MONTHLY",
            "BudgetLimit": {"Amount": limit, "Unit": "USD"},
            "CostFilters": {
                "TagKeyValue": [f"user:infersave:project${project}"],
                "Service": ["Amazon SageMaker"],
            },
            "TimePeriod": {"Start": start, "End": datetime(2087, 6, 15, tzinfo=UTC)},
        },
    )
    set_actual_spend(ACCOUNT_ID, name, spent)


def make_endpoint(
    env: Env,
    name: str,
    *,
    project: str = PROJECT,
    variants: dict[str, int] | None = None,
    bounds: tuple[int, int] | None = (1, 4),
) -> str:
    """Create an inf2 endpoint tagged with ``project``; ``variants`` maps variant name to instance count.

    ``bounds`` (min, max) registers each variant with Application Auto Scaling; None leaves them unregistered.
    """
    variants = variants or {"AllTraffic": 3}
    sm = env.clients.sagemaker
    sm.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/x:1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": variant,
                "ModelName": f"{name}-model",
                "InitialInstanceCount": count,
                "InstanceType": "ml.inf2.xlarge",
                "InitialVariantWeight": 1.0,
            }
            for variant, count in variants.items()
        ],
    )
    sm.create_endpoint(
        EndpointName=name,
        EndpointConfigName=f"{name}-config",
        Tags=[{"Key": "infersave:project", "Value": project}, {"Key": "infersave:endpoint", "Value": name}],
    )
    if bounds is not None:
        for variant in variants:
            env.clients.autoscaling.register_scalable_target(
                ServiceNamespace="sagemaker",
                ResourceId=f"endpoint/{name}/variant/{variant}",
                ScalableDimension="sagemaker:variant:DesiredInstanceCount",
                MinCapacity=bounds[0],
                MaxCapacity=bounds[1],
            )
    return name


def capacity(env: Env, name: str) -> dict[str, tuple[int, int, int]]:
    """Per variant: (min, max, desired instance count)."""
    endpoint = env.clients.sagemaker.describe_endpoint(EndpointName=name)
    out: dict[str, tuple[int, int, int]] = {}
    for variant in endpoint["ProductionVariants"]:
        target = env.clients.autoscaling.describe_scalable_targets(
            ServiceNamespace="sagemaker",
            ResourceIds=[f"endpoint/{name}/variant/{variant['VariantName']}"],
            ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        )["ScalableTargets"][0]
        out[variant["VariantName"]] = (
            target["MinCapacity"],
            target["MaxCapacity"],
            variant["DesiredInstanceCount"],
        )
    return out


def endpoint_tags(env: Env, name: str) -> dict[str, str]:
    """Tags of the endpoint (last value wins, as on AWS)."""
    arn = env.clients.sagemaker.describe_endpoint(EndpointName=name)["EndpointArn"]
    return {t["Key"]: t["Value"] for t in env.clients.sagemaker.list_tags(ResourceArn=arn)["Tags"]}


def suspended_state(env: Env, name: str, variant: str = "AllTraffic") -> dict[str, bool] | None:
    """The SuspendedState of a variant's scalable target as describe_scalable_targets returns it."""
    target = env.clients.autoscaling.describe_scalable_targets(
        ServiceNamespace="sagemaker",
        ResourceIds=[f"endpoint/{name}/variant/{variant}"],
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
    )["ScalableTargets"][0]
    state: dict[str, bool] | None = target.get("SuspendedState")
    return state


def put_off_hours_schedule(env: Env, name: str, *, min_capacity: int, max_capacity: int) -> None:
    """The ``OffHoursUp`` scheduled action the inference stack adds: it sets min and max every morning."""
    env.clients.autoscaling.put_scheduled_action(
        ServiceNamespace="sagemaker",
        ScheduledActionName="OffHoursUp",
        ResourceId=f"endpoint/{name}/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        Schedule="cron(0 7 ? * MON-FRI *)",
        Timezone="Europe/Paris",
        ScalableTargetAction={"MinCapacity": min_capacity, "MaxCapacity": max_capacity},
    )
