"""The child side of :mod:`emulator.lambda_process`: one handler invocation, as a Lambda runtime would make it.

Run as a script (``python .../emulator/lambda_child.py HANDLER EVENT_PATH CONTEXT_JSON RESULT_PATH``), never
imported: only the standard library is loaded before the handler's module, which comes from the function's
code folder and layers on ``PYTHONPATH``. Its own folder is removed from ``sys.path`` first, so the emulator's
modules cannot shadow anything the handler imports. The JSON result goes to ``RESULT_PATH``; an exception
propagates (exit status 1, traceback on stderr), as an invocation error would.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass
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
    handler_path, event_path, context_json, result_path = argv
    module_name, _, attribute = handler_path.rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    result = handler(event, LambdaContext(**json.loads(context_json)))
    Path(result_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
