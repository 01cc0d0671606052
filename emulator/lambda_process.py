"""Run a deployed Lambda function's handler in a child process: moto 5.2.5 runs functions only in Docker.

The child gets what a Lambda execution environment would give it, taken from moto's record of the function:
its code zip and its layers' zips extracted into a temporary folder (code first on ``PYTHONPATH``, then each
layer's ``python/``, as Lambda's ``/var/task`` and ``/opt/python``), its environment variables plus those the
runtime sets, dummy credentials and ``AWS_ENDPOINT_URL`` pointing at the emulator's server, so its AWS calls
reach this emulator. Only the server can serve them: in-process moto (``mock_aws``) is not reachable from
another process, so :func:`configure` is called by :func:`emulator.server.start`.

Differences from Lambda, kept small on purpose: the child runs this interpreter (its version, and its
site-packages, where boto3 comes from, as the runtime provides boto3), it is not isolated from the machine,
and an invocation runs once (no asynchronous retries). The handler's output is logged here.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction, lambda_backends

_CHILD = Path(__file__).resolve().parent / "lambda_child.py"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
logger = logging.getLogger(__name__)
_settings: dict[str, str] = {}


class LambdaInvocationError(RuntimeError):
    """The handler could not be run, raised, or outlived the function's timeout; the message says which."""


def configure(endpoint_url: str) -> None:
    """Tell handlers run from now on where the emulator's server answers (``http://localhost:PORT``)."""
    _settings["endpoint_url"] = endpoint_url


@dataclass(frozen=True)
class Result:
    """What an invocation returned (None if it raised) and what it printed."""

    payload: Any
    output: str
    failed: bool


def invoke(account_id: str, region_name: str, function_name_or_arn: str, event: dict[str, Any]) -> Result:
    """Run the function's handler once with ``event``; raises LambdaInvocationError if it cannot be run."""
    endpoint_url = _settings.get("endpoint_url")
    if not endpoint_url:
        raise LambdaInvocationError(
            f"cannot run Lambda function {function_name_or_arn}: its AWS calls need the emulator's server "
            "(python -m emulator.server, or emulator.server.start()); in-process moto is not reachable"
        )
    backend = lambda_backends[account_id][region_name]
    function = backend.get_function(function_name_or_arn)
    with tempfile.TemporaryDirectory(prefix="infersave-lambda-") as tmp:
        root = Path(tmp)
        paths = [_extract(function.code_bytes, root / "task", function.function_name)]
        for index, layer in enumerate(function.layers or []):
            version = backend.layers_versions_by_arn(layer["Arn"])
            if version is None:
                raise LambdaInvocationError(f"{function.function_name}: layer {layer['Arn']} does not exist")
            paths.append(_extract(version.code_bytes, root / f"layer{index}", layer["Arn"]) / "python")
        event_path, result_path = root / "event.json", root / "result.json"
        event_path.write_text(json.dumps(event), encoding="utf-8")
        context = _context(function)
        args = [
            sys.executable,
            str(_CHILD),
            str(function.handler),
            str(event_path),
            json.dumps(context),
            str(result_path),
        ]
        env = _environment(function, endpoint_url, paths)
        try:
            done = subprocess.run(  # noqa: S603 - this interpreter running the emulator's own child script
                args,
                env=env,
                cwd=paths[0],
                capture_output=True,
                text=True,
                timeout=int(function.timeout) + 30,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise LambdaInvocationError(
                f"{function.function_name} outlived its {function.timeout} s timeout (+30 s)"
            ) from exc
        output = done.stdout + done.stderr
        logger.info("Lambda %s output:\n%s", function.function_name, output)
        payload = json.loads(result_path.read_text(encoding="utf-8")) if result_path.exists() else None
        return Result(payload=payload, output=output, failed=done.returncode != 0)


def _extract(zip_bytes: bytes, target: Path, what: str) -> Path:
    if not zip_bytes:
        raise LambdaInvocationError(f"{what}: no code stored (moto keeps zips given inline or in S3 only)")
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        archive.extractall(target)  # zips stored from the deployed template
    return target


def _context(function: LambdaFunction) -> dict[str, Any]:
    return {
        "function_name": function.function_name,
        "function_version": "$LATEST",
        "invoked_function_arn": function.function_arn,
        "memory_limit_in_mb": int(function.memory_size),
        "aws_request_id": str(uuid.uuid4()),
        "log_group_name": f"/aws/lambda/{function.function_name}",
        "log_stream_name": "emulator",
        "timeout_ms": int(function.timeout) * 1000,
    }


def _environment(function: LambdaFunction, endpoint_url: str, paths: list[Path]) -> dict[str, str]:
    """The function's variables, the runtime's, dummy credentials, the emulator; nothing of this process's."""
    region = function.function_arn.split(":")[3]
    return {
        **{k: str(v) for k, v in (function.environment_vars or {}).items()},
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.function_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "emulator",
        "TZ": ":UTC",
        **DUMMY_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "1",  # no X-Ray daemon here
        "PYTHONPATH": ":".join(str(p) for p in paths),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
