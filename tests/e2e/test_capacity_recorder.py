"""End to end: the deployed capacity recorder, run as its schedule would invoke it, writes the contract's series
(``lambdas.common.capacity``) for every endpoint and inference component of the deployed config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from demo import report
from tests.capacity_recorder.conftest import minute_datapoints
from tests.e2e.conftest import Deployment

pytestmark = pytest.mark.e2e


def _sample(
    deployment: Deployment, metric: str, dimensions: dict[str, str], at: datetime
) -> tuple[float, float]:
    """(SampleCount, Average) of one series at the sampled minute."""
    (point,) = minute_datapoints(deployment.client("cloudwatch"), metric, dimensions, at)
    return point["SampleCount"], point["Average"]


def test_the_deployed_recorder_writes_every_series_of_the_deployed_endpoints(deployment: Deployment) -> None:
    function = report.deployed_function(
        deployment.client("lambda"), deployment.cost_outputs["CapacityRecorderFunctionName"]
    )
    at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    event = {"source": "infersave.capacity-recorder", "scheduled_time": at.isoformat().replace("+00:00", "Z")}
    result = report.invoke(function, deployment.url, deployment.logs / "capacity-recorder.log", event)

    config = deployment.config
    sagemaker = deployment.client("sagemaker")
    components = [e for e in config.endpoints if e.serving == "inference_component"]
    assert components, "the deployed config has an inference-component endpoint"
    assert result["problems"] == [] and result["endpoints_recorded"] == len(config.endpoints)
    for endpoint in config.endpoints:
        name = config.endpoint_name(endpoint)
        (variant,) = sagemaker.describe_endpoint(EndpointName=name)["ProductionVariants"]
        instances = variant.get("CurrentInstanceCount", 0)
        dimensions = {"EndpointName": name, "VariantName": "AllTraffic"}
        assert _sample(deployment, "InstanceCount", dimensions, at) == (1, instances)
    for endpoint in components:
        name = config.endpoint_name(endpoint)
        described = sagemaker.describe_inference_component(InferenceComponentName=name)
        copies = described["RuntimeConfig"]["CurrentCopyCount"]
        chips = described["Specification"]["ComputeResourceRequirements"][
            "NumberOfAcceleratorDevicesRequired"
        ]
        dimensions = {"EndpointName": name, "InferenceComponentName": name}
        assert copies >= 1, "deployed with a copy"
        assert _sample(deployment, "CopyCount", dimensions, at) == (1, copies)
        assert _sample(deployment, "AcceleratorDevicesAllocated", dimensions, at) == (1, copies * chips)
    assert result["samples_written"] >= len(config.endpoints) + 2 * len(components)
