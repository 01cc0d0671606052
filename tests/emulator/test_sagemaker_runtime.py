"""SageMaker runtime: the container's wire format, AWS's refusals, and modelled timings in virtual time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.runtime_model import LevelSimulation, ServingModel, route

TGI_NEURON = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.2-optimum0.0.28-neuronx-py310-ubuntu22.04"
VLLM_NEURON = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-vllm-inference-neuronx:0.11.0-optimum0.4.5-neuronx-py310-sdk2.26.1-ubuntu22.04"


def _endpoint(
    name: str, image: str, environment: dict[str, str], instance_type: str = "ml.inf2.xlarge"
) -> None:
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
        PrimaryContainer={"Image": image, "Environment": environment},
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{name}-model",
                "InitialInstanceCount": 1,
                "InstanceType": instance_type,
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


VLLM_ENV = {
    "SM_ON_MODEL": "Qwen/Qwen3-8B",
    "SM_ON_TENSOR_PARALLEL_SIZE": "2",
    "SM_ON_BATCH_SIZE": "4",
    "SM_ON_SEQUENCE_LENGTH": "4096",
}
TGI_ENV = {
    "HF_MODEL_ID": "HuggingFaceH4/zephyr-7b-beta",
    "HF_NUM_CORES": "2",
    "MAX_BATCH_SIZE": "4",
    "MAX_INPUT_TOKENS": "2048",
    "MAX_TOTAL_TOKENS": "4096",
    "HF_AUTO_CAST_TYPE": "bf16",
}


def _sse(stream: Any) -> list[str]:
    text = b"".join(event["PayloadPart"]["Bytes"] for event in stream if "PayloadPart" in event).decode()
    return [line for line in text.splitlines() if line]


def test_vllm_answers_openai_body_with_usage(aws: None) -> None:
    _endpoint("qwen", VLLM_NEURON, VLLM_ENV)
    runtime = boto3.client("sagemaker-runtime")

    answer = runtime.invoke_endpoint(
        EndpointName="qwen",
        ContentType="application/json",
        Body=json.dumps({"prompt": "one two three four", "max_tokens": 5}),
    )

    body = json.loads(answer["Body"].read())
    assert body["usage"] == {"prompt_tokens": 4, "total_tokens": 9, "completion_tokens": 5}
    assert body["choices"][0]["finish_reason"] == "length"
    assert answer["InvokedProductionVariant"] == "AllTraffic"
    assert answer["CustomAttributes"].startswith("infersave-emulator-first=")


def test_vllm_stream_is_payload_parts_of_sse_with_usage_and_done(aws: None) -> None:
    _endpoint("qwen", VLLM_NEURON, VLLM_ENV)
    runtime = boto3.client("sagemaker-runtime")

    answer = runtime.invoke_endpoint_with_response_stream(
        EndpointName="qwen",
        ContentType="application/json",
        Body=json.dumps(
            {"prompt": "a b c", "max_tokens": 3, "stream": True, "stream_options": {"include_usage": True}}
        ),
    )

    lines = _sse(answer["Body"])
    data = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
    times = [float(line.split("=", 1)[1]) for line in lines if line.startswith(": infersave-emulator-t=")]
    assert [d["choices"][0]["text"] for d in data[:3]] == [" tok0", " tok1", " tok2"]
    assert data[3]["usage"] == {"prompt_tokens": 3, "total_tokens": 6, "completion_tokens": 3}
    assert lines[-1] == "data: [DONE]"
    assert times == sorted(times) and times[0] > 0
    assert answer["ContentType"] == "text/event-stream"


def test_tgi_stream_carries_details_on_the_last_token(aws: None) -> None:
    _endpoint("zephyr", TGI_NEURON, TGI_ENV)
    runtime = boto3.client("sagemaker-runtime")

    answer = runtime.invoke_endpoint_with_response_stream(
        EndpointName="zephyr",
        ContentType="application/json",
        Body=json.dumps({"inputs": "x y", "parameters": {"max_new_tokens": 4}, "stream": True}),
    )

    data = [json.loads(line[5:]) for line in _sse(answer["Body"]) if line.startswith("data:")]
    assert len(data) == 4
    assert data[-1]["details"] == {"finish_reason": "length", "generated_tokens": 4, "seed": None}
    assert all(d["details"] is None for d in data[:-1])


@pytest.mark.parametrize("call", ["invoke_endpoint", "invoke_endpoint_with_response_stream"])
def test_unknown_endpoint_is_refused_like_aws(aws: None, call: str) -> None:
    runtime = boto3.client("sagemaker-runtime")

    with pytest.raises(ClientError) as caught:
        getattr(runtime, call)(EndpointName="nope", ContentType="application/json", Body=b"{}")

    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert caught.value.response["Error"]["Message"] == "Endpoint nope of account 123456789012 not found."


def test_too_long_request_is_the_containers_refusal(aws: None) -> None:
    _endpoint("zephyr", TGI_NEURON, TGI_ENV)
    runtime = boto3.client("sagemaker-runtime")

    with pytest.raises(ClientError) as caught:
        runtime.invoke_endpoint(
            EndpointName="zephyr",
            ContentType="application/json",
            Body=json.dumps({"inputs": "w " * 4000, "parameters": {"max_new_tokens": 200}}),
        )

    assert caught.value.response["Error"]["Code"] == "ModelError"
    assert caught.value.response["OriginalStatusCode"] == 422


def test_body_above_six_mib_is_refused(aws: None) -> None:
    _endpoint("qwen", VLLM_NEURON, VLLM_ENV)
    runtime = boto3.client("sagemaker-runtime")

    with pytest.raises(ClientError) as caught:
        runtime.invoke_endpoint(EndpointName="qwen", ContentType="application/json", Body=b" " * 6_291_457)

    assert caught.value.response["Error"]["Code"] == "ValidationError"


def _model(max_batch: int = 2) -> ServingModel:
    return ServingModel("vllm", max_batch, 4096, 0.0, 0.001, 0.05, 0.0)


def test_simulation_does_not_depend_on_arrival_order() -> None:
    requests = [(0, 0.0, 100, 3), (1, 0.01, 100, 3), (2, 0.02, 100, 3), (3, 0.5, 50, 2)]
    in_order = LevelSimulation(_model(), seed=1, total=4)
    shuffled = LevelSimulation(_model(), seed=1, total=4)

    for request in requests:
        in_order.arrive(*request)
    for request in [requests[2], requests[0], requests[3], requests[1]]:
        shuffled.arrive(*request)

    assert [in_order.result(i) for i in range(4)] == [shuffled.result(i) for i in range(4)]


def test_third_request_queues_behind_the_compiled_batch() -> None:
    simulation = LevelSimulation(_model(max_batch=2), seed=1, total=3)

    for seq in range(3):
        simulation.arrive(seq, 0.0, 100, 2)

    first, second, third = (simulation.result(i) for i in range(3))
    assert first and second and third
    # prefill 0.1 s each; the third waits until both others finish their 2 tokens
    assert first.token_times_s == pytest.approx([0.1, 0.25])
    assert second.token_times_s == pytest.approx([0.2, 0.25])
    assert third.token_times_s[0] == pytest.approx(0.35)


def test_answer_waits_for_earlier_requests() -> None:
    simulation = LevelSimulation(_model(), seed=1, total=2)

    simulation.arrive(1, 1.0, 10, 1)

    assert simulation.result(1) is None
    simulation.arrive(0, 0.0, 10, 1)
    assert simulation.result(0) is not None and simulation.result(1) is not None


def test_endpoint_not_in_service_is_refused(aws: None) -> None:
    from moto.sagemaker.models import sagemaker_backends

    _endpoint("qwen", VLLM_NEURON, VLLM_ENV)
    sagemaker_backends["123456789012"]["us-east-1"].endpoints[
        next(iter(sagemaker_backends["123456789012"]["us-east-1"].endpoints))
    ].endpoint_status = "Creating"
    runtime = boto3.client("sagemaker-runtime")

    with pytest.raises(ClientError) as caught:
        runtime.invoke_endpoint(EndpointName="qwen", ContentType="application/json", Body=b"{}")

    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert "is Creating, not InService" in caught.value.response["Error"]["Message"]


def test_an_inference_component_endpoint_needs_the_component_name_like_aws(aws: None) -> None:
    from moto.sagemaker.models import sagemaker_backends

    _endpoint("shared", VLLM_NEURON, VLLM_ENV)
    backend = sagemaker_backends["123456789012"]["us-east-1"]
    # As an inference-component endpoint config holds it: the variant names no model.
    del backend.endpoint_configs["shared-config"].production_variants[0]["ModelName"]
    runtime = boto3.client("sagemaker-runtime")

    with pytest.raises(ClientError) as caught:
        runtime.invoke_endpoint(EndpointName="shared", ContentType="application/json", Body=b"{}")
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert caught.value.response["Error"]["Message"].startswith("Inference Component Name header is required")


def _component_endpoint(
    name: str, components: dict[str, tuple[str, dict[str, str]]], instance_type: str = "ml.inf2.24xlarge"
) -> None:
    """An endpoint whose variant names no model, with one inference component (one copy) per entry."""
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "InstanceType": instance_type,
                "InitialInstanceCount": 1,
                "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 1},
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")
    for component, (image, environment) in components.items():
        sagemaker.create_model(
            ModelName=f"{component}-model",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
            PrimaryContainer={"Image": image, "Environment": environment},
        )
        sagemaker.create_inference_component(
            InferenceComponentName=component,
            EndpointName=name,
            VariantName="AllTraffic",
            Specification={
                "ModelName": f"{component}-model",
                "ComputeResourceRequirements": {
                    "NumberOfAcceleratorDevicesRequired": 1,
                    "MinMemoryRequiredInMb": 1024,
                },
            },
            RuntimeConfig={"CopyCount": 1},
        )


def _refusal(runtime: Any, endpoint: str, component: str) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        runtime.invoke_endpoint(
            EndpointName=endpoint,
            InferenceComponentName=component,
            ContentType="application/json",
            Body=b"{}",
        )
    return dict(caught.value.response["Error"])


def test_each_component_answers_with_its_own_container(aws: None) -> None:
    _component_endpoint(
        "shared", {"shared-qwen": (VLLM_NEURON, VLLM_ENV), "shared-zephyr": (TGI_NEURON, TGI_ENV)}
    )
    runtime = boto3.client("sagemaker-runtime")

    vllm = runtime.invoke_endpoint(
        EndpointName="shared",
        InferenceComponentName="shared-qwen",
        ContentType="application/json",
        Body=json.dumps({"prompt": "one two", "max_tokens": 3}),
    )
    tgi = runtime.invoke_endpoint(
        EndpointName="shared",
        InferenceComponentName="shared-zephyr",
        ContentType="application/json",
        Body=json.dumps({"inputs": "one two", "parameters": {"max_new_tokens": 3}}),
    )

    assert json.loads(vllm["Body"].read())["usage"]["completion_tokens"] == 3
    assert json.loads(tgi["Body"].read())[0]["details"]["generated_tokens"] == 3
    assert tgi["InvokedProductionVariant"] == "AllTraffic"


def test_a_component_serves_with_as_many_containers_as_copies(aws: None) -> None:
    from emulator.sagemaker_runtime import _endpoint_model

    _component_endpoint("shared", {"shared-qwen": (VLLM_NEURON, VLLM_ENV)})
    boto3.client("sagemaker").update_inference_component_runtime_config(
        InferenceComponentName="shared-qwen", DesiredRuntimeConfig={"CopyCount": 3}
    )

    target = _endpoint_model("123456789012", "us-east-1", "shared", "shared-qwen")

    assert target.serving.instances == 3  # one container per copy (6 chips, 1 per copy)
    assert target.key == "shared/shared-qwen"  # its levels apart from other components'


def test_an_unknown_component_or_one_of_another_endpoint_is_refused(aws: None) -> None:
    _component_endpoint("a", {"a-chat": (VLLM_NEURON, VLLM_ENV)})
    _component_endpoint("b", {"b-chat": (VLLM_NEURON, VLLM_ENV)})
    runtime = boto3.client("sagemaker-runtime")

    unknown = _refusal(runtime, "a", "nope")
    foreign = _refusal(runtime, "a", "b-chat")

    assert unknown["Code"] == "ValidationError" and "Inference component nope" in unknown["Message"]
    assert foreign["Code"] == "ValidationError"
    assert "deployed to endpoint b, not a" in foreign["Message"]


def test_a_component_at_zero_copies_fails_as_on_aws_and_counts_a_no_capacity_failure(aws: None) -> None:
    from emulator.sagemaker_runtime import NO_CAPACITY

    _component_endpoint("shared", {"shared-qwen": (VLLM_NEURON, VLLM_ENV)})
    sagemaker = boto3.client("sagemaker")
    sagemaker.update_inference_component_runtime_config(
        InferenceComponentName="shared-qwen", DesiredRuntimeConfig={"CopyCount": 0}
    )
    runtime = boto3.client("sagemaker-runtime")

    refused = [_refusal(runtime, "shared", "shared-qwen") for _ in range(2)]

    assert refused[0] == {"Code": "ValidationError", "Message": NO_CAPACITY}
    assert NO_CAPACITY.startswith("Inference Component has no capacity to process this request.")
    points = boto3.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName="NoCapacityInvocationFailures",
        Dimensions=[{"Name": "InferenceComponentName", "Value": "shared-qwen"}],
        StartTime=datetime(2000, 1, 1, tzinfo=UTC),
        EndTime=datetime(2100, 1, 1, tzinfo=UTC),
        Period=86400,
        Statistics=["Sum"],
    )["Datapoints"]
    assert sum(p["Sum"] for p in points) == 2
    # Once a copy is back (the step policy's +1), the component answers again.
    sagemaker.update_inference_component_runtime_config(
        InferenceComponentName="shared-qwen", DesiredRuntimeConfig={"CopyCount": 1}
    )
    answer = runtime.invoke_endpoint(
        EndpointName="shared",
        InferenceComponentName="shared-qwen",
        ContentType="application/json",
        Body=json.dumps({"prompt": "hi", "max_tokens": 1}),
    )
    assert json.loads(answer["Body"].read())["usage"]["completion_tokens"] == 1


def test_two_instances_share_the_load_by_random_routing(aws: None) -> None:
    two = ServingModel("vllm", 1, 4096, 0.0, 0.01, 0.1, 0.0, instances=2)  # 0.1 s prefill, batch 1
    simulation = LevelSimulation(two, seed=3, total=4)

    for seq in range(4):
        simulation.arrive(seq, 0.0, 10, 1)

    finish = sorted(c.token_times_s[-1] for c in (simulation.result(i) for i in range(4)) if c)
    # one sequence at a time per instance: on one instance the last would finish at 0.4 s
    assert {route(3, seq, 2) for seq in range(4)} == {0, 1}
    assert len(finish) == 4 and finish[-1] < 0.4 - 1e-9
