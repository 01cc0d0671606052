"""Hostile and odd config input: a ``field: problem; fix`` line or a valid config, never a traceback (issue 9)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stacks.config import ConfigError, load_config, parse_config

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1"  # custom image: no Neuron cache rules apply
BASE: dict[str, Any] = {
    "project": "p",
    "budget": {"monthly_limit_usd": 100_000, "alert_emails": ["ops@example.com"]},
    "endpoints": [
        {
            "name": "e",
            "model_id": "org/model",
            "parameters_billion": 8,
            "container": {"preset": "custom", "image_uri": IMAGE},
        }
    ],
}


def config(**changes: Any) -> dict[str, Any]:
    """BASE with dotted paths (``endpoints.0.tags``) set to the given values."""
    raw = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node: Any = raw
        *parents, last = dotted.split("__")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        node[last] = value
    return raw


def problems(raw: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return caught.value.problems


def test_the_base_is_valid() -> None:
    parse_config(BASE)


# --- the file --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"project: p\nproject: q\n",
            "(file): not valid YAML: key 'project' appears twice in the same mapping",
        ),
        (b"project: \xff\xfe\n", "(file): byte 9 is not UTF-8; save the file as UTF-8"),
        (b"", "(top level): expected a mapping"),
        (b"- a\n- b\n", "(top level): expected a mapping"),
        (b"project: [unclosed\n", "(file): not valid YAML"),
        (b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "(file): "),
        (b"x" * (1024 * 1024 + 1), "(file): 1,048,577 bytes is more than a config needs"),
        (b"!!python/object:os.system {}\n", "(file): not valid YAML"),
    ],
)
def test_a_file_that_cannot_be_a_config_says_why(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(content)

    with pytest.raises(ConfigError) as caught:
        load_config(path)

    assert caught.value.problems[0].startswith(expected)


def test_a_directory_is_not_a_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a regular file"):
        load_config(tmp_path)


def test_a_repeated_key_deep_in_the_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("project: p\nendpoints:\n  - name: a\n    name: b\n", encoding="utf-8")

    with pytest.raises(ConfigError, match=r"key 'name' appears twice .* line 4"):
        load_config(path)


# --- fields AWS would refuse at deploy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {**BASE, "endpoints": [*BASE["endpoints"], {**BASE["endpoints"][0], "name": "E"}]},
            "(top level): endpoint names must be unique ignoring case",
        ),
        (config(tags={"team": "a;b"}), "tags: tag 'team': 'a;b': AWS accepts letters, numbers"),
        (config(endpoints__0__tags={"k\u0000": "v"}), "endpoints[0].tags: tag"),
        (
            config(tags={f"k{i}": "v" for i in range(46)}),
            "tags: 46 tags; AWS allows 50 per resource",
        ),
        (
            config(
                endpoints__0__artifacts_kms_key_arn="alias/mine",
                endpoints__0__precompiled_artifacts_s3_uri="s3://bkt/p/",
            ),
            "endpoints[0].artifacts_kms_key_arn: String should match pattern",
        ),
        (
            config(endpoints__0__artifacts_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/abcd"),
            "endpoints[0].artifacts_kms_key_arn: set without precompiled_artifacts_s3_uri",
        ),
        (
            config(
                endpoints__0__container={
                    "preset": "custom",
                    "image_uri": IMAGE,
                    "environment": {"X": "hf_" + "a" * 34},
                }
            ),
            "endpoints[0].container.environment: the value of 'X' looks like a Hugging Face token",
        ),
        (
            config(
                endpoints__0__container={
                    "preset": "custom",
                    "image_uri": IMAGE,
                    "environment": {"K": "AKIAABCDEFGHIJKLMNOP"},
                }
            ),
            "looks like an AWS access key id",
        ),
        (
            config(
                endpoints__0__container={
                    "preset": "custom",
                    "image_uri": IMAGE,
                    "environment": {"DB_PASSWORD": "x"},
                }
            ),
            "'DB_PASSWORD' is named like a credential",
        ),
        (
            config(
                endpoints__0__container={"preset": "custom", "image_uri": IMAGE, "environment": {"1X": "v"}}
            ),
            "names are letters, digits and _",
        ),
        (
            config(
                endpoints__0__container={
                    "preset": "custom",
                    "image_uri": IMAGE,
                    "environment": {f"V{i}": "v" for i in range(101)},
                }
            ),
            "101 variables; SageMaker accepts at most 100",
        ),
        (config(budget__alert_emails=["a@example.com", "A@example.com"]), "'A@example.com' is listed twice"),
        (
            config(reports__summary_emails=["a@example.com", "a@example.com"]),
            "reports.summary_emails: 'a@example.com' is listed twice",
        ),
        (
            config(endpoints__0__instances={"initial": 1, "min": 1, "max": 10**9}),
            "endpoints[0].instances.max: Input should be less than or equal to 1000",
        ),
        (
            config(budget__monthly_limit_usd="1e30"),
            "budget.monthly_limit_usd: Input should be less than or equal to",
        ),
        (config(budget__monthly_limit_usd="NaN"), "budget.monthly_limit_usd:"),
        (config(budget__anomaly_threshold_usd="Infinity"), "budget.anomaly_threshold_usd:"),
        (config(endpoints__0__autoscaling={"target": float("inf")}), "endpoints[0].autoscaling.target:"),
        (config(endpoints__0__parameters_billion="1e400"), "endpoints[0].parameters_billion:"),
        (config(endpoints__0__baseline={"capacity_ratio": "1e-30"}), "greater than or equal to 0.01"),
    ],
)
def test_a_value_aws_would_refuse_is_a_field_error(raw: dict[str, Any], expected: str) -> None:
    found = problems(raw)

    assert any(p.startswith(expected) or expected in p for p in found), found


# --- the invariant, over generated input -------------------------------------------------------------------------

PATHS = [
    "project", "env", "env__region", "env__account", "tags", "endpoints", "endpoints__0", "endpoints__0__name",
    "endpoints__0__model_id", "endpoints__0__parameters_billion", "endpoints__0__precision",
    "endpoints__0__container", "endpoints__0__container__environment", "endpoints__0__container__preset",
    "endpoints__0__container__version", "endpoints__0__instance_type", "endpoints__0__tensor_parallel_degree",
    "endpoints__0__batch_size", "endpoints__0__max_sequence_length", "endpoints__0__instances",
    "endpoints__0__instances__max", "endpoints__0__autoscaling", "endpoints__0__off_hours",
    "endpoints__0__precompiled_artifacts_s3_uri", "endpoints__0__timeouts", "endpoints__0__volume_size_gb",
    "endpoints__0__baseline", "endpoints__0__baseline__capacity_ratio", "endpoints__0__tags", "budget",
    "budget__monthly_limit_usd", "budget__actual_thresholds_percent", "budget__alert_emails",
    "budget__breach_switch", "alarms", "reports", "reports__time_zone", "reports__daily_cron",
]  # fmt: skip
_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(
        ["inf", "NaN", "1e999", "ml.inf2.xlarge", "cron(0 0 * * ? *)", "Europe/Berlin", "a@b.co"]
    ),
)
_values = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _put(raw: dict[str, Any], dotted: str, value: Any) -> None:
    node: Any = raw
    *parents, last = dotted.split("__")
    for part in parents:
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.setdefault(part, {})
        if not isinstance(node, dict | list):
            return
    if isinstance(node, dict):
        node[last] = value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), _values), min_size=1, max_size=3))
def test_any_input_gives_a_config_or_field_errors_never_a_traceback(changes: list[tuple[str, Any]]) -> None:
    raw = copy.deepcopy(BASE)
    for dotted, value in changes:
        _put(raw, dotted, value)
    try:
        parse_config(raw)
    except ConfigError as exc:
        assert exc.problems
        assert all(": " in problem for problem in exc.problems)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_file_gives_a_config_or_field_errors_never_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("cfg") / "c.yaml"
    path.write_bytes(data)
    try:
        load_config(path)
    except ConfigError as exc:
        assert exc.problems


def test_project_and_endpoint_tags_together_must_fit_one_resource() -> None:
    # 30 + 15 distinct keys pass each map's check, but all land on the endpoint beside infersave's 5 (+7 guard)
    raw = config(tags={f"p{i}": "v" for i in range(30)}, endpoints__0__tags={f"e{i}": "v" for i in range(15)})
    parse_config(raw)  # 45 + 5 <= 50 without the breach switch
    raw["budget"]["breach_switch"] = {"enabled": True, "threshold_percent": 100, "floor_instance_count": 1}

    assert any(
        p.startswith("endpoints[0].tags: with the project's tags this endpoint carries 45 tags of yours")
        for p in problems(raw)
    )


def test_measured_token_tags_count_against_the_limit() -> None:
    raw = config(tags={f"p{i}": "v" for i in range(30)}, endpoints__0__tags={f"e{i}": "v" for i in range(15)})
    raw["endpoints"][0]["baseline"] = {"input_tokens_per_request": "812.5"}

    assert any("carries 45 tags of yours and up to 6 of infersave's (6," in p for p in problems(raw))


@pytest.mark.parametrize("source", ["measured", "measured:2026-13-01", "measured:yesterday", "Assumed"])
def test_capacity_ratio_source_is_assumed_or_a_measured_date(source: str) -> None:
    raw = config()
    raw["endpoints"][0]["baseline"] = {"capacity_ratio_source": source}

    assert any(p.startswith("endpoints[0].baseline") and "capacity_ratio_source" in p for p in problems(raw))
