"""Fixtures for the emulator's tests: a moto account with the emulator installed, and a template deployer."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

import emulator

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"

Deploy = Callable[..., dict[str, str]]
EndpointResources = Callable[..., dict[str, Any]]


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, so nothing can reach a real account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def aws(aws_credentials: None) -> Iterator[None]:
    """A fresh moto account with the emulator installed."""
    emulator.install()
    with mock_aws():
        yield


@pytest.fixture
def cfn(aws: None) -> Any:
    return boto3.client("cloudformation", region_name=REGION)


@pytest.fixture
def deploy(cfn: Any) -> Deploy:
    """Create (or update, with ``update=True``) a stack from a template dict; return its outputs.

    Fails if moto's CloudFormation skipped any resource type of the template.
    """

    def _deploy(template: dict[str, Any], stack_name: str = "emu", *, update: bool = False) -> dict[str, str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if update:
                cfn.update_stack(StackName=stack_name, TemplateBody=json.dumps(template))
            else:
                cfn.create_stack(StackName=stack_name, TemplateBody=json.dumps(template))
        skipped = [str(w.message) for w in caught if "not supported by moto" in str(w.message)]
        assert skipped == []
        stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
        assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    return _deploy


@pytest.fixture
def endpoint_resources() -> EndpointResources:
    """Template resources for an inf2 endpoint; ``endpoint_resources(name, tags)``.

    Logical ids ``Model``, ``Config``, ``Endpoint``; names ``<name>-model``, ``<name>-config``, ``<name>``;
    one variant ``AllTraffic``.
    """
    return _endpoint_resources


def _endpoint_resources(endpoint_name: str, tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "Model": {
            "Type": "AWS::SageMaker::Model",
            "Properties": {
                "ModelName": f"{endpoint_name}-model",
                "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/sagemaker",
                "PrimaryContainer": {"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/hf:latest"},
            },
        },
        "Config": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "EndpointConfigName": f"{endpoint_name}-config",
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
                        "InstanceType": "ml.inf2.xlarge",
                        "InitialInstanceCount": 1,
                        "InitialVariantWeight": 1,
                    }
                ],
            },
        },
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {
                "EndpointName": endpoint_name,
                "EndpointConfigName": {"Fn::GetAtt": ["Config", "EndpointConfigName"]},
                "Tags": tags or [],
            },
        },
    }
