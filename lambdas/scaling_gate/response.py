"""The gate's answer to CloudFormation: a JSON document PUT to the request's presigned ResponseURL.

Without an answer the stack operation waits for the custom resource's ``ServiceTimeout`` and fails, so the
PUT is retried with backoff on network errors and 5xx answers. The body must stay under 4,096 bytes and the
request must carry an empty Content-Type (the URL is presigned without one).
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Final, Literal

from lambdas.scaling_gate.request import GateRequest

MAX_BODY_BYTES: Final = 4096
ATTEMPTS: Final = 5
TIMEOUT_S: Final = 10

Status = Literal["SUCCESS", "FAILED"]


class ResponseNotDelivered(RuntimeError):
    """CloudFormation's ResponseURL did not accept the answer after every attempt."""


def body(request: GateRequest, status: Status, reason: str, physical_resource_id: str) -> bytes:
    """The response document; ``reason`` is shortened so the whole body fits in 4,096 bytes."""
    document = {
        "Status": status,
        "Reason": reason,
        "PhysicalResourceId": physical_resource_id,
        "StackId": request.stack_id,
        "RequestId": request.request_id,
        "LogicalResourceId": request.logical_resource_id,
        "NoEcho": False,
        "Data": {},
    }
    encoded = json.dumps(document).encode("utf-8")
    while len(encoded) > MAX_BODY_BYTES and document["Reason"]:
        text = str(document["Reason"]).removesuffix("...")
        document["Reason"] = text[: max(0, len(text) - (len(encoded) - MAX_BODY_BYTES) - 3)] + "..."
        encoded = json.dumps(document).encode("utf-8")
    return encoded


def send(
    url: str,
    payload: bytes,
    *,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    opener: Callable[..., object] = urllib.request.urlopen,
) -> None:
    """PUT ``payload`` to ``url``; retries network errors and 5xx answers with full-jitter backoff (1, 2, 4 s...).

    Raises ResponseNotDelivered after the last attempt, or at once on a 4xx (an expired or foreign URL).
    """
    last = ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(  # noqa: S310 - the ResponseURL CloudFormation gave (https in AWS)
            url, data=payload, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(payload))}
        )
        try:
            opener(request, timeout=TIMEOUT_S)
            return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                raise ResponseNotDelivered(f"ResponseURL refused the answer: HTTP {exc.code}") from exc
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            last = str(exc)
        if attempt < attempts:
            sleep(random.uniform(0, 2 ** (attempt - 1)))  # noqa: S311 - jitter, not cryptography
    raise ResponseNotDelivered(f"ResponseURL unreachable after {attempts} attempts: {last}")
