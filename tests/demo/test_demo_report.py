"""What the demo shows of a report (the savings table, the budget state, the emulator's gaps) and how it runs
the handler: in a child process under exactly the deployed function's environment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from demo import report
from demo.local_aws import LocalAwsError
from demo.report import BudgetState, DeployedFunction, emulator_gaps, savings_table

FUNCTION = DeployedFunction(
    name="infersave-demo-reporter",
    arn="arn:aws:lambda:eu-west-1:123456789012:function:infersave-demo-reporter",
    handler="tests.demo.lambda_fixture.handler",
    environment={"POWERTOOLS_SERVICE_NAME": "cost-reporter", "REPORTS_BUCKET": "reports"},
    memory_mb=512,
    timeout_s=60,
)
URL = "http://localhost:4566"


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
        "cost_per_1m_output_tokens": 20.1767,
        "capacity_ratio_source": "measured",
        "capacity_ratio_measured_on": "2026-11-20",
        "idle_share": 0.25,
        "hours_at_zero": 48,
    }
    totals = {
        "actual_cost": 60.53,
        "baseline_cost": 92.03,
        "savings": 31.5,
        "savings_pct": 34.23,
        "instance_hours": 60.0,
        "invocations": 12000,
        "idle_cost": 15.0,
    }
    return {"currency": "USD", "endpoints": [line], "totals": totals}


def test_savings_table_has_a_row_per_endpoint_and_the_total() -> None:
    lines = savings_table(document()).splitlines()
    assert lines[0].split()[:3] == ["endpoint", "instance", "hours"]
    assert "demo-a" in lines[2] and "31.50" in lines[2] and "34.23%" in lines[2]
    # schema 3: per 1M output tokens, ratio source, idle share and hours at zero
    assert lines[2].endswith("20.1767  measured 2026-11-20  25.00%, 48 h at 0")
    assert lines[-1].startswith("TOTAL") and "92.03" in lines[-1] and "12,000" in lines[-1]
    assert lines[-1].endswith("15.00 idle")


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


def test_emulator_gaps_are_named_only_when_their_warnings_are_there() -> None:
    price = {
        "endpoint_name": None,
        "message": "AWS Price List API unavailable (500); baseline prices from the catalog",
    }
    tags = {
        "endpoint_name": None,
        "message": "could not activate cost allocation tags ['infersave:project']: 500",
    }
    other = {"endpoint_name": "demo-a", "message": "no CloudWatch invocations"}
    assert emulator_gaps({"warnings": [price, other, tags]}) == [
        "the Price List API",
        "cost allocation tag activation",
    ]
    assert emulator_gaps({"warnings": [tags]}) == ["cost allocation tag activation"]
    assert emulator_gaps({"warnings": [other]}) == []


def test_the_handler_runs_in_a_child_process_under_the_deployed_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOT_FOR_THE_HANDLER", "leaked")
    result = report.invoke(FUNCTION, URL, tmp_path / "reporter.log")
    environment = result["environment"]
    environment.pop("LC_CTYPE", None)  # Python's own C-locale coercion (PEP 538) in the child
    assert environment == report.lambda_environment(FUNCTION, URL)
    assert environment["POWERTOOLS_SERVICE_NAME"] == "cost-reporter"
    assert environment["AWS_REGION"] == "eu-west-1"
    assert environment["AWS_ENDPOINT_URL"] == URL
    assert environment["AWS_ACCESS_KEY_ID"] == "testing"
    assert result["event"] == {"period": "previous_month"}
    assert result["function_name"] == FUNCTION.name
    assert result["remaining_ms"] == 60_000
    assert "a log line of the handler" in (tmp_path / "reporter.log").read_text(encoding="utf-8")


def test_today_pins_the_handlers_date(tmp_path: Path) -> None:
    result = report.invoke(FUNCTION, URL, tmp_path / "reporter.log", today=date(2026, 11, 28))
    assert result["today"] == "2026-11-28"


def test_a_failing_handler_raises_with_its_log(tmp_path: Path) -> None:
    with pytest.raises(LocalAwsError, match=r"exited with 1(.|\n)*the handler failed on purpose"):
        report.invoke(FUNCTION, URL, tmp_path / "reporter.log", {"fail": True})
