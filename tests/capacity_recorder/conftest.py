"""Fixtures: moto (with the emulator's extensions) holding instance and inference-component endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

import emulator
from lambdas.capacity_recorder.service import Clients, make_clients
from lambdas.common import capacity, tags

REGION = "us-east-1"
PROJECT = "demo"
ROLE = "arn:aws:iam::123456789012:role/sagemaker"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/custom:1"
#: One session for every test's clients: it keeps the loaded service models.
_SESSION = boto3.session.Session(region_name=REGION)


@dataclass
class World:
    """A moto account of one test and the recorder's clients in it."""

    clients: Clients

    @property
    def sagemaker(self) -> Any:
        return self.clients.sagemaker

    def instance_endpoint(self, name: str, *, instances: int = 2, project: str = PROJECT) -> None:
        """An endpoint whose variant serves one model on ``instances`` ml.inf2.xlarge."""
        self.sagemaker.create_model(
            ModelName=f"{name}-m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE}
        )
        self.sagemaker.create_endpoint_config(
            EndpointConfigName=f"{name}-c",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": f"{name}-m",
                    "InitialInstanceCount": instances,
                    "InstanceType": "ml.inf2.xlarge",
                }
            ],
        )
        self._endpoint(name, project)

    def component_endpoint(
        self, name: str, components: dict[str, tuple[int, int]], *, project: str = PROJECT
    ) -> None:
        """An inference-component endpoint on ml.inf2.24xlarge (6 chips, at most 2 instances, minimum 0);
        ``components``: name -> (copies, chips per copy)."""
        self.sagemaker.create_endpoint_config(
            EndpointConfigName=f"{name}-c",
            ExecutionRoleArn=ROLE,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.inf2.24xlarge",
                    "ManagedInstanceScaling": {
                        "Status": "ENABLED",
                        "MinInstanceCount": 0,
                        "MaxInstanceCount": 2,
                    },
                }
            ],
        )
        self._endpoint(name, project)
        for component, (copies, chips) in components.items():
            self.sagemaker.create_model(
                ModelName=f"{component}-m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE}
            )
            self.sagemaker.create_inference_component(
                InferenceComponentName=component,
                EndpointName=name,
                VariantName="AllTraffic",
                Specification={
                    "ModelName": f"{component}-m",
                    "ComputeResourceRequirements": {
                        "NumberOfAcceleratorDevicesRequired": chips,
                        "MinMemoryRequiredInMb": 1024,
                    },
                },
                RuntimeConfig={"CopyCount": copies},
                Tags=[{"Key": tags.PROJECT, "Value": project}],
            )

    def _endpoint(self, name: str, project: str) -> None:
        self.sagemaker.create_endpoint(
            EndpointName=name,
            EndpointConfigName=f"{name}-c",
            Tags=[{"Key": tags.PROJECT, "Value": project}, {"Key": tags.ENDPOINT, "Value": name}],
        )

    def samples(self, metric: str, dimensions: dict[str, str], at: datetime) -> list[dict[str, Any]]:
        """The minute's datapoints of one series (SampleCount, Average)."""
        return minute_datapoints(self.clients.cloudwatch, metric, dimensions, at)


def minute_datapoints(
    cloudwatch: Any, metric: str, dimensions: dict[str, str], at: datetime
) -> list[dict[str, Any]]:
    """The datapoints (SampleCount, Average) of one capacity series in the minute starting at ``at``."""
    answer = cloudwatch.get_metric_statistics(
        Namespace=capacity.NAMESPACE,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=at,
        EndTime=at + timedelta(minutes=1),
        Period=60,
        Statistics=["SampleCount", "Average"],
    )
    return list(answer["Datapoints"])


#: A sample time within CloudWatch's accepted window (moto keeps any).
AT = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)


@pytest.fixture
def world() -> Iterator[World]:
    """Clients created inside mock_aws, the emulator installed."""
    with mock_aws():
        emulator.install()
        yield World(clients=make_clients(_SESSION))
