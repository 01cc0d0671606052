"""The emulator's moto server: in-process start/stop, and ``python -m emulator.server`` with signals."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests

from emulator import server

REPO_ROOT = Path(__file__).resolve().parents[2]

TEMPLATE = {
    "Resources": {
        "Target": {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Properties": {
                "ServiceNamespace": "sagemaker",
                "ResourceId": "endpoint/llama-inf2/variant/AllTraffic",
                "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                "MinCapacity": 1,
                "MaxCapacity": 2,
                "RoleARN": "arn:aws:iam::123456789012:role/autoscaling",
            },
        }
    }
}


@pytest.fixture
def url(aws_credentials: None) -> Iterator[str]:
    url, stop = server.start(0)
    yield url
    stop()


def test_start_serves_on_localhost_with_the_emulator(url: str) -> None:
    assert url.startswith("http://localhost:")
    s3 = boto3.client("s3", endpoint_url=url)
    s3.create_bucket(Bucket="cdk-assets")
    s3.put_object(Bucket="cdk-assets", Key="stack.json", Body=json.dumps(TEMPLATE).encode())
    cfn = boto3.client("cloudformation", endpoint_url=url)

    # A template URL on the same endpoint, as `cdk deploy` passes it.
    cfn.create_stack(StackName="emu", TemplateURL=f"{url}/cdk-assets/stack.json")

    targets = boto3.client("application-autoscaling", endpoint_url=url).describe_scalable_targets(
        ServiceNamespace="sagemaker"
    )["ScalableTargets"]
    assert [t["MaxCapacity"] for t in targets] == [2]


def test_free_port_is_bindable() -> None:
    port = server.free_port()
    assert 1024 <= port <= 65535


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_module_prints_url_and_stops_on_signal(stop_signal: signal.Signals) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator.server", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://localhost:")
        assert requests.get(f"{url}/moto-api/", timeout=10).status_code == 200

        process.send_signal(stop_signal)

        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/moto-api/", timeout=5)


def test_the_server_routes_the_response_stream_to_the_runtime(url: str) -> None:
    # moto's server sends ".../invocations-response-stream" to the SageMaker control plane; the emulator routes it
    sagemaker = boto3.client("sagemaker", endpoint_url=url)
    sagemaker.create_model(
        ModelName="m",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
        PrimaryContainer={
            "Image": "x/huggingface-vllm-inference-neuronx:t",
            "Environment": {"SM_ON_MODEL": "a-1b"},
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": "m", "InitialInstanceCount": 1,
                             "InstanceType": "ml.inf2.xlarge"}],
    )  # fmt: skip
    sagemaker.create_endpoint(EndpointName="e", EndpointConfigName="c")
    runtime = boto3.client("sagemaker-runtime", endpoint_url=url)

    answer = runtime.invoke_endpoint_with_response_stream(
        EndpointName="e", Body=json.dumps({"prompt": "a b", "max_tokens": 2, "stream": True})
    )

    text = b"".join(e["PayloadPart"]["Bytes"] for e in answer["Body"] if "PayloadPart" in e).decode()
    assert text.count("data: {") == 2 and text.endswith("data: [DONE]\n\n")
