"""Fixtures of the cost reporter tests: fake credentials, moto with the emulator, clients, settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

import emulator
from lambdas.cost_reporter.dal.clients import Clients, make_clients
from lambdas.cost_reporter.dal.pricing import PriceBook
from lambdas.cost_reporter.settings import Settings, load_settings

REGION = "us-east-1"


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and region; no real endpoint, tracing off."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": "infersave",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "REPORTS_BUCKET", "SUMMARY_TOPIC_ARN", "PROJECT_NAME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def no_backoff_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the reporter's backoff delays instead of sleeping them (keeps the suite fast)."""
    delays: list[float] = []
    monkeypatch.setattr("lambdas.cost_reporter.dal.retry.time.sleep", delays.append)
    return delays


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
