"""Setting the artifacts URI in the YAML file; the export CLI check against the optimum-neuron 0.4.5 snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.config_edit import ConfigEditError, set_artifacts_uri, write_artifacts_uri
from ops.export_cli import ExportCliError, check_export_args, snapshot_commit
from stacks.config.neuron_snapshot import optimum_version

URI = "s3://demo-llm-neuron-123456789012-us-east-1/compiled/a/job/"
TEXT = """project: demo  # comment kept
endpoints:
  - name: a
    model_id: Qwen/Qwen2.5-7B-Instruct   # keep
    parameters_billion: 7.62
    precompiled_artifacts_s3_uri: s3://old-bucket/x/

  - name: b
    model_id: Qwen/Qwen2.5-7B-Instruct
    parameters_billion: 7.62
"""


def test_existing_uri_is_replaced_in_place_and_comments_stay() -> None:
    edited = set_artifacts_uri(TEXT, "a", URI)

    assert edited == TEXT.replace("s3://old-bucket/x/", URI)


def test_missing_uri_is_inserted_under_the_endpoint_only() -> None:
    edited = set_artifacts_uri(TEXT, "b", URI)

    assert edited.endswith(
        f"  - name: b\n    precompiled_artifacts_s3_uri: {URI}\n    model_id: Qwen/Qwen2.5-7B-Instruct\n"
        "    parameters_billion: 7.62\n"
    )
    assert "s3://old-bucket/x/" in edited


def test_flow_style_endpoint_is_left_to_the_user(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("project: demo\nendpoints: [{name: a, model_id: m, parameters_billion: 1}]\n")

    with pytest.raises(ConfigEditError, match=r"found 0; set precompiled_artifacts_s3_uri: .* by hand"):
        write_artifacts_uri(path, "a", URI)
    assert "precompiled" not in path.read_text()


def test_optimum_version_is_read_from_the_image_tag() -> None:
    assert optimum_version("0.11.0-optimum0.4.5-neuronx-py310-sdk2.26.1-ubuntu22.04") == "0.4.5"
    assert optimum_version("2.1.2-optimum0.0.28-neuronx-py310-ubuntu22.04") == "0.0.28"
    assert snapshot_commit("0.4.5") == "abf5985828e56167ab2e48c4d5e14a83e40b6370"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # Without a Neuron device --instance_type is required (require_instance_type in neuronx.py v0.4.5).
        (["--model", "m", "/out"], "the following arguments are required: --instance_type"),
        (["--model", "m", "--instance_type", "inf1", "/out"], "invalid choice: 'inf1'"),
        (["--model", "m", "--instance_type", "inf2", "--sequence_length", "4k", "/out"], "invalid int value"),
        (
            ["--model", "m", "--instance_type", "inf2", "--max_batch_size", "4", "/out"],
            "unrecognized arguments",
        ),
        (["--model", "m", "--instance_type", "inf2", "-O1", "-O3", "/out"], "not allowed with argument"),
    ],
)
def test_export_arguments_the_image_would_refuse_are_refused(args: list[str], message: str) -> None:
    with pytest.raises(ExportCliError, match=message):
        check_export_args("0.4.5", args)


def test_instance_type_is_optional_on_a_neuron_host() -> None:
    assert check_export_args("0.4.5", ["--model", "m", "/out"], neuron_device=True).instance_type is None
