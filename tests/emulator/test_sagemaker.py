"""SageMaker through CloudFormation: explicit names honoured, template tags kept, inf2 accepted; UpdateEndpoint
(API and stack update) with its autoscaling rule and RetainAllVariantProperties."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

Deploy = Callable[..., dict[str, str]]
EndpointResources = Callable[..., dict[str, Any]]

TAGS = [
    {"Key": "infersave:project", "Value": "demo"},
    {"Key": "infersave:baseline-instance-type", "Value": "ml.g5.2xlarge"},
]


def test_explicit_names_and_tags_are_kept(deploy: Deploy, endpoint_resources: EndpointResources) -> None:
    template = {
        "Resources": endpoint_resources("llama-inf2", TAGS),
        "Outputs": {
            "EndpointRef": {"Value": {"Ref": "Endpoint"}},
            "EndpointName": {"Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}},
        },
    }

    outputs = deploy(template)

    sagemaker = boto3.client("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName="llama-inf2")
    assert endpoint["EndpointConfigName"] == "llama-inf2-config"
    assert endpoint["EndpointStatus"] == "InService"
    assert outputs == {"EndpointRef": endpoint["EndpointArn"], "EndpointName": "llama-inf2"}
    assert sagemaker.describe_model(ModelName="llama-inf2-model")["ModelName"] == "llama-inf2-model"
    config = sagemaker.describe_endpoint_config(EndpointConfigName="llama-inf2-config")
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.inf2.xlarge"
    assert sagemaker.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"] == TAGS


def test_names_are_generated_when_absent(deploy: Deploy, endpoint_resources: EndpointResources) -> None:
    resources = endpoint_resources("unused")
    del resources["Endpoint"]["Properties"]["EndpointName"]

    deploy({"Resources": resources}, stack_name="gen")

    names = [e["EndpointName"] for e in boto3.client("sagemaker").list_endpoints()["Endpoints"]]
    assert len(names) == 1
    assert names[0].startswith("gen-Endpoint-")


def test_delete_stack_removes_endpoint_config_and_model(
    deploy: Deploy, cfn: Any, endpoint_resources: EndpointResources
) -> None:
    deploy({"Resources": endpoint_resources("llama-inf2")})

    cfn.delete_stack(StackName="emu")

    sagemaker = boto3.client("sagemaker")
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []


# UpdateEndpoint and the autoscaling rule: https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-update.html

RESOURCE_ID = "endpoint/llama-inf2/variant/AllTraffic"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def _new_config(sagemaker: Any, name: str, instance_type: str, count: int = 1) -> None:
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "llama-inf2-model",
                "InstanceType": instance_type,
                "InitialInstanceCount": count,
                "InitialVariantWeight": 1.0,
            }
        ],
    )


def _register(min_capacity: int = 1, max_capacity: int = 4) -> Any:
    autoscaling = boto3.client("application-autoscaling")
    autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=RESOURCE_ID,
        ScalableDimension=DIMENSION,
        MinCapacity=min_capacity,
        MaxCapacity=max_capacity,
    )
    return autoscaling


def test_update_endpoint_refuses_an_instance_type_change_of_a_scalable_target(
    deploy: Deploy, endpoint_resources: EndpointResources
) -> None:
    deploy({"Resources": endpoint_resources("llama-inf2")})
    sagemaker = boto3.client("sagemaker")
    _new_config(sagemaker, "bigger", "ml.inf2.8xlarge")
    _new_config(sagemaker, "same-type", "ml.inf2.xlarge")
    autoscaling = _register()

    with pytest.raises(ClientError) as refused:
        sagemaker.update_endpoint(EndpointName="llama-inf2", EndpointConfigName="bigger")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "from ml.inf2.xlarge to ml.inf2.8xlarge" in str(refused.value)
    assert "registered as an Application Auto Scaling scalable target" in str(refused.value)
    # A new model on the same instance type is the documented exception.
    sagemaker.update_endpoint(EndpointName="llama-inf2", EndpointConfigName="same-type")

    autoscaling.deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=RESOURCE_ID, ScalableDimension=DIMENSION
    )
    sagemaker.update_endpoint(EndpointName="llama-inf2", EndpointConfigName="bigger")
    assert sagemaker.describe_endpoint(EndpointName="llama-inf2")["EndpointConfigName"] == "bigger"


def test_update_endpoint_retains_the_instance_count_only_when_asked(
    deploy: Deploy, endpoint_resources: EndpointResources
) -> None:
    deploy({"Resources": endpoint_resources("llama-inf2")})
    sagemaker = boto3.client("sagemaker")
    _new_config(sagemaker, "retained", "ml.inf2.8xlarge", count=1)
    _new_config(sagemaker, "reset", "ml.inf2.8xlarge", count=1)
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="llama-inf2",
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 3}],
    )

    sagemaker.update_endpoint(
        EndpointName="llama-inf2", EndpointConfigName="retained", RetainAllVariantProperties=True
    )
    variant = sagemaker.describe_endpoint(EndpointName="llama-inf2")["ProductionVariants"][0]
    assert variant["DesiredInstanceCount"] == 3

    sagemaker.update_endpoint(EndpointName="llama-inf2", EndpointConfigName="reset")
    variant = sagemaker.describe_endpoint(EndpointName="llama-inf2")["ProductionVariants"][0]
    assert variant["DesiredInstanceCount"] == 1


def test_stack_update_that_changes_the_instance_type_of_a_scalable_target_fails(
    deploy: Deploy, cfn: Any, endpoint_resources: EndpointResources
) -> None:
    """CloudFormation calls UpdateEndpoint for a new EndpointConfigName; SageMaker refuses; the stack fails."""
    resources = endpoint_resources("llama-inf2")
    del resources["Config"]["Properties"]["EndpointConfigName"]  # generated, so a change replaces the config
    resources["Endpoint"]["Properties"]["RetainAllVariantProperties"] = True
    deploy({"Resources": resources})
    _register()
    resources["Config"]["Properties"]["ProductionVariants"][0]["InstanceType"] = "ml.inf2.8xlarge"

    cfn.update_stack(StackName="emu", TemplateBody=json.dumps({"Resources": resources}))

    stack = cfn.describe_stacks(StackName="emu")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="emu")["StackEvents"]
    failed = [
        e for e in events if e["ResourceStatus"] == "UPDATE_FAILED" and e["LogicalResourceId"] == "Endpoint"
    ]
    assert "registered as an Application Auto Scaling scalable target" in failed[0]["ResourceStatusReason"]
    # The endpoint still runs the config it had, and that config still exists (deleted only in cleanup).
    sagemaker = boto3.client("sagemaker")
    config = sagemaker.describe_endpoint(EndpointName="llama-inf2")["EndpointConfigName"]
    assert (
        sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]["InstanceType"]
        == "ml.inf2.xlarge"
    )


def test_stack_update_of_the_config_updates_the_endpoint_in_place(
    deploy: Deploy, endpoint_resources: EndpointResources
) -> None:
    """A resource whose reference resolves to a replaced resource is updated (UpdateEndpoint), and the replaced
    config is deleted afterwards; the endpoint keeps its count with RetainAllVariantProperties."""
    resources = endpoint_resources("llama-inf2")
    del resources["Config"]["Properties"]["EndpointConfigName"]
    resources["Endpoint"]["Properties"]["RetainAllVariantProperties"] = True
    deploy({"Resources": resources})
    sagemaker = boto3.client("sagemaker")
    arn = sagemaker.describe_endpoint(EndpointName="llama-inf2")["EndpointArn"]
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="llama-inf2",
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 2}],
    )
    resources["Config"]["Properties"]["ProductionVariants"][0]["InstanceType"] = "ml.inf2.8xlarge"

    deploy({"Resources": resources}, update=True)

    endpoint = sagemaker.describe_endpoint(EndpointName="llama-inf2")
    assert endpoint["EndpointArn"] == arn
    assert endpoint["ProductionVariants"][0]["DesiredInstanceCount"] == 2
    configs = [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]]
    assert configs == [endpoint["EndpointConfigName"]]


def test_an_endpoint_name_that_exists_is_refused(
    deploy: Deploy, endpoint_resources: EndpointResources
) -> None:
    """SageMaker: ValidationException 'Cannot create already existing endpoint "arn:..."' (any case); moto
    5.2.5 replaced the endpoint silently."""
    deploy({"Resources": endpoint_resources("llama-inf2")})
    sagemaker = boto3.client("sagemaker")
    config_name = sagemaker.describe_endpoint(EndpointName="llama-inf2")["EndpointConfigName"]
    for name in ("llama-inf2", "LLAMA-inf2"):
        with pytest.raises(ClientError) as raised:
            sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config_name)
        assert raised.value.response["Error"]["Code"] == "ValidationException"
        assert "Cannot create already existing endpoint" in raised.value.response["Error"]["Message"]


def test_a_stack_update_still_replaces_its_endpoint(
    deploy: Deploy, endpoint_resources: EndpointResources
) -> None:
    deploy({"Resources": endpoint_resources("llama-inf2")})
    resources = endpoint_resources("llama-inf2", tags=[{"Key": "changed", "Value": "yes"}])
    deploy({"Resources": resources}, update=True)
    assert (
        boto3.client("sagemaker").describe_endpoint(EndpointName="llama-inf2")["EndpointStatus"]
        == "InService"
    )


# --- Hugging Face Neuron containers: configurations outside the Neuron cache fail at start-up -----------------

VLLM_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-vllm-inference-neuronx:"
    "0.11.0-optimum0.4.5-neuronx-py310-sdk2.26.1-ubuntu22.04"
)
TGI_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
    "2.1.2-optimum0.0.28-neuronx-py310-ubuntu22.04"
)


def _vllm_env(model: str, batch: int = 4, seq: int = 4096, tp: int = 2) -> dict[str, str]:
    return {
        "SM_ON_MODEL": model,
        "SM_ON_BATCH_SIZE": str(batch),
        "SM_ON_SEQUENCE_LENGTH": str(seq),
        "SM_ON_TENSOR_PARALLEL_SIZE": str(tp),
    }


def _tgi_env(model: str, batch: int, tp: int = 2) -> dict[str, str]:
    return {
        "HF_MODEL_ID": model,
        "HF_NUM_CORES": str(tp),
        "HF_AUTO_CAST_TYPE": "bf16",
        "MAX_BATCH_SIZE": str(batch),
        "MAX_INPUT_TOKENS": "2048",
        "MAX_TOTAL_TOKENS": "4096",
    }


def _endpoint_status(name: str, container: dict[str, Any]) -> dict[str, Any]:
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer=container,
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": name,
                "InstanceType": "ml.inf2.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
    return sagemaker.describe_endpoint(EndpointName=name)


def test_vllm_container_without_a_cached_configuration_fails_with_serves_message(aws: None) -> None:
    described = _endpoint_status(
        "qwen25", {"Image": VLLM_IMAGE, "Environment": _vllm_env("Qwen/Qwen2.5-7B-Instruct")}
    )

    assert described["EndpointStatus"] == "Failed"
    # optimum-neuron v0.4.5 optimum/commands/neuron/serve.py lines 210-225, double commas included.
    assert described["FailureReason"] == (
        "No cached version found for Qwen/Qwen2.5-7B-Instruct instance type trn1,, batch size = 4, sequence length "
        "= 4096,, tp = 2, dtype = torch.bfloat16.You can start a discussion to request it on "
        "https://huggingface.co/aws-neuron/optimum-neuron-cache Alternatively, you can export your own neuron model "
        "as explained in https://huggingface.co/docs/optimum-neuron/main/en/guides/export_model"
    )


def test_vllm_container_starts_when_cached_compiling_or_precompiled(aws: None) -> None:
    cached = _endpoint_status("qwen3", {"Image": VLLM_IMAGE, "Environment": _vllm_env("Qwen/Qwen3-8B")})
    compiling = _endpoint_status(
        "compiling",
        {
            "Image": VLLM_IMAGE,
            "Environment": {**_vllm_env("Qwen/Qwen3-8B", seq=2048), "SM_ON_ALLOW_NON_CACHED_MODEL": ""},
        },
    )
    precompiled = _endpoint_status(
        "precompiled",
        {
            "Image": VLLM_IMAGE,
            "Environment": _vllm_env("/opt/ml/model", seq=2048),
            "ModelDataSource": {
                "S3DataSource": {
                    "S3Uri": "s3://artifacts/q/",
                    "S3DataType": "S3Prefix",
                    "CompressionType": "None",
                }
            },
        },
    )

    assert [e["EndpointStatus"] for e in (cached, compiling, precompiled)] == ["InService"] * 3
    assert "FailureReason" not in cached


def test_tgi_container_matches_every_size_and_fails_with_fetch_models_message(aws: None) -> None:
    cached = _endpoint_status(
        "zephyr-b4", {"Image": TGI_IMAGE, "Environment": _tgi_env("HuggingFaceH4/zephyr-7b-beta", 4)}
    )
    uncached = _endpoint_status(
        "zephyr-b8", {"Image": TGI_IMAGE, "Environment": _tgi_env("HuggingFaceH4/zephyr-7b-beta", 8)}
    )

    assert cached["EndpointStatus"] == "InService"
    assert uncached["EndpointStatus"] == "Failed"
    # optimum-neuron v0.0.28 text-generation-inference/server/text_generation_server/model.py lines 99-107.
    assert uncached["FailureReason"].startswith(
        "No cached version found for HuggingFaceH4/zephyr-7b-beta with {'task': 'text-generation', 'batch_size': 8, "
        "'num_cores': 2, 'auto_cast_type': 'bf16', 'sequence_length': 4096, 'compiler_type': 'neuronx-cc', "
        "'compiler_version': '2.15.143.0+e39249ad', 'checkpoint_id': 'HuggingFaceH4/zephyr-7b-beta'"
    )


def _neuron_endpoint(resources: dict[str, Any], environment: dict[str, str]) -> dict[str, Any]:
    resources["Model"]["Properties"]["PrimaryContainer"] = {"Image": VLLM_IMAGE, "Environment": environment}
    return {"Resources": resources}


def test_cloudformation_fails_the_endpoint_and_rolls_the_new_stack_back(
    cfn: Any, endpoint_resources: EndpointResources
) -> None:
    template = _neuron_endpoint(endpoint_resources("qwen25"), _vllm_env("Qwen/Qwen2.5-7B-Instruct"))

    cfn.create_stack(StackName="neuron", TemplateBody=json.dumps(template))

    assert cfn.describe_stacks(StackName="neuron")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="neuron")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert [(e["LogicalResourceId"], e["ResourceType"]) for e in failed] == [
        ("Endpoint", "AWS::SageMaker::Endpoint")
    ]
    assert (
        "is in Failed status. FailureReason: No cached version found for Qwen/Qwen2.5-7B-Instruct"
        in (failed[0]["ResourceStatusReason"])
    )
    assert any(
        e["ResourceStatusReason"]
        == "The following resource(s) failed to create: [Endpoint]. Rollback requested by user."
        for e in events
        if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"
    )
    sagemaker = boto3.client("sagemaker")
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_models()["Models"] == []


def test_a_failing_update_rolls_back_to_the_serving_endpoint(
    deploy: Deploy, cfn: Any, endpoint_resources: EndpointResources
) -> None:
    deploy(_neuron_endpoint(endpoint_resources("qwen3"), _vllm_env("Qwen/Qwen3-8B")), stack_name="neuron")
    # A new model and endpoint config (new logical ids, so moto's diff sees the endpoint change too) with a batch
    # size the cache lacks.
    update = endpoint_resources("qwen3")
    update["Model"]["Properties"]["ModelName"] = "qwen3-b16-model"
    update["Config"]["Properties"]["EndpointConfigName"] = "qwen3-b16-config"
    update["Config"]["Properties"]["ProductionVariants"][0]["ModelName"] = {
        "Fn::GetAtt": ["ModelB16", "ModelName"]
    }
    update["Endpoint"]["Properties"]["EndpointConfigName"] = {
        "Fn::GetAtt": ["ConfigB16", "EndpointConfigName"]
    }
    update["ModelB16"], update["ConfigB16"] = update.pop("Model"), update.pop("Config")
    template = _neuron_endpoint(
        {"Model": update.pop("ModelB16"), **update}, _vllm_env("Qwen/Qwen3-8B", batch=16)
    )
    template["Resources"]["ModelB16"] = template["Resources"].pop("Model")

    cfn.update_stack(StackName="neuron", TemplateBody=json.dumps(template))

    assert cfn.describe_stacks(StackName="neuron")["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="neuron")["StackEvents"]
    assert [e["LogicalResourceId"] for e in events if e["ResourceStatus"] == "UPDATE_FAILED"] == ["Endpoint"]
    endpoint = boto3.client("sagemaker").describe_endpoint(EndpointName="qwen3")
    assert (endpoint["EndpointStatus"], endpoint["EndpointConfigName"]) == ("InService", "qwen3-config")
