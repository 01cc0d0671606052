"""ops.refresh_quota_defaults: the emulator's quota table rewritten from ListAWSDefaultServiceQuotas."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from emulator.servicequotas import DEFAULTS_FILE
from ops.refresh_quota_defaults import main, refreshed_document, wanted_quota_names


def test_refresh_rewrites_names_codes_values_and_the_date(aws: None, tmp_path: Path) -> None:
    output = tmp_path / "quotas.json"
    output.write_text(DEFAULTS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["--output", str(output)]) == 0  # the emulator answers with the bundled table
    document = json.loads(output.read_text(encoding="utf-8"))
    assert [q["QuotaName"] for q in document["quotas"]] == wanted_quota_names()
    assert document["sources"][0].startswith(
        "ListAWSDefaultServiceQuotas, service code sagemaker, us-east-1, "
    )
    assert document["caveats"] == []


def test_a_quota_aws_does_not_list_is_an_error() -> None:
    previous: dict[str, Any] = json.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    dropped = wanted_quota_names()[0]
    listed = [q for q in previous["quotas"] if q["QuotaName"] != dropped]
    with pytest.raises(ValueError, match=re.escape(dropped)):
        refreshed_document(previous, listed, "us-east-1", "2026-11-28")
