"""Fixtures of the cost reporter tests: fake credentials, moto with the emulator, clients, settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.awsrequest import AWSPreparedRequest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

import emulator
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
def moto_not_implemented_is_an_http_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make in-process moto answer an API it lacks over HTTP, as AWS and the moto server do.

    In process, moto raises ``NotImplementedError`` out of the boto3 call (no AWS answer could do that);
    the moto server (``python -m emulator.server``, the demo) answers HTTP 500, which botocore retries and
    then raises as ``ClientError`` code ``500``. Here it answers 501 Not Implemented, which botocore does not
    retry (no backoff sleeps in the suite) and raises as ``ClientError`` code ``501``: the reporter sees the
    same kind of failure as from any AWS error, through the same code path.
    """
    process_request = BotocoreStubber.process_request

    def answer_not_implemented(
        self: BotocoreStubber, request: AWSPreparedRequest
    ) -> tuple[int, dict[str, str], str] | None:
        try:
            result: tuple[int, dict[str, str], str] | None = process_request(self, request)
        except NotImplementedError as exc:
            return 501, {"Content-Type": "text/plain"}, str(exc)
        return result

    monkeypatch.setattr(BotocoreStubber, "process_request", answer_not_implemented)


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
