"""What the demo shows of a report: the savings table, the budget state; and the in-process environment."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from demo.report import BudgetState, patched_environ, savings_table


def document() -> dict[str, object]:
    line = {
        "endpoint_name": "demo-a",
        "instance_type": "ml.inf2.xlarge",
        "instance_hours": 60.0,
        "actual_cost": 60.53,
        "baseline_instance_type": "ml.g5.2xlarge",
        "capacity_ratio": 1.0,
        "baseline_cost": 92.03,
        "savings": 31.5,
        "savings_pct": 34.23,
        "invocations": 12000,
        "cost_per_1k_invocations": 5.0442,
    }
    totals = {
        "actual_cost": 60.53,
        "baseline_cost": 92.03,
        "savings": 31.5,
        "savings_pct": 34.23,
        "instance_hours": 60.0,
        "invocations": 12000,
    }
    return {"currency": "USD", "endpoints": [line], "totals": totals}


def test_savings_table_has_a_row_per_endpoint_and_the_total() -> None:
    lines = savings_table(document()).splitlines()
    assert lines[0].split()[:3] == ["endpoint", "instance", "hours"]
    assert "demo-a" in lines[2] and "31.50" in lines[2] and "34.23%" in lines[2]
    assert lines[-1].startswith("TOTAL") and "92.03" in lines[-1] and "12,000" in lines[-1]


def test_budget_state_names_the_crossed_actual_thresholds() -> None:
    state = BudgetState(
        name="infersave-demo",
        limit_usd=Decimal(10000),
        actual_usd=Decimal("8943.61"),
        thresholds=[
            ("ACTUAL", Decimal(50)),
            ("ACTUAL", Decimal(80)),
            ("ACTUAL", Decimal(100)),
            ("FORECASTED", Decimal(100)),
        ],
    )
    assert state.used_pct == Decimal("89.4361")
    assert state.crossed() == [Decimal(50), Decimal(80)]
    text = state.render()
    assert "89.4 %" in text
    assert text.count("CROSSED") == 2


def test_patched_environ_restores_what_was_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEPT", "before")
    monkeypatch.delenv("ADDED", raising=False)
    with patched_environ({"KEPT": "during", "ADDED": "during"}):
        assert os.environ["KEPT"] == os.environ["ADDED"] == "during"
    assert os.environ["KEPT"] == "before"
    assert "ADDED" not in os.environ
