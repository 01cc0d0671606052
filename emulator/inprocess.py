"""In-process moto (``mock_aws``) answering like the moto server for APIs moto lacks.

In process, moto raises ``NotImplementedError`` out of the boto3 call, which no AWS answer could do; the moto
server (``python -m emulator.server``, the demo) answers HTTP 500 instead. :func:`not_implemented_as_http`
makes in-process moto answer 501 Not Implemented, which botocore does not retry and raises as a
``ClientError``: code under test sees the same kind of failure as from any AWS error, through the same path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSPreparedRequest
from moto.core.botocore_stubber import BotocoreStubber


@contextmanager
def not_implemented_as_http() -> Iterator[None]:
    """While active, an API moto does not implement answers HTTP 501 instead of raising."""
    process_request = BotocoreStubber.process_request

    def answer_not_implemented(
        self: BotocoreStubber, request: AWSPreparedRequest
    ) -> tuple[int, dict[str, Any], str | bytes] | None:
        try:
            result = process_request(self, request)
        except NotImplementedError as exc:
            return 501, {"Content-Type": "text/plain"}, str(exc)
        return result

    BotocoreStubber.process_request = answer_not_implemented  # type: ignore[method-assign]
    try:
        yield
    finally:
        BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
