"""``python -m ops.preflight``: the checklist on stdout, exit 0 / 1 on a FAIL / 2 on usage and credential errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.preflight import main
from ops.preflight_aws import Clients
from ops.preflight_checks import BOOTSTRAP_VERSION_PARAMETER, REQUIRED_BOOTSTRAP_VERSION
from stacks.config import load_config
from tests.ops.conftest import DEFAULT_CONFIG_PATH, grant_quotas, raw_config


def test_fresh_account_exits_1_with_the_checklist(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(DEFAULT_CONFIG_PATH)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  cdk bootstrap" in out
    assert "      fix: npx --no-install cdk bootstrap aws://" in out
    assert out.rstrip().endswith("blocked: fix the FAIL lines before cdk deploy")


def test_a_ready_account_exits_0(clients: Clients, capsys: pytest.CaptureFixture[str]) -> None:
    grant_quotas(clients, load_config(DEFAULT_CONFIG_PATH))
    clients.ssm.put_parameter(
        Name=BOOTSTRAP_VERSION_PARAMETER, Value=str(REQUIRED_BOOTSTRAP_VERSION), Type="String"
    )
    assert main(["--config", str(DEFAULT_CONFIG_PATH)]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert out.rstrip().endswith("ready to deploy")


def test_a_missing_config_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--config", str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "does not exist" in err
    assert len(err.strip().splitlines()) == 1


def _config_without_region(tmp_path: Path) -> Path:
    raw: dict[str, Any] = raw_config()
    raw.setdefault("env", {}).pop("region", None)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_no_region_anywhere_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    assert main(["--config", str(_config_without_region(tmp_path))]) == 2
    assert "no AWS region" in capsys.readouterr().err


def test_no_credentials_is_a_credential_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["--config", str(DEFAULT_CONFIG_PATH)]) == 2
    err = capsys.readouterr().err
    assert "no AWS credentials" in err
    assert len(err.strip().splitlines()) == 1
