"""The compile job as data: refusals, instance choice, cost bound, the request, and the job's shell script."""

from __future__ import annotations

import os
import stat
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ops.compile_plan import (
    SCRIPT,
    CompilePlanError,
    StackOutputs,
    build_plan,
    choose_instance,
    export_args,
    host_memory_needed_gib,
)
from ops.export_cli import check_export_args
from stacks.config import Config, ConfigError, load_config
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 28, 20, 15, 0, tzinfo=UTC)
OUTPUTS = StackOutputs(
    bucket_name="demo-llm-neuron-123456789012-us-east-1",
    key_arn="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    role_arn="arn:aws:iam::123456789012:role/infersave-compile",
)


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(FIXTURES / "compile.yaml", neuron_cache=False)


def _endpoint(config: Config, name: str):  # type: ignore[no-untyped-def]
    return next(e for e in config.endpoints if e.name == name)


def test_vllm_endpoint_plan_runs_the_serving_image_on_a_cpu_instance(config: Config) -> None:
    plan = build_plan(config, _endpoint(config, "qwen25-7b"), region="us-east-1", outputs=OUTPUTS, now=NOW)

    assert plan.job_name == "demo-llm-compile-qwen25-7b-20261128201500"
    assert plan.artifacts_uri == (
        "s3://demo-llm-neuron-123456789012-us-east-1/compiled/qwen25-7b/demo-llm-compile-qwen25-7b-20261128201500/"
    )
    request = plan.request
    assert request["AppSpecification"]["ImageUri"] == (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-vllm-inference-neuronx:"
        "0.11.0-optimum0.4.5-neuronx-py310-sdk2.26.1-ubuntu22.04"
    )
    assert request["AppSpecification"]["ContainerArguments"][:2] == [
        "Qwen/Qwen2.5-7B-Instruct",
        "/opt/ml/processing/model",
    ]
    assert request["ProcessingResources"]["ClusterConfig"] == {
        "InstanceCount": 1,
        "InstanceType": "ml.m5.12xlarge",
        # 7.62B x 2 bytes = 15.24 GB; x 3 + 50
        "VolumeSizeInGB": 96,
        "VolumeKmsKeyId": OUTPUTS.key_arn,
    }
    assert request["StoppingCondition"] == {"MaxRuntimeInSeconds": 3 * 3600}
    assert request["ProcessingOutputConfig"]["Outputs"][0]["S3Output"] == {
        "S3Uri": plan.artifacts_uri,
        "LocalPath": "/opt/ml/processing/output",
        "S3UploadMode": "EndOfJob",
    }
    # Hand-computed bound: USD 2.76/h x 3 h.
    assert plan.max_cost_usd == Decimal("8.28")


def test_export_arguments_are_the_endpoint_settings_and_valid_for_optimum_neuron_045(config: Config) -> None:
    endpoint = _endpoint(config, "qwen25-7b")
    args = export_args(endpoint)

    parsed = check_export_args("0.4.5", args)

    assert (parsed.batch_size, parsed.sequence_length, parsed.tensor_parallel_size) == (4, 4096, 2)
    assert parsed.instance_type == "inf2"
    assert parsed.task == "text-generation"
    assert str(parsed.output) == "/opt/ml/processing/output"


def test_72b_needs_the_larger_instance(config: Config) -> None:
    endpoint = _endpoint(config, "qwen25-72b")
    # 72.7B x 2 bytes = 135.4 GiB of weights: 64 + 2 x 135.4 -> 335 GiB
    assert host_memory_needed_gib(endpoint) == 335
    assert choose_instance(endpoint, None).instance_type == "ml.m5.24xlarge"


def test_tgi_preset_is_refused_with_field_problem_and_fix(config: Config) -> None:
    with pytest.raises(CompilePlanError) as caught:
        build_plan(config, _endpoint(config, "zephyr-7b"), region="us-east-1", outputs=OUTPUTS, now=NOW)

    (problem,) = caught.value.problems
    assert problem.startswith("endpoints[1].container.preset: 'hf-tgi-neuron' ships optimum-neuron 0.0.28")
    assert "use preset 'hf-vllm-neuron'" in problem


def test_token_model_unknown_version_and_runtime_are_each_reported() -> None:
    config = load_config(FIXTURES / "full.yaml")
    vllm = next(e for e in config.endpoints if e.name == "vllm")
    gated = vllm.model_copy(
        update={
            "model_id": "meta-llama/Llama-3.1-8B-Instruct",
            "container": vllm.container.model_copy(
                update={"version": "0.9.0-optimum0.3.0-neuronx-py310-sdk2.24.0", "hf_token_secret_name": "hf"}
            ),
        }
    )
    config = config.model_copy(update={"endpoints": [gated]})

    with pytest.raises(CompilePlanError) as caught:
        build_plan(config, gated, region="us-east-1", outputs=OUTPUTS, now=NOW, max_runtime_hours=30)

    fields = [p.split(":", 1)[0] for p in caught.value.problems]
    assert fields == ["endpoints[0].container.version", "endpoints[0].model_id", "--max-runtime-hours"]
    assert "optimum-neuron 0.3.0" in caught.value.problems[0]


def test_unknown_instance_override_is_refused(config: Config) -> None:
    with pytest.raises(CompilePlanError) as caught:
        build_plan(
            config,
            _endpoint(config, "qwen25-7b"),
            region="us-east-1",
            outputs=OUTPUTS,
            now=NOW,
            instance_type="ml.inf2.xlarge",
        )
    assert caught.value.problems == [
        "endpoints[0].instance_type: 'ml.inf2.xlarge' is not a compile instance; use one of ml.m5.12xlarge, "
        "ml.m5.24xlarge"
    ]


def _stub(directory: Path, name: str) -> None:
    path = directory / name
    path.write_text(f'#!/bin/sh\nprintf "{name}"; printf " [%s]" "$@"; echo\n')
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_job_script_downloads_then_execs_the_exporter_with_the_arguments(
    tmp_path: Path, config: Config
) -> None:
    plan = build_plan(config, _endpoint(config, "qwen25-7b"), region="us-east-1", outputs=OUTPUTS, now=NOW)
    entrypoint = plan.request["AppSpecification"]["ContainerEntrypoint"]
    arguments = plan.request["AppSpecification"]["ContainerArguments"]
    assert all(len(item) <= 256 for item in entrypoint + arguments)  # API_AppSpecification
    _stub(tmp_path, "python3")
    _stub(tmp_path, "optimum-cli")

    result = subprocess.run(
        [*entrypoint, *arguments],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"},
    )

    download, export = result.stdout.splitlines()
    assert download.startswith("python3 [-c] [import sys; from huggingface_hub import snapshot_download")
    assert download.endswith("[Qwen/Qwen2.5-7B-Instruct] [/opt/ml/processing/model]")
    assert export == "optimum-cli [export] [neuron] " + " ".join(
        f"[{a}]" for a in export_args(_endpoint(config, "qwen25-7b"))
    )
    assert SCRIPT.startswith("set -euo pipefail;")


def test_the_job_type_facts_the_choice_rests_on() -> None:
    """botocore's SageMaker model: the compile instances are processing types; no job type offers ml.inf2."""
    import botocore.session

    from ops.compile_plan import compile_instances

    model = botocore.session.get_session().get_service_model("sagemaker")
    processing = set(model.shape_for("ProcessingInstanceType").enum)  # type: ignore[attr-defined]
    training = set(model.shape_for("TrainingInstanceType").enum)  # type: ignore[attr-defined]
    assert set(compile_instances()) <= processing
    assert not any(t.startswith(("ml.inf2.", "ml.trn")) for t in processing)
    assert not any(t.startswith("ml.inf2.") for t in training)
    assert "ml.trn1.32xlarge" in training  # a Neuron device only through Training (needed by TGI's 0.0.28)


def test_the_command_reads_a_config_whose_endpoint_synth_refuses_as_uncached() -> None:
    # synth sends the user here ("make compile ENDPOINT=qwen25-7b"), so the command must read that config
    with pytest.raises(ConfigError, match=r"endpoints\[0\].*Neuron cache"):
        load_config(FIXTURES / "compile.yaml")
    assert load_config(FIXTURES / "compile.yaml", neuron_cache=False).endpoints[0].name == "qwen25-7b"
