"""Fixtures for the preflight tests: the repository's config (whatever it holds today) and a moto account with
the emulator installed, where APIs moto lacks answer HTTP 501 as the emulator's server does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml
from moto import mock_aws

import emulator
from emulator.inprocess import not_implemented_as_http
from ops import preflight_aws
from ops.preflight_aws import Clients
from ops.preflight_checks import (
    BOOTSTRAP_VERSION_PARAMETER,
    REQUIRED_BOOTSTRAP_VERSION,
    endpoint_quota_name,
    instance_needs,
)
from stacks.config import Config, parse_config
from tests.conftest import ROOT

DEFAULT_CONFIG_PATH = ROOT / "infersave.yaml"

MakeConfig = Callable[..., Config]


def raw_config() -> dict[str, Any]:
    """The repository's config file as a dict (edited by tests, then validated)."""
    raw: dict[str, Any] = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    return raw


@pytest.fixture
def make_config() -> MakeConfig:
    """``make_config(edit)``: the repository's config after ``edit(raw_dict)``, validated as at synth."""

    def _make(edit: Callable[[dict[str, Any]], None] | None = None) -> Config:
        raw = raw_config()
        if edit:
            edit(raw)
        return parse_config(raw, source="test config")

    return _make


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh moto account with the emulator installed (credentials from the suite's autouse fixture)."""
    emulator.install()
    with mock_aws(), not_implemented_as_http():
        yield


@pytest.fixture
def clients(aws: None) -> preflight_aws.Clients:
    """Clients in the config's Region (us-east-1 when it names none), as the command makes them."""
    return preflight_aws.make_clients(parse_config(raw_config()).env.region or "us-east-1")


def grant_quotas(clients: Clients, config: Config, extra: int = 0) -> None:
    """What a user does after the FAIL: request each quota up to what the config needs (the emulator approves)."""
    sq = clients.service_quotas
    defaults = {
        q["QuotaName"]: q for q in sq.list_aws_default_service_quotas(ServiceCode="sagemaker")["Quotas"]
    }
    for need in instance_needs(config):
        code = defaults[endpoint_quota_name(need.instance_type)]["QuotaCode"]
        sq.request_service_quota_increase(
            ServiceCode="sagemaker", QuotaCode=code, DesiredValue=need.instances + extra
        )


def bootstrap(clients: Clients, version: int = REQUIRED_BOOTSTRAP_VERSION) -> None:
    clients.ssm.put_parameter(Name=BOOTSTRAP_VERSION_PARAMETER, Value=str(version), Type="String")
