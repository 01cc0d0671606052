"""Calibration parts without AWS: the request mix, the rate search, the result's config fields, the config edit,
the cost bound and the --yes gate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.calibrate import command
from ops.calibrate.measure import Objective, RequestResult, SearchPlan, next_rate, summarize
from ops.calibrate.mix import DEFAULT_TRACE, MixError, load_mix
from ops.calibrate.result import measured_fields
from ops.config_edit import ConfigEditError, set_baseline_fields, write_baseline_fields
from stacks.config import parse_config
from tests.conftest import ROOT

HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens\n"


def test_default_trace_is_the_shipped_copy_and_sampling_is_seeded() -> None:
    mix = load_mix(max_input_tokens=2048, max_total_tokens=4096)

    assert DEFAULT_TRACE.name == "AzureLLMInferenceTrace_conv.csv"
    assert mix.source == "Azure LLM inference trace 2023 (CC-BY 4.0)"
    assert len(mix.rows) + mix.skipped_too_long == 19_366
    assert all(r.input_tokens <= 2048 and r.input_tokens + r.output_tokens <= 4096 for r in mix.rows)
    assert mix.sample(50, seed=4) == mix.sample(50, seed=4) != mix.sample(50, seed=5)


def test_bad_rows_are_reported_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(HEADER + "t,10,5\nt,ten,5\nt,0,5\n", encoding="utf-8")

    with pytest.raises(MixError) as caught:
        load_mix(path, max_input_tokens=100, max_total_tokens=200)

    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"{path}:3: ") and lines[0].endswith("fix the row")
    assert lines[1].startswith(f"{path}:4: token counts 0, 5 outside")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a,b\n1,2\n", ":1: header ['a', 'b'] lacks ContextTokens, GeneratedTokens"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_file_that_is_no_trace_is_refused(tmp_path: Path, content: str | bytes, expected: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())

    with pytest.raises(MixError) as caught:
        load_mix(path, max_input_tokens=100, max_total_tokens=200)
    assert expected in str(caught.value)


def test_search_doubles_then_bisects_to_the_tolerance() -> None:
    plan = SearchPlan(start_rps=1.0, tolerance=0.05)

    assert next_rate(plan, [], []) == 1.0
    assert next_rate(plan, [1.0, 2.0], []) == 4.0
    assert next_rate(plan, [1.0, 2.0], [4.0]) == pytest.approx(2.8284, rel=1e-4)
    assert next_rate(plan, [1.0, 2.0, 2.9], [3.0]) is None


def _request(send: float, first: float, gap: float, tokens: int = 3) -> RequestResult:
    return RequestResult(
        send_s=send, token_times_s=[first + i * gap for i in range(tokens)], output_tokens=tokens
    )


def test_a_level_that_keeps_up_meets_the_objective_and_one_that_lags_does_not() -> None:
    objective = Objective(ttft_p90_s=1.0, itl_p90_s=0.2)
    kept_up = [_request(i * 1.0, i * 1.0 + 0.5, 0.1) for i in range(10)]
    lagging = [_request(i * 1.0, i * 1.0 + 0.5 + i * 0.1, 0.1) for i in range(10)]
    failed = [*kept_up[:-1], RequestResult(send_s=9.0, error="ModelError: boom")]

    good = summarize(kept_up, offered_rps=1.0, repeat=0, objective=objective, instances=2)
    assert good.meets_objective
    assert good.achieved_rps == pytest.approx(0.5)  # 9 gaps in 9 s, per instance of 2
    assert good.as_json()["ttft_s"]["p90"] == pytest.approx(0.5)
    assert not summarize(lagging, offered_rps=1.0, repeat=0, objective=objective, instances=1).meets_objective
    assert summarize(failed, offered_rps=1.0, repeat=0, objective=objective, instances=1).errors == 1


def test_measured_fields_round_and_bound_the_ratio() -> None:
    document = {"capacity_ratio": 1.41423, "date": "2026-11-28",
                "request_mix": {"mean_input_tokens": 616.25, "mean_output_tokens": 253.94}}  # fmt: skip

    assert measured_fields(document) == {
        "capacity_ratio": "1.41",
        "capacity_ratio_source": "measured:2026-11-28",
        "input_tokens_per_request": "616.3",
        "output_tokens_per_request": "253.9",
    }
    assert measured_fields({**document, "capacity_ratio": 500.0})["capacity_ratio"] == "100"
    assert measured_fields({**document, "capacity_ratio": None}) == {}


FIELDS = {"capacity_ratio": "1.41", "capacity_ratio_source": "measured:2026-11-28"}


def test_config_edit_keeps_comments_and_validates(tmp_path: Path) -> None:
    path = tmp_path / "infersave.yaml"
    path.write_text((ROOT / "infersave.yaml").read_text(encoding="utf-8"), encoding="utf-8")

    write_baseline_fields(path, "zephyr-7b", FIELDS)

    text = path.read_text(encoding="utf-8")
    assert text.startswith("# infersave config: the one file you edit.")
    zephyr = next(e for e in parse_config(yaml.safe_load(text)).endpoints if e.name == "zephyr-7b")
    assert str(zephyr.baseline.capacity_ratio) == "1.41"
    assert zephyr.baseline.capacity_ratio_source == "measured:2026-11-28"
    assert "# 4 x A10G, as many accelerators" in text


def test_config_edit_adds_a_baseline_block_and_refuses_flow_style() -> None:
    text = "project: p\nendpoints:\n  - name: a\n    model_id: x\n    parameters_billion: 7\n"

    assert set_baseline_fields(text, "a", {"capacity_ratio": "2"}).endswith(
        "    baseline:\n      capacity_ratio: 2\n"
    )
    with pytest.raises(ConfigEditError, match="on one line"):
        set_baseline_fields(
            text + "    baseline: {instance_type: ml.g5.2xlarge}\n", "a", {"capacity_ratio": "2"}
        )


def test_config_edit_leaves_the_file_when_it_would_not_validate(tmp_path: Path) -> None:
    path = tmp_path / "infersave.yaml"
    original = (ROOT / "infersave.yaml").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")

    with pytest.raises(ConfigEditError, match="would not validate"):
        write_baseline_fields(path, "zephyr-7b", {"capacity_ratio": "0"})
    assert path.read_text(encoding="utf-8") == original


def test_cost_bound_is_the_baseline_price_times_the_time_bound() -> None:
    # ml.g5.2xlarge at USD 1.515/h x (30 min + 30 min allowance) = 1.515; the default 45 min: x 1.25 = 1.89
    assert command.cost_bound_usd("ml.g5.2xlarge", 30) == (Decimal("1.515"), Decimal("1.52"))


def test_without_yes_it_prints_the_bound_and_stops(capsys: pytest.CaptureFixture[str]) -> None:
    status = command.main(["--endpoint", "qwen3-8b", "--config", str(ROOT / "infersave.yaml")])

    out, err = capsys.readouterr()
    assert status == 2
    assert "cost bound: ml.g5.2xlarge at USD 1.515/h" in out and "= USD 1.89" in out
    assert "--yes" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--endpoint", "nope"], "--endpoint nope is not in the config; use one of qwen3-8b, zephyr-7b"),
        (["--endpoint", "qwen3-8b", "--requests", "1"], "--requests: 1 is outside 2..10000"),
        (["--endpoint", "qwen3-8b", "--virtual-time", "--yes"], "--virtual-time needs the emulator"),
    ],
)
def test_bad_input_exits_2_with_the_reason(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)

    assert command.main([*args, "--config", str(ROOT / "infersave.yaml")]) == 2
    assert message in capsys.readouterr().err


def test_wait_in_service_polls_until_in_service() -> None:
    answers = iter(["Creating", "Creating", "InService"])
    slept: list[float] = []

    class FakeSageMaker:
        def describe_endpoint(self, **_: Any) -> dict[str, Any]:
            return {"EndpointStatus": next(answers),
                    "ProductionVariants": [{"VariantName": "AllTraffic", "CurrentInstanceCount": 2}]}  # fmt: skip

    assert command.wait_in_service(FakeSageMaker(), "e", local=False, sleep=slept.append) == 2
    assert slept == [15.0, 30.0]


def test_a_model_the_baseline_gpu_cannot_hold_is_refused_before_any_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "infersave.yaml").read_text(encoding="utf-8")
    path = tmp_path / "big.yaml"
    path.write_text(text.replace("parameters_billion: 8.19", "parameters_billion: 13", 1), encoding="utf-8")

    assert command.main(["--endpoint", "qwen3-8b", "--config", str(path), "--yes"]) == 2

    out, err = capsys.readouterr()
    assert "cost bound" not in out
    assert err.startswith("calibrate: endpoints[0].baseline.instance_type: 24.2 GiB of weights need 30.3 GiB")
    assert err.rstrip().endswith(
        "set baseline.instance_type to one that holds it, e.g. ml.g6e.xlarge (48 GiB)"
    )
