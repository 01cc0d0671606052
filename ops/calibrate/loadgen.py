"""The load generator: open-loop levels of streamed requests against one SageMaker endpoint.

Each level sends ``requests`` requests at Poisson arrivals of the offered rate (the unit gaps and the request
shapes drawn from the seed and the repeat, so every level and both instance types see the same requests
scaled in time), through InvokeEndpointWithResponseStream from a bounded thread pool, and records per request
the time to first token, the times between tokens and the end, and the tokens as the container counted them:
vLLM's ``usage`` (asked for with ``stream_options.include_usage``), TGI's ``details.generated_tokens``. TGI's
stream has no prompt token count, so input tokens are then the request mix's (marked per request).

Two clocks. Against AWS: wall-clock sends (the sender sleeps until each scheduled time) and arrival times of
the ``PayloadPart`` events (``time.monotonic``). Against the emulator (``virtual_time``): nothing sleeps; every
request carries its scheduled send time and sequence number in ``CustomAttributes`` and the emulator answers
with modelled per-token timestamps (``emulator/sagemaker_runtime.py``), so results do not depend on the
machine's speed. Throttling (``ThrottlingException``, HTTP 429 from the container) and errors are counted
per level, never retried inside a level (a retry would hide the overload it measures).
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.common.retry import THROTTLING_CODES, describe_error, error_code
from ops.calibrate.measure import RequestResult
from ops.calibrate.mix import RequestShape

#: boto3's ``sagemaker-runtime`` client (no type stubs are installed for it).
SageMakerRuntimeClient = Any

EMULATOR_TIME = ": infersave-emulator-t="
#: Words a prompt is built from: common English words that tokenizers keep as one token each, drawn at random
#: per request so no two prompts share a prefix (a prefix cache would otherwise flatter the engine).
_WORDS = [
    "time",
    "year",
    "people",
    "way",
    "day",
    "man",
    "thing",
    "woman",
    "life",
    "child",
    "world",
    "school",
    "state",
    "family",
    "student",
    "group",
    "country",
    "problem",
    "hand",
    "part",
    "place",
    "case",
    "week",
    "company",
    "system",
    "program",
    "question",
    "work",
    "government",
    "number",
    "night",
    "point",
    "home",
    "water",
    "room",
    "mother",
    "area",
    "money",
    "story",
    "fact",
    "month",
    "lot",
    "right",
    "study",
    "book",
    "eye",
    "job",
    "word",
    "business",
    "issue",
    "side",
    "kind",
    "head",
    "house",
    "service",
    "friend",
    "father",
    "power",
    "hour",
    "game",
    "line",
    "end",
    "member",
    "law",
    "car",
    "city",
    "community",
    "name",
    "team",
]


@dataclass(frozen=True)
class Target:
    """The endpoint under test: name, engine (``vllm`` / ``tgi``), instances serving (rates are divided by it;
    for an inference component its copies in instances, ``ops.calibrate.component``), clock, and the inference
    component invoked (InvokeEndpoint ``InferenceComponentName``), if any."""

    endpoint_name: str
    engine: str
    instances: float
    virtual_time: bool
    component: str | None = None


def prompt(tokens: int, chooser: random.Random) -> str:
    """A prompt of about ``tokens`` tokens (one word each)."""
    return " ".join(chooser.choice(_WORDS) for _ in range(tokens))


def request_body(engine: str, shape: RequestShape, text: str) -> bytes:
    """The container's streaming request for ``shape``: exactly ``output_tokens`` where the engine allows it."""
    if engine == "vllm":
        body: dict[str, Any] = {
            "prompt": text,
            "max_tokens": shape.output_tokens,
            # vLLM's sampling extras: generate the trace's length, not until the model's end-of-sequence.
            "min_tokens": shape.output_tokens,
            "ignore_eos": True,
            "temperature": 0,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
    else:
        # TGI has no ignore_eos: a real model may stop before max_new_tokens; generated_tokens says how many.
        body = {
            "inputs": text,
            "parameters": {"max_new_tokens": shape.output_tokens, "do_sample": False},
            "stream": True,
        }
    return json.dumps(body).encode()


def parse_event(engine: str, data: str, result: RequestResult) -> bool:
    """Apply one SSE ``data:`` payload to ``result``; True when it carried generated text (a token arrival)."""
    if data == "[DONE]":
        return False
    event = json.loads(data)
    if engine == "vllm":
        usage = event.get("usage")
        if usage:
            result.input_tokens = int(usage.get("prompt_tokens", 0))
            result.output_tokens = int(usage.get("completion_tokens", 0))
        choices = event.get("choices") or []
        return any(c.get("text") or (c.get("delta") or {}).get("content") for c in choices)
    details = event.get("details")
    if details:
        result.output_tokens = int(details.get("generated_tokens", 0))
        if "prompt_tokens" in details:  # newer TGI routers count the prompt too
            result.input_tokens = int(details["prompt_tokens"])
            result.input_counted_by = "container"
    token = event.get("token") or {}
    return not token.get("special", False)


def read_stream(
    engine: str, events: Iterable[dict[str, Any]], result: RequestResult, clock: Callable[[], float] | None
) -> None:
    """Read the PayloadPart events of a response stream; token times from ``clock`` (wall) or, without one,
    from the emulator's virtual-time comments."""
    buffer = ""
    virtual_at: float | None = None
    for event in events:
        if "ModelStreamError" in event or "InternalStreamFailure" in event:
            detail = event.get("ModelStreamError") or event.get("InternalStreamFailure") or {}
            result.error = f"stream failed: {detail.get('ErrorCode', '')} {detail.get('Message', '')}".strip()
            return
        part = event.get("PayloadPart")
        if not part:
            continue
        buffer += part["Bytes"].decode("utf-8", errors="replace")
        arrived = clock() if clock else None
        complete, _, buffer = buffer.rpartition("\n")
        for raw in complete.split("\n"):
            line = raw.rstrip("\r")
            if line.startswith(EMULATOR_TIME):
                virtual_at = float(line[len(EMULATOR_TIME) :])
            elif line.startswith("data:") and parse_event(engine, line[5:].strip(), result):
                at = arrived if clock else virtual_at
                if at is None:
                    result.error = "no emulator timestamp before a token: is this the emulator?"
                    return
                result.token_times_s.append(at)


def invoke(
    runtime: SageMakerRuntimeClient,
    target: Target,
    shape: RequestShape,
    text: str,
    *,
    send_s: float,
    level_start: float,
    attributes: str | None,
) -> RequestResult:
    """Send one streamed request and read its answer; errors are recorded, not raised."""
    result = RequestResult(send_s=send_s, input_tokens=shape.input_tokens, input_counted_by="request mix")
    if target.engine == "vllm":
        result.input_counted_by = "container"
    args: dict[str, Any] = {
        "EndpointName": target.endpoint_name,
        "ContentType": "application/json",
        "Body": request_body(target.engine, shape, text),
    }
    if target.component:
        args["InferenceComponentName"] = target.component
    if attributes:
        args["CustomAttributes"] = attributes
    clock = None if target.virtual_time else (lambda: time.monotonic() - level_start)
    try:
        answer = runtime.invoke_endpoint_with_response_stream(**args)
        read_stream(target.engine, answer["Body"], result, clock)
    except ClientError as exc:
        code = error_code(exc)
        original = exc.response.get("OriginalStatusCode")
        result.throttled = code in THROTTLING_CODES or original == 429
        result.error = f"{code}: {describe_error(exc)}"
    except (BotoCoreError, OSError, ValueError) as exc:
        result.error = describe_error(exc)
    if result.ok and result.output_tokens == 0:
        result.output_tokens = len(result.token_times_s)
        result.output_counted_by = "stream events"
    return result


def schedule(shapes_seed: int, count: int, rate_rps: float) -> list[float]:
    """Poisson send times (s) of ``count`` requests at ``rate_rps``: unit exponential gaps from the seed,
    scaled by the rate, so every level of a repeat is the same pattern in time."""
    chooser = random.Random(shapes_seed)  # noqa: S311 - reproducible arrivals, not a secret
    times, now = [], 0.0
    for _ in range(count):
        times.append(now)
        now += chooser.expovariate(1.0) / rate_rps
    return times


def run_level(
    runtime: SageMakerRuntimeClient,
    target: Target,
    shapes: list[RequestShape],
    *,
    rate_rps: float,
    seed: int,
    level_id: str,
    max_workers: int,
    progress: Callable[[int], None] | None = None,
) -> list[RequestResult]:
    """Run one open-loop level; returns one result per request, in send order."""
    sends = schedule(seed, len(shapes), rate_rps)
    chooser = random.Random(seed + 1)  # noqa: S311 - prompt words, not a secret
    texts = [prompt(shape.input_tokens, chooser) for shape in shapes]
    if target.virtual_time and max_workers < len(shapes):
        raise ValueError(
            f"virtual time needs every request of a level in flight at once: {len(shapes)} requests, "
            f"{max_workers} workers; lower --requests or raise --max-workers"
        )
    results: list[RequestResult | None] = [None] * len(shapes)
    done = threading.Semaphore(0)
    level_start = time.monotonic()

    def one(index: int) -> None:
        attributes = None
        if target.virtual_time:
            attributes = (
                f"infersave-emulator=1;level={level_id};seq={index};total={len(shapes)};"
                f"send={sends[index]:.6f};seed={seed}"
            )
        results[index] = invoke(
            runtime,
            target,
            shapes[index],
            texts[index],
            send_s=sends[index],
            level_start=level_start,
            attributes=attributes,
        )
        done.release()

    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="calibrate") as pool:
        for index, send_s in enumerate(sends):
            if not target.virtual_time:
                delay = send_s - (time.monotonic() - level_start)
                if delay > 0:
                    time.sleep(delay)  # open loop: pace sends by the wall clock against AWS
            pool.submit(one, index)
        for finished in range(1, len(shapes) + 1):
            done.acquire()
            if progress:
                progress(finished)
    return [r if r is not None else RequestResult(send_s=0.0, error="not run") for r in results]


class Progress:
    """A one-line progress bar on a TTY (stderr), silent otherwise."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, total
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / max(self.total, 1))
        sys.stderr.write(f"\r  {self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{self.total}")
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()
