"""``python -m demo.lambda_runner``: one invocation of a Lambda handler in a fresh process, as the runtime runs it.

moto cannot run Lambda functions without Docker, so the demo runs the deployed function's handler in a child
process whose environment is the deployed function's (see :func:`demo.report.lambda_environment`): the
handler module is imported there for the first time, so what it reads at import (Powertools' service name
and namespace) comes from the deployed configuration, as in a new Lambda execution environment.

Usage::

    python -m demo.lambda_runner HANDLER EVENT_JSON CONTEXT_JSON RESULT_PATH [--today YYYY-MM-DD]

``HANDLER`` is the function's ``module.attribute``; what the handler prints (its logs) goes to this
process's stdout; its JSON result is written to ``RESULT_PATH``. ``--today`` (used by the end-to-end test
only, to pin the report month) replaces the handler module's ``utc_today()`` with that date. Only the
standard library is imported before the handler's module.
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class LambdaContext:
    """The attributes of the Lambda runtime's context object that the handler and Powertools read."""

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m demo.lambda_runner", description=__doc__.splitlines()[0])
    parser.add_argument("handler", help="module.attribute of the handler")
    parser.add_argument("event", help="the event, JSON")
    parser.add_argument("context", help="the LambdaContext fields, JSON")
    parser.add_argument("result", type=Path, help="where the handler's JSON result is written")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="pin utc_today() (tests)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Import the handler's module, call the handler once, write its result; exceptions propagate (exit 1)."""
    args = _parser().parse_args(argv)
    module_name, _, attribute = args.handler.rpartition(".")
    module = importlib.import_module(module_name)
    if args.today is not None:
        if not callable(getattr(module, "utc_today", None)):
            raise SystemExit(f"--today: {module_name} has no utc_today() to pin")
        pinned: date = args.today
        setattr(module, "utc_today", lambda: pinned)  # noqa: B010 - a module attribute unknown to mypy
    handler = getattr(module, attribute)
    result = handler(json.loads(args.event), LambdaContext(**json.loads(args.context)))
    args.result.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
