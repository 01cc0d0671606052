"""The child side of :mod:`emulator.lambda_process`: one handler invocation, as a Lambda runtime would make it.

Run as a script, never imported::

    python .../emulator/lambda_child.py HANDLER EVENT_PATH CONTEXT_JSON RESULT_PATH [--today YYYY-MM-DD]

Only the standard library is loaded before the handler's module, which comes from ``PYTHONPATH`` (the
function's code folder and layers in the emulator; the repository root in ``make demo``). Its own folder is
removed from ``sys.path`` first, so the emulator's modules cannot shadow anything the handler imports. The JSON
result goes to ``RESULT_PATH``; an exception propagates (exit status 1, traceback on stderr), as an invocation
error would. ``--today`` (the end-to-end test's fixed report month) replaces the handler module's
``utc_today()`` with that date. Used by :mod:`emulator.lambda_process` (custom resources, Lambda invokes) and
by the demo's report run (:func:`demo.report.invoke`).
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]


@dataclass(frozen=True)
class LambdaContext:
    """The attributes of the Lambda runtime's context object that handlers and Powertools read."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    timeout_ms: int

    def get_remaining_time_in_millis(self) -> int:
        """The whole timeout: the stand-in does not count down."""
        return self.timeout_ms


def main(argv: list[str]) -> int:
    """Import the handler's module, call the handler once, write its JSON result."""
    today: date | None = None
    if len(argv) == 6 and argv[4] == "--today":
        today = date.fromisoformat(argv[5])
        argv = argv[:4]
    if len(argv) != 4:
        raise SystemExit(__doc__)
    handler_path, event_path, context_json, result_path = argv
    module_name, _, attribute = handler_path.rpartition(".")
    module = importlib.import_module(module_name)
    if today is not None:
        if not callable(getattr(module, "utc_today", None)):
            raise SystemExit(f"--today: {module_name} has no utc_today() to pin")
        pinned = today
        setattr(module, "utc_today", lambda: pinned)  # noqa: B010 - a module attribute unknown to mypy
    handler = getattr(module, attribute)
    event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    result = handler(event, LambdaContext(**json.loads(context_json)))
    Path(result_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
