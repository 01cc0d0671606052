"""Bad configs fail at synth with a message naming the field and the fix."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.config import ConfigError, load_config, parse_config
from tests.conftest import ROOT


def _base() -> dict[str, Any]:
    return {
        "project": "p",
        "endpoints": [
            {
                "name": "e",
                # cached for optimum-neuron 0.4.5 at the defaults batch 4 / seq 4096 / tp 2
                "model_id": "Qwen/Qwen3-8B",
                "parameters_billion": 8,
                "instance_type": "ml.inf2.xlarge",
                "tensor_parallel_degree": 2,
            }
        ],
    }


def _with(path: str, value: Any) -> dict[str, Any]:
    """The base config with ``path`` (dotted, list indexes as numbers) set to ``value``."""
    raw = copy.deepcopy(_base())
    node: Any = raw
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    node[parts[-1]] = value
    return raw


BAD_CONFIGS = [
    (
        "unpublished image tag",
        _with(
            "endpoints.0.container",
            {"preset": "hf-tgi-neuron", "version": "2.1.2-optimum0.0.28-neuronx-py310-ubuntu22.04-v1.2"},
        ),
        "endpoints[0].container.version: 2.1.2-optimum0.0.28-neuronx-py310-ubuntu22.04-v1.2 is not a published "
        "hf-tgi-neuron tag (data/container_images.json); use one of",
    ),
    (
        "gated model without token",
        _with("endpoints.0.model_id", "meta-llama/Llama-3.1-8B-Instruct"),
        "endpoints[0].container.hf_token_secret_name: meta-llama/Llama-3.1-8B-Instruct is gated on the Hugging "
        "Face Hub",
    ),
    (
        "fp16 on vllm",
        _with("endpoints.0.precision", "fp16"),
        "endpoints[0].precision: preset 'hf-vllm-neuron' serves bf16; use bf16, or preset 'hf-tgi-neuron' for fp16",
    ),
    (
        "breach threshold not alerted",
        _with(
            "budget",
            {"monthly_limit_usd": 10000, "breach_switch": {"enabled": True, "threshold_percent": 120}},
        ),
        "budget.breach_switch.threshold_percent: 120 is not one of actual_thresholds_percent [50, 80, 100]",
    ),
    (
        "breach switch without budget",
        _with("budget", {"breach_switch": {"enabled": True}}),
        "budget.breach_switch.enabled: the breach switch acts on budget alerts; set budget.monthly_limit_usd",
    ),
    (
        "aws: tag",
        _with("tags", {"aws:owner": "me"}),
        "tags: tag 'aws:owner': keys are 1-128 characters and must not start with 'aws:'",
    ),
    (
        "bad anomaly monitor arn",
        _with("budget", {"anomaly_monitor_arn": "monitor-1"}),
        "budget.anomaly_monitor_arn: String should match pattern",
    ),
    (
        "bad image tag",
        _with("endpoints.0.container", {"version": "has spaces"}),
        "endpoints[0].container.version: String should match pattern",
    ),
    (
        "report cron",
        _with("reports", {"monthly_cron": "cron(0 7 5 * *)"}),
        "reports.monthly_cron: 'cron(0 7 5 * *)' has 5 fields; AWS cron needs six",
    ),
    (
        "report time zone",
        _with("reports", {"time_zone": "CET+1"}),
        "reports.time_zone: 'CET+1' is not an IANA time zone name",
    ),
    (
        "report cost metric",
        _with("reports", {"cost_metric": "BlendedCost"}),
        "reports.cost_metric: Input should be 'UnblendedCost' or 'AmortizedCost'",
    ),
    (
        "report e-mail",
        _with("reports", {"summary_emails": ["finance@"]}),
        "reports.summary_emails[0]: 'finance@' is not an e-mail address",
    ),
    (
        "not inf2",
        _with("endpoints.0.instance_type", "ml.g5.2xlarge"),
        "endpoints[0].instance_type: 'ml.g5.2xlarge' is not an Inferentia2 type; use one of ml.inf2.xlarge, "
        "ml.inf2.8xlarge, ml.inf2.24xlarge, ml.inf2.48xlarge",
    ),
    (
        "unknown instance",
        _with("endpoints.0.instance_type", "ml.inf2.4xlarge"),
        "endpoints[0].instance_type: 'ml.inf2.4xlarge' is not an Inferentia2 type",
    ),
    (
        "tp above cores",
        _with("endpoints.0.tensor_parallel_degree", 4),
        "endpoints[0].tensor_parallel_degree: 4 does not fit ml.inf2.xlarge (2 NeuronCores); use one of 1, 2 "
        "or a larger instance type",
    ),
    (
        "tp not accepted",
        {
            **_with("endpoints.0.tensor_parallel_degree", 3),
            "endpoints": [
                {**_base()["endpoints"][0], "instance_type": "ml.inf2.48xlarge", "tensor_parallel_degree": 3}
            ],
        },
        "endpoints[0].tensor_parallel_degree: 3 does not fit ml.inf2.48xlarge (24 NeuronCores); use one of 1, 2, 4, 8, 12, 24",
    ),
    (
        "70B bf16 on inf2.8xlarge",
        {
            **_base(),
            "endpoints": [
                {**_base()["endpoints"][0], "parameters_billion": 70.6, "instance_type": "ml.inf2.8xlarge"}
            ],
        },
        "endpoints[0].parameters_billion: 70.6B parameters in bf16 are 131.5 GiB of weights; with 20 % headroom they "
        "need 164.4 GiB of accelerator memory, but tensor_parallel_degree 2 on ml.inf2.8xlarge gives 32 GiB. "
        "Fits: ml.inf2.24xlarge with tensor_parallel_degree 12.",
    ),
    (
        "quantized on preset",
        _with("endpoints.0.precision", "int8"),
        "endpoints[0].precision: int8 weight quantization is not supported by preset 'hf-vllm-neuron'",
    ),
    (
        "unknown precision",
        _with("endpoints.0.precision", "fp4"),
        "endpoints[0].precision: Input should be 'bf16', 'fp16', 'int8' or 'fp8'",
    ),
    (
        "min above initial",
        _with("endpoints.0.instances", {"initial": 1, "min": 2, "max": 3}),
        "endpoints[0].instances: need min <= initial <= max, got min=2, initial=1, max=3",
    ),
    (
        "initial above max",
        _with("endpoints.0.instances", {"initial": 4, "min": 1, "max": 3}),
        "endpoints[0].instances: need min <= initial <= max, got min=1, initial=4, max=3",
    ),
    (
        "timeout too long",
        _with("endpoints.0.timeouts", {"startup_health_check_seconds": 7200}),
        "endpoints[0].timeouts.startup_health_check_seconds: 7200 is outside SageMaker's allowed range 60-3600 seconds",
    ),
    (
        "timeout too short",
        _with("endpoints.0.timeouts", {"model_download_seconds": 10}),
        "endpoints[0].timeouts.model_download_seconds: 10 is outside SageMaker's allowed range 60-3600 seconds",
    ),
    (
        "cron with five fields",
        _with(
            "endpoints.0.off_hours",
            {"scale_down_cron": "cron(0 20 * * 1-5)", "scale_up_cron": "cron(0 7 ? * MON-FRI *)"},
        ),
        "endpoints[0].off_hours.scale_down_cron: 'cron(0 20 * * 1-5)' has 5 fields; AWS cron needs six",
    ),
    (
        "cron without cron()",
        _with(
            "endpoints.0.off_hours",
            {"scale_down_cron": "0 20 ? * MON-FRI *", "scale_up_cron": "cron(0 7 ? * MON-FRI *)"},
        ),
        "endpoints[0].off_hours.scale_down_cron: '0 20 ? * MON-FRI *' must look like cron(0 20 ? * MON-FRI *)",
    ),
    (
        "cron both days",
        _with(
            "endpoints.0.off_hours",
            {"scale_down_cron": "cron(0 20 * * MON-FRI *)", "scale_up_cron": "cron(0 7 ? * MON-FRI *)"},
        ),
        "exactly one of day-of-month (3rd field) and day-of-week (5th field) must be '?'",
    ),
    (
        "bad time zone",
        _with(
            "endpoints.0.off_hours",
            {
                "scale_down_cron": "cron(0 20 ? * MON-FRI *)",
                "scale_up_cron": "cron(0 7 ? * MON-FRI *)",
                "time_zone": "Mars/Olympus",
            },
        ),
        "endpoints[0].off_hours.time_zone: 'Mars/Olympus' is not an IANA time zone name",
    ),
    (
        "off-hours zero",
        _with(
            "endpoints.0.off_hours",
            {
                "scale_down_cron": "cron(0 20 ? * MON-FRI *)",
                "scale_up_cron": "cron(0 7 ? * MON-FRI *)",
                "min_capacity": 0,
            },
        ),
        "endpoints[0].off_hours.min_capacity: 0 needs inference components (scale to zero)",
    ),
    (
        "off-hours above min",
        _with(
            "endpoints.0.off_hours",
            {
                "scale_down_cron": "cron(0 20 ? * MON-FRI *)",
                "scale_up_cron": "cron(0 7 ? * MON-FRI *)",
                "min_capacity": 3,
            },
        ),
        "endpoints[0].off_hours.min_capacity: 3 is above instances.min 1",
    ),
    (
        "invocations without target",
        _with("endpoints.0.autoscaling", {"metric": "invocations_per_instance"}),
        "endpoints[0].autoscaling: metric invocations_per_instance needs an explicit target",
    ),
    (
        "custom without image",
        _with("endpoints.0.container", {"preset": "custom"}),
        "endpoints[0].container: preset 'custom' needs image_uri",
    ),
    (
        "custom image not ECR",
        _with("endpoints.0.container", {"preset": "custom", "image_uri": "docker.io/me/img:1"}),
        "endpoints[0].container: image_uri 'docker.io/me/img:1' is not an ECR image URI",
    ),
    (
        "image on preset",
        _with("endpoints.0.container", {"image_uri": "1.dkr.ecr.us-east-1.amazonaws.com/x:1"}),
        "endpoints[0].container: image_uri is only for preset 'custom'",
    ),
    (
        "token in environment",
        _with("endpoints.0.container", {"environment": {"HF_TOKEN": "hf_abc"}}),
        "endpoints[0].container.environment: 'HF_TOKEN' is named like a credential: secrets must not be in the "
        "config or the template; store it in Secrets Manager (for the Hugging Face token: hf_token_secret_name)",
    ),
    (
        "baseline not GPU",
        _with("endpoints.0.baseline", {"instance_type": "ml.inf2.xlarge"}),
        "endpoints[0].baseline.instance_type: 'ml.inf2.xlarge' is not a GPU baseline in the catalog; use one of",
    ),
    (
        "capacity ratio zero",
        _with("endpoints.0.baseline", {"capacity_ratio": 0}),
        "endpoints[0].baseline.capacity_ratio: Input should be greater than or equal to 0.01",
    ),
    (
        "artifacts not s3",
        _with("endpoints.0.precompiled_artifacts_s3_uri", "https://bucket/x"),
        "endpoints[0].precompiled_artifacts_s3_uri: String should match pattern",
    ),
    (
        "unknown field",
        _with("endpoints.0.tensor_parallel", 2),
        "endpoints[0].tensor_parallel: Extra inputs are not permitted",
    ),
    ("bad project name", _with("project", "my project"), "project: String should match pattern"),
    ("no endpoints", {"project": "p", "endpoints": []}, "endpoints: List should have at least 1 item"),
    (
        "duplicate names",
        {**_base(), "endpoints": _base()["endpoints"] * 2},
        "(top level): endpoint names must be unique ignoring case (SageMaker names are case-insensitive); "
        "repeated: e",
    ),
    ("bad account", _with("env", {"account": "12345"}), "env.account: String should match pattern"),
    (
        "budget zero",
        _with("budget", {"monthly_limit_usd": 0}),
        "budget.monthly_limit_usd: Input should be greater than 0",
    ),
    (
        "threshold above 1000",
        _with("budget", {"actual_thresholds_percent": [50, 1200]}),
        "budget.actual_thresholds_percent[1]: Input should be less than or equal to 1000",
    ),
    (
        "threshold zero",
        _with("budget", {"forecast_threshold_percent": 0}),
        "budget.forecast_threshold_percent: Input should be greater than 0",
    ),
    (
        "bad e-mail",
        _with("budget", {"alert_emails": ["ops.example.com"]}),
        "budget.alert_emails[0]: 'ops.example.com' is not an e-mail address like team@example.com",
    ),
    (
        "anomaly threshold zero",
        _with("budget", {"anomaly_threshold_usd": 0}),
        "budget.anomaly_threshold_usd: Input should be greater than 0",
    ),
    (
        "floor above min",
        _with(
            "budget",
            {"monthly_limit_usd": 10000, "breach_switch": {"enabled": True, "floor_instance_count": 2}},
        ),
        "budget.breach_switch.floor_instance_count: 2 is above endpoints[0].instances.min 1",
    ),
    (
        "size the Neuron cache lacks",
        _with("endpoints.0.batch_size", 16),
        "endpoints[0].model_id: Qwen/Qwen3-8B at batch 16 / seq 4096 / tp 2 / bf16 is not in the Hugging Face "
        "Neuron cache for optimum-neuron 0.4.5 (snapshot 2026-11-28)",
    ),
    (
        "TGI cannot compile at start-up",
        {
            **_base(),
            "endpoints": [
                {
                    **_base()["endpoints"][0],
                    "container": {"preset": "hf-tgi-neuron"},
                    "compile_at_startup": True,
                }
            ],
        },
        "endpoints[0].compile_at_startup: TGI-neuron (optimum-neuron 0.0.28) has no flag to compile",
    ),
    (
        "compile at start-up on a 16 GiB host",
        _with("endpoints.0.compile_at_startup", True),
        "endpoints[0].compile_at_startup: ml.inf2.xlarge has 16 GiB of host memory; compiling needs at least 128 GiB",
    ),
    (
        "compile at start-up with a short health check",
        {
            **_base(),
            "endpoints": [
                {
                    **_base()["endpoints"][0],
                    "instance_type": "ml.inf2.8xlarge",
                    "compile_at_startup": True,
                    "timeouts": {"startup_health_check_seconds": 1800},
                }
            ],
        },
        "endpoints[0].compile_at_startup: timeouts.startup_health_check_seconds 1800 leaves too little time",
    ),
    (
        "image version outside the snapshot",
        _with(
            "endpoints.0.container", {"version": "0.11.0-optimum0.4.4-neuronx-py310-sdk2.26.0-ubuntu22.04"}
        ),
        "endpoints[0].container.version: optimum-neuron 0.4.4 (tag '0.11.0-optimum0.4.4-neuronx-py310-sdk2.26.0-"
        "ubuntu22.04') is not in the bundled Neuron cache snapshot of 2026-11-28 (it has 0.0.28, 0.4.5)",
    ),
    (
        "compile flag smuggled in through environment",
        _with("endpoints.0.container", {"environment": {"SM_ON_ALLOW_NON_CACHED_MODEL": ""}}),
        "endpoints[0].container.environment: SM_ON_ALLOW_NON_CACHED_MODEL bypasses the Neuron cache check",
    ),
    (
        "image tag without an optimum version",
        _with("endpoints.0.container", {"version": "latest"}),
        "endpoints[0].container.version: tag 'latest' names no optimum-neuron version (optimum<x.y.z>)",
    ),
]


@pytest.mark.parametrize(("case", "raw", "message"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_bad_config_fails_with_field_and_fix(case: str, raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, source="infersave.yaml")
    assert any(message in problem for problem in caught.value.problems), (case, caught.value.problems)
    assert "infersave.yaml has" in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    raw = _with("endpoints.0.instance_type", "ml.g5.2xlarge")
    raw["endpoints"][0]["baseline"] = {"instance_type": "ml.inf2.xlarge"}
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    assert len(caught.value.problems) == 2


def test_70b_bf16_fits_where_the_message_says() -> None:
    raw = {
        **_base(),
        "endpoints": [
            {
                **_base()["endpoints"][0],
                "parameters_billion": 70.6,
                "instance_type": "ml.inf2.48xlarge",
                "tensor_parallel_degree": 12,
                "precompiled_artifacts_s3_uri": "s3://bucket-a/70b-tp12/",  # not in the Neuron cache
            }
        ],
    }
    config = parse_config(raw)
    # 70.6e9 x 2 B / 2^30 = 131.50 GiB of weights
    assert round(config.endpoints[0].weights_gib, 2) == Decimal("131.50")


def test_default_config_is_valid_and_missing_file_is_named(tmp_path: Path) -> None:
    config = load_config(ROOT / "infersave.yaml")
    assert config.project == "demo-llm"
    with pytest.raises(ConfigError, match=r"does not exist; pass -c config=PATH"):
        load_config(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("project: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)
    broken.write_text(yaml.safe_dump(["a", "list"]))
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(broken)


def test_defaults_derive_from_artifacts() -> None:
    without = parse_config(_base()).endpoints[0]
    with_artifacts = parse_config(
        _with("endpoints.0.precompiled_artifacts_s3_uri", "s3://bucket-a/p/")
    ).endpoints[0]
    assert without.startup_health_check_seconds == 3600
    assert with_artifacts.startup_health_check_seconds == 1200
    # 8e9 x 2 B = 16 GB -> 3 x 16 + 32 = 80 GB
    assert without.default_volume_size_gb == 80


def test_uncached_size_names_the_nearest_cached_ones_and_the_ways_out() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_with("endpoints.0.model_id", "Qwen/Qwen2.5-7B-Instruct"))
    (problem,) = caught.value.problems
    assert problem == (
        "endpoints[0].model_id: Qwen/Qwen2.5-7B-Instruct at batch 4 / seq 4096 / tp 2 / bf16 is not in the Hugging "
        'Face Neuron cache for optimum-neuron 0.4.5 (snapshot 2026-11-28), so the container would stop with "No '
        'cached version found" after the start-up wait. Nothing is cached for Qwen/Qwen2.5-7B-Instruct in this '
        "version. Cached at batch 4 / seq 4096 / tp 2 / bf16: Qwen/Qwen3-0.6B, Qwen/Qwen3-1.7B, Qwen/Qwen3-8B, "
        "ibm-granite/granite-3.1-2b-instruct, microsoft/Phi-3-mini-4k-instruct. Fix: use cached sizes; or "
        "precompile with `make compile ENDPOINT=e` and set precompiled_artifacts_s3_uri; or compile_at_startup, "
        "which cannot work here: ml.inf2.xlarge has 16 GiB of host memory; compiling needs at least 128 GiB (Hugging "
        "Face's cache builder compiles on inf2.8xlarge; smaller hosts had their compilations killed)"
    )


def test_same_model_other_sizes_are_listed() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_with("endpoints.0.batch_size", 16))
    assert (
        "Cached for Qwen/Qwen3-8B: batch 1 / seq 4096 / tp 2 / bf16; batch 4 / seq 4096 / tp 2 / bf16; batch 8 / "
        "seq 4096 / tp 2 / bf16; batch 1 / seq 4096 / tp 8 / bf16; batch 32 / seq 4096 / tp 8 / bf16."
    ) in caught.value.problems[0]


def test_ways_past_the_cache_check() -> None:
    uncached = {**_base()["endpoints"][0], "model_id": "Qwen/Qwen2.5-7B-Instruct"}
    ok = [
        # compile at start-up on a host that can compile, a 7B model, the full health check
        {**uncached, "instance_type": "ml.inf2.8xlarge", "compile_at_startup": True},
        {**uncached, "precompiled_artifacts_s3_uri": "s3://bucket-a/qwen25/"},
        # the same model is cached for TGI's optimum-neuron 0.0.28
        {**uncached, "container": {"preset": "hf-tgi-neuron"}},
        {
            **uncached,
            "container": {
                "preset": "custom",
                "image_uri": "111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1",
            },
        },
    ]
    for endpoint in ok:
        parse_config({**_base(), "endpoints": [endpoint]})


def test_compile_at_startup_is_refused_above_10b_and_with_artifacts() -> None:
    big = {
        **_base()["endpoints"][0],
        "model_id": "Qwen/Qwen2.5-14B",
        "parameters_billion": 14.8,
        "instance_type": "ml.inf2.24xlarge",
        "tensor_parallel_degree": 4,
        "compile_at_startup": True,
    }
    with pytest.raises(
        ConfigError, match=r"14.8B parameters; Neuron compilation of large models takes 30-60"
    ):
        parse_config({**_base(), "endpoints": [big]})
    both = {
        **_base()["endpoints"][0],
        "compile_at_startup": True,
        "precompiled_artifacts_s3_uri": "s3://bucket-a/p/",
    }
    with pytest.raises(ConfigError, match="precompiled artifacts are served as they are"):
        parse_config({**_base(), "endpoints": [both]})
