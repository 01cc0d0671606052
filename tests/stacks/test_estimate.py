"""The pre-deploy estimate against a hand-computed example."""

from __future__ import annotations

from decimal import Decimal

from lambdas.common.catalog import load_catalog
from stacks.config import parse_config
from stacks.estimate import budget_problems, estimate, main, render_table, usd
from tests.stacks.conftest import Synth


def _config(budget: int | None, min_instances: int = 2, max_instances: int = 4) -> dict[str, object]:
    return {
        "project": "p",
        "endpoints": [
            {
                "name": "a",
                "model_id": "Qwen/Qwen3-8B",  # cached at the default sizes (Neuron cache check)
                "parameters_billion": 8,
                "instance_type": "ml.inf2.xlarge",
                "instances": {"initial": min_instances, "min": min_instances, "max": max_instances},
                "baseline": {"instance_type": "ml.g5.12xlarge", "capacity_ratio": "0.5"},
            }
        ],
        "budget": {"monthly_limit_usd": budget} if budget else {},
    }


def test_hand_computed_example() -> None:
    # inf2.xlarge USD 0.99/h: 730 x 0.99 = 722.70 per instance-month -> min 2 = 1,445.40, max 4 = 2,890.80.
    # g5.12xlarge USD 7.09/h at ratio 0.5: 730 x 7.09 x 0.5 = 2,587.85 per inf2 instance -> 5,175.70 and 10,351.40.
    result = estimate(parse_config(_config(budget=2000)), load_catalog())
    row = result.endpoints[0]
    assert row.inf2_min_usd == Decimal("1445.40")
    assert row.inf2_max_usd == Decimal("2890.80")
    assert row.baseline_min_usd == Decimal("5175.700")
    assert row.baseline_max_usd == Decimal("10351.400")
    assert result.total_max_usd == Decimal("2890.80")
    errors, warnings = budget_problems(result)
    assert errors == []
    assert warnings == [
        "At max capacity the endpoints cost USD 2,890.80 a month, above the budget of USD 2,000.00; "
        "budget alerts (and the breach switch, if enabled) are what stops that."
    ]
    table = render_table(result)
    assert "USD 1,445.40" in table and "USD 10,351.40" in table


def test_min_capacity_above_budget_is_an_error_naming_the_field() -> None:
    errors, _ = budget_problems(estimate(parse_config(_config(budget=1000)), load_catalog()))
    assert errors == [
        "budget.monthly_limit_usd: USD 1,000.00 is below what the endpoints cost at min capacity "
        "(USD 1,445.40 a month); raise the budget or lower instances.min"
    ]


def test_no_budget_no_findings_and_unknown_baseline_price() -> None:
    raw = _config(budget=None)
    raw["endpoints"][0]["baseline"] = {"instance_type": "ml.g6e.xlarge"}  # type: ignore[index]
    result = estimate(parse_config(raw), load_catalog())
    assert budget_problems(result) == ([], [])
    assert result.endpoints[0].baseline_min_usd is None
    assert result.baseline_total("baseline_min_usd") is None
    assert usd(None) == "n/a"


def test_cli_prints_table_and_fails_on_error(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import yaml

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(_config(budget=1000)))
    assert main(["--config", str(path)]) == 1
    out = capsys.readouterr().out
    assert "demo" not in out and "p-a" in out and "error: budget.monthly_limit_usd" in out
    path.write_text(yaml.safe_dump(_config(budget=5000)))
    assert main(["--config", str(path)]) == 0


def test_scale_to_zero_has_a_minimum_of_zero(synth: Synth) -> None:
    result = estimate(synth.components_config, load_catalog())
    (row,) = result.endpoints
    assert row.min_instances == 0 and row.inf2_min_usd == 0
    assert "0..2" in render_table(result)
