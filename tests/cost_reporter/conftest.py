"""Fixtures of the cost reporter tests: fake credentials, moto with the emulator, clients, settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

import emulator
from emulator.inprocess import not_implemented_as_http
from lambdas.cost_reporter.dal.clients import Clients, make_clients
from lambdas.cost_reporter.dal.pricing import PriceBook
from lambdas.cost_reporter.settings import Settings, load_settings

REGION = "us-east-1"


@pytest.fixture
def aws_credentials(aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite-wide fake credentials (tests/conftest.py), plus the reporter's metrics namespace and none of
    its output settings."""
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "infersave")
    for name in ("REPORTS_BUCKET", "SUMMARY_TOPIC_ARN", "PROJECT_NAME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def no_backoff_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the reporter's backoff delays instead of sleeping them (keeps the suite fast)."""
    delays: list[float] = []
    monkeypatch.setattr("lambdas.common.retry.time.sleep", delays.append)
    return delays


@pytest.fixture(autouse=True)
def moto_not_implemented_is_an_http_answer() -> Iterator[None]:
    """APIs moto lacks answer HTTP 501, as the moto server answers 500 (see ``emulator.inprocess``)."""
    with not_implemented_as_http():
        yield


@pytest.fixture
def aws(aws_credentials: None) -> Iterator[None]:
    """moto for every service, with infersave's emulator extensions."""
    with mock_aws():
        emulator.install()
        yield


@pytest.fixture
def clients(aws: None) -> Clients:
    """The reporter's clients, created after the mock started."""
    return make_clients("us-east-1")


@pytest.fixture
def catalog_prices() -> PriceBook:
    """A price book whose Price List knows nothing: every price comes from the bundled catalog."""
    return PriceBook(lambda _type, _region: [])


@pytest.fixture
def settings() -> Settings:
    """Defaults: baseline ml.g5.2xlarge x 1.0, tagging on."""
    return load_settings({}, require_outputs=False)
