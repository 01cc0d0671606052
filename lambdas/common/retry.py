"""Backoff on top of botocore's own retries, for throttled read APIs (Cost Explorer, CloudWatch, Tagging).

botocore (standard/adaptive mode) already retries ``ThrottlingException`` and ``LimitExceededException``
a few times; both functions can afford to wait longer than that, so each page request is wrapped in
:func:`call_with_backoff`, which sleeps with full jitter between further attempts.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import ClientError

T = TypeVar("T")

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "LimitExceededException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
    }
)


def error_code(exc: ClientError) -> str:
    """The AWS error code of a ClientError (``AccessDeniedException``, ``ThrottlingException``...)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


_TAGS = re.compile(r"<[^>]+>")


def describe_error(exc: BaseException, limit: int = 200) -> str:
    """One line about ``exc`` for a report or log: markup stripped (an HTTP error page can arrive as the
    message), whitespace collapsed, at most ``limit`` characters."""
    text = " ".join(_TAGS.sub(" ", str(exc)).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def call_with_backoff(
    call: Callable[[], T],
    *,
    attempts: int = 4,
    base_delay_s: float = 1.0,
    max_delay_s: float = 20.0,
    sleep: Callable[[float], None] | None = None,
) -> T:
    """Run ``call``; on a throttling error retry up to ``attempts`` times in all, then re-raise.

    Delays are drawn uniformly from 0 to ``base_delay_s x 2^(attempt-1)`` (capped), in seconds.
    """
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except ClientError as exc:
            if error_code(exc) not in THROTTLING_CODES or attempt == attempts:
                raise
            cap = min(max_delay_s, base_delay_s * 2 ** (attempt - 1))
            (sleep or time.sleep)(random.uniform(0, cap))  # noqa: S311 - jitter, not cryptography
    raise AssertionError("unreachable: the loop returns or raises")
