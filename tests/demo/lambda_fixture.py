"""A stand-in Lambda handler for the tests of the demo's report run (``emulator/lambda_child.py``): it echoes what it was run with."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

#: Read at import, as the reporter's handler reads POWERTOOLS_* (a fresh process sees the given environment).
ENVIRONMENT_AT_IMPORT = dict(os.environ)


def utc_today() -> date:
    return datetime.now(UTC).date()


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    print("a log line of the handler")
    if event.get("fail"):
        raise RuntimeError("the handler failed on purpose")
    return {
        "event": dict(event),
        "environment": ENVIRONMENT_AT_IMPORT,
        "function_name": context.function_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "today": utc_today().isoformat(),
    }
