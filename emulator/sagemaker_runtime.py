"""SageMaker Runtime for deployed endpoints: InvokeEndpoint and InvokeEndpointWithResponseStream answering like
the LLM container behind the endpoint, with timings from :mod:`emulator.runtime_model` (modelled, not measured).

moto 5.2.5 answers InvokeEndpoint with canned bodies for any name (even an endpoint that does not exist) and has
no InvokeEndpointWithResponseStream (its server even routes that path to the SageMaker control plane). Here:

- **Refused as AWS refuses**: an unknown endpoint is ``ValidationError`` "Endpoint NAME of account ACCOUNT not
  found." (the text AWS answers, quoted in aws/amazon-sagemaker-examples#293); an endpoint that is not
  ``InService`` is a ``ValidationError`` naming its status (AWS's exact text is not documented); a body above
  6 MiB is a ``ValidationError`` (``Body`` max 6291456 in botocore's ``sagemaker-runtime`` model; the
  developer guide's "6 MB" real-time payload limit); a request the container refuses (prompt plus output
  longer than the compiled sequence length) is ``ModelError`` (HTTP 424) with the container's status in
  ``OriginalStatusCode`` (API reference, InvokeEndpoint errors); an endpoint built for inference components
  (its variant names no model) invoked without ``InferenceComponentName`` is AWS's ``ValidationError``
  (:data:`COMPONENT_HEADER_REQUIRED`).
- **Inference components**: with ``InferenceComponentName`` (header ``X-Amzn-SageMaker-Inference-Component``)
  the request goes to that component's model, served by its ``CurrentCopyCount`` copies (one container each).
  A component at zero copies is AWS's ``ValidationError`` (:data:`NO_CAPACITY`, HTTP 400), and SageMaker counts
  it in ``NoCapacityInvocationFailures`` (namespace AWS/SageMaker, dimension ``InferenceComponentName``: "SageMaker
  AI emits this metric when an endpoint receives an inference request, but the endpoint has no active
  instances to serve the request", developer guide, "Scale an endpoint to zero instances"); the emulator puts
  that datapoint into CloudWatch, so the scale-out-from-zero alarm sees the failure as on AWS. A component that
  does not exist, belongs to another endpoint or is not ``InService`` is a ``ValidationError`` naming it (AWS
  refuses these before the model; its exact texts are not documented, and no metric is documented to count
  them: ``Invocation4XXErrors`` counts the model's own 4xx answers).
- **The container's wire format**: vLLM (``...vllm...`` images) answers the OpenAI-compatible completions or
  chat body with ``usage`` (prompt, completion, total tokens); streamed, ``data: {...}`` server-sent events
  with one ``choices[0].text`` (or ``delta.content``) per token, a last chunk with ``usage`` when
  ``stream_options.include_usage`` is set, and ``data: [DONE]``. TGI answers ``[{"generated_text", "details":
  {"finish_reason", "generated_tokens", "seed", "prefill", "tokens"}}]`` (``prefill`` only with
  ``decoder_input_details``); streamed, one ``data:{"index","token":{...},"generated_text","details"}`` event
  per token, ``details`` ``{"finish_reason","generated_tokens","seed"}`` on the last one (TGI's
  ``StreamDetails``: no prompt token count). The stream reaches the client as SageMaker frames it: an
  ``application/vnd.amazon.eventstream`` body of ``PayloadPart`` events whose ``Bytes`` are pieces of the
  container's response (API reference, InvokeEndpointWithResponseStream and ResponseStream).
- **Tokens**: the emulator counts one token per whitespace-separated word of the prompt (real tokenizers
  differ; the load generator reads the counts the container reports). It generates exactly the requested
  ``max_tokens`` / ``max_new_tokens`` (a real model may stop earlier at its end-of-sequence token).

**Virtual time.** A load generator in emulator mode sends, in ``CustomAttributes`` (a real API member passed
to the container, at most 1024 ASCII characters), ``infersave-emulator=1;level=<id>;seq=<n>;total=<N>;send=<s>;
seed=<k>``: the level, the request's sequence number in send-time order, the level's request count and its
scheduled send time in virtual seconds. The answer waits (on a condition, no sleep) until the level's
simulation has made it final, and carries virtual timestamps: per streamed token an SSE comment
``: infersave-emulator-t=<s>`` before its event (SSE clients ignore comments), and in the response's
``CustomAttributes`` ``infersave-emulator-first=<s>;last=<s>`` for both calls. Without these attributes a
request is a level of its own sent at 0. A request that waits for earlier sequence numbers that never come is
answered, after :data:`WAIT_LIMIT_S` of wall time, with a ``ModelError`` that says so.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.eventstream import EventStreamEncoder
from moto.core.utils import utcnow
from moto.moto_server import werkzeug_app
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemakerruntime import responses as runtime_responses
from moto.sagemakerruntime import urls as runtime_urls

from emulator import inference_components
from emulator.runtime_model import Completion, LevelSimulation, ServingModel, container_model, decimal_seconds
from lambdas.common.catalog import load_catalog

#: botocore's sagemaker-runtime model: Body "max": 6291456 (InvokeEndpoint and ...WithResponseStream).
MAX_BODY_BYTES = 6_291_456
#: Wall-clock bound on waiting for earlier requests of a level (a generator bug, never a modelled delay).
WAIT_LIMIT_S = 120.0
ATTRIBUTE_PREFIX = "infersave-emulator"
#: Bytes of container output per PayloadPart event: the runtime forwards the container's response in pieces
#: whose boundaries the client must not rely on.
PAYLOAD_PART_BYTES = 8192
STREAM_PATH = "{0}/endpoints/(?P<name>[^/]+)/invocations-response-stream$"


class InvokeError(Exception):
    """An error answer: HTTP status, the API's error code, its message and extra members."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


@dataclass
class _Request:
    engine: str
    stream: bool
    chat: bool
    input_tokens: int
    output_tokens: int
    details: bool
    include_usage: bool
    model_id: str


_levels: dict[tuple[str, str, str, str], LevelSimulation] = {}
_delivered: dict[tuple[str, str, str, str], int] = {}
_lock = threading.Condition()


def parse_attributes(value: str | None) -> dict[str, str]:
    """``key=value;key=value`` pairs of CustomAttributes (the emulator's keys only)."""
    pairs = [part.split("=", 1) for part in (value or "").split(";") if "=" in part]
    return {k.strip(): v.strip() for k, v in pairs}


#: AWS's answer to an invocation without ``InferenceComponentName`` of an endpoint built for inference components
#: (its variant names no model), as SDK users quote it (aws-samples/amazon-kendra-langchain-extensions#64).
COMPONENT_HEADER_REQUIRED = (
    "Inference Component Name header is required for endpoints to which you plan to deploy inference components. "
    "Please include Inference Component Name header or consider using SageMaker models."
)


#: AWS's answer to an invocation of a component scaled to zero copies, quoted by AWS's own scale-to-zero samples
#: (aws-samples/sagemaker-genai-hosting-examples ``03-features/autoscaling/scale_down_to_zero.ipynb``: "we get a
#: validation error: An error occurred (ValidationError) when calling the InvokeEndpoint operation: ...").
NO_CAPACITY = (
    "Inference Component has no capacity to process this request. ApplicationAutoScaling may be in-progress "
    "(if configured) or try to increase the capacity by invoking UpdateInferenceComponentRuntimeConfig API."
)


@dataclass(frozen=True)
class _Target:
    """What answers a request: the serving model, the endpoint and variant named in the answer, and the key of
    its level simulations (the endpoint, or ``<endpoint>/<component>``: each component has its own copies)."""

    serving: ServingModel
    endpoint_name: str
    variant: str
    key: str
    label: str


def _serving(container: dict[str, Any], instance_type: str, containers: int) -> ServingModel:
    catalog_spec = load_catalog().get(instance_type)
    if catalog_spec is None:
        raise InvokeError(500, "InternalFailure", f"no performance model for {instance_type}")
    return container_model(
        image=str(container.get("Image", "")),
        environment=dict(container.get("Environment") or {}),
        accelerator=catalog_spec.accelerator,
        chips=catalog_spec.chips,
        instances=containers,
    )


def _model_container(backend: SageMakerModelBackend, model_name: str, owner: str) -> dict[str, Any]:
    model = backend._models.get(model_name)
    if model is None:
        # AWS keeps serving a deployed endpoint whose model was deleted; the emulator reads the container from it
        raise InvokeError(
            500,
            "InternalFailure",
            f"emulator: model {model_name} of {owner} was deleted; it reads the container's image and "
            "variables from the model, so it cannot answer for it",
        )
    return dict(model.primary_container or (model.containers or [{}])[0])


def _count_no_capacity(account: str, region: str, component: str) -> None:
    """One ``NoCapacityInvocationFailures`` datapoint, as SageMaker emits it for a request it had no copy for."""
    cloudwatch_backends[account][region].put_metric_data(
        "AWS/SageMaker",
        [
            {
                "MetricName": "NoCapacityInvocationFailures",
                "Dimensions": [{"Name": "InferenceComponentName", "Value": component}],
                "Value": 1,
                "Timestamp": utcnow(),
            }
        ],
    )


def _component_target(
    backend: SageMakerModelBackend,
    *,
    account: str,
    region: str,
    endpoint: str,
    spec: dict[str, Any],
    name: str,
) -> _Target:
    """The component ``name`` of ``endpoint`` (its variant ``spec``), refused as AWS refuses (module doc)."""
    component = inference_components.lookup(backend, name)
    if component is None:
        raise InvokeError(
            400,
            "ValidationError",
            f"Inference component {name} of account {account} not found; ListInferenceComponents "
            f"(EndpointNameEquals={endpoint}) lists the components of endpoint {endpoint}",
        )
    owner = str(component["EndpointName"])
    if owner.lower() != endpoint.lower():
        raise InvokeError(
            400,
            "ValidationError",
            f"Inference component {name} is deployed to endpoint {owner}, not {endpoint}; invoke it through "
            f"endpoint {owner}",
        )
    status = component["InferenceComponentStatus"]
    if status != "InService":
        raise InvokeError(
            400,
            "ValidationError",
            f"Inference component {name} of endpoint {endpoint} is {status}, not InService; invoke it once "
            "DescribeInferenceComponent says InService",
        )
    copies = int(component["RuntimeConfig"]["CurrentCopyCount"])
    if copies == 0:
        _count_no_capacity(account, region, str(component["InferenceComponentName"]))
        raise InvokeError(400, "ValidationError", NO_CAPACITY)
    specification = component["Specification"]
    # CreateInferenceComponent takes a model (ModelName) or the container itself (Specification.Container).
    container = specification.get("Container") or _model_container(
        backend, str(specification.get("ModelName")), f"inference component {name}"
    )
    return _Target(
        _serving(container, str(spec["InstanceType"]), copies),
        endpoint,
        str(spec["VariantName"]),
        f"{endpoint}/{component['InferenceComponentName']}",
        str(component["InferenceComponentName"]),
    )


def _endpoint_model(account: str, region: str, name: str, component: str | None = None) -> _Target:
    backend = sagemaker_backends[account][region]
    endpoint = next((e for e in backend.endpoints.values() if e.endpoint_name.lower() == name.lower()), None)
    if endpoint is None:
        raise InvokeError(400, "ValidationError", f"Endpoint {name} of account {account} not found.")
    if endpoint.endpoint_status != "InService":
        raise InvokeError(
            400,
            "ValidationError",
            f"Endpoint {name} of account {account} is {endpoint.endpoint_status}, not InService; invoke it once "
            "DescribeEndpoint says InService",
        )
    variant = endpoint.production_variants[0]
    config = backend.endpoint_configs[endpoint.endpoint_config_name]
    spec = config.production_variants[0]
    if not spec.get("ModelName"):
        # An inference-component endpoint: its models are the components' (botocore's header
        # X-Amzn-SageMaker-Inference-Component carries InferenceComponentName).
        if component is None:
            raise InvokeError(400, "ValidationError", COMPONENT_HEADER_REQUIRED)
        return _component_target(
            backend,
            account=account,
            region=region,
            endpoint=endpoint.endpoint_name,
            spec=spec,
            name=component,
        )
    container = _model_container(backend, spec["ModelName"], f"endpoint {name}")
    serving = _serving(container, spec["InstanceType"], int(variant.get("CurrentInstanceCount") or 1))
    name = endpoint.endpoint_name
    return _Target(serving, name, str(variant["VariantName"]), name, name)


def _words(text: Any) -> int:
    return len(str(text).split())


def parse_request(engine: str, body: bytes, *, streaming_call: bool) -> _Request:
    """What the container reads from the body; a body it cannot read is a ModelError with its 4xx status."""
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        raise InvokeError(
            424,
            "ModelError",
            "Received client error (400) from primary",
            OriginalStatusCode=400,
            OriginalMessage="request body is not JSON",
        ) from None
    if not isinstance(payload, dict):
        raise InvokeError(
            424,
            "ModelError",
            "Received client error (400) from primary",
            OriginalStatusCode=400,
            OriginalMessage="request body is not a JSON object",
        )
    if engine == "vllm":
        chat = "messages" in payload
        prompt = (
            " ".join(str(m.get("content", "")) for m in payload["messages"])
            if chat
            else payload.get("prompt", "")
        )
        output = payload.get("max_tokens") or payload.get("max_completion_tokens") or 16
        options = payload.get("stream_options") or {}
        return _Request(
            "vllm",
            bool(payload.get("stream")),
            chat,
            _words(prompt),
            int(output),
            False,
            bool(options.get("include_usage")),
            str(payload.get("model", "")),
        )
    parameters = payload.get("parameters") or {}
    return _Request(
        "tgi",
        bool(payload.get("stream")) or streaming_call,
        False,
        _words(payload.get("inputs", "")),
        int(parameters.get("max_new_tokens") or 20),
        bool(parameters.get("decoder_input_details")),
        False,
        "",
    )


def _check_length(serving: ServingModel, request: _Request) -> None:
    total = request.input_tokens + request.output_tokens
    if total <= serving.max_sequence_length:
        return
    if request.engine == "vllm":
        message = (
            f"This model's maximum context length is {serving.max_sequence_length} tokens. However, you "
            f"requested {total} tokens ({request.input_tokens} in the messages, {request.output_tokens} in "
            "the completion). Please reduce the length of the messages or completion."
        )
        status = 400
    else:
        message = (
            f"`inputs` tokens + `max_new_tokens` must be <= {serving.max_sequence_length}. Given: "
            f"{request.input_tokens} `inputs` tokens and {request.output_tokens} `max_new_tokens`"
        )
        status = 422
    raise InvokeError(
        424,
        "ModelError",
        f'Received client error ({status}) from primary with message "{message}"',
        OriginalStatusCode=status,
        OriginalMessage=message,
    )


def simulate(
    *,
    account: str,
    region: str,
    name: str,
    serving: ServingModel,
    request: _Request,
    attributes: dict[str, str],
) -> Completion:
    """Run the request through its level's simulation and wait until its answer is final."""
    if attributes.get(ATTRIBUTE_PREFIX) == "1":
        try:
            level, seq, total = attributes["level"], int(attributes["seq"]), int(attributes["total"])
            send_s, seed = float(attributes["send"]), int(attributes.get("seed", "0"))
        except (KeyError, ValueError):
            raise InvokeError(
                400,
                "ValidationError",
                "CustomAttributes infersave-emulator=1 needs level, seq, "
                "total, send (and seed): see emulator/sagemaker_runtime.py",
            ) from None
    else:
        level, seq, total, send_s, seed = f"single-{id(request)}", 0, 1, 0.0, 0
    key = (account, region, name.lower(), level)
    with _lock:
        simulation = _levels.get(key)
        if simulation is None:
            simulation = _levels[key] = LevelSimulation(serving, seed=seed, total=total)
        try:
            simulation.arrive(seq, send_s, request.input_tokens, request.output_tokens)
        except ValueError as exc:
            raise InvokeError(400, "ValidationError", f"emulator level {level}: {exc}") from None
        _lock.notify_all()
        if not _lock.wait_for(lambda: simulation.result(seq) is not None, timeout=WAIT_LIMIT_S):
            raise InvokeError(
                424,
                "ModelError",
                f"emulator: request {seq} of level {level} waited "
                f"{WAIT_LIMIT_S:.0f} s for earlier sequence numbers that never arrived; send every "
                f"seq 0..{total - 1} (a thread pool smaller than the requests in flight?)",
                OriginalStatusCode=504,
                OriginalMessage="emulator level incomplete",
            )
        completion = simulation.result(seq)
        assert completion is not None
        _delivered[key] = _delivered.get(key, 0) + 1
        if _delivered[key] >= total:
            _levels.pop(key, None)
            _delivered.pop(key, None)
        return completion


def _token(index: int) -> str:
    return f" tok{index}"


def vllm_events(
    request: _Request, completion: Completion, model_id: str
) -> list[tuple[float, dict[str, Any]]]:
    """(virtual time, chunk) of a vLLM stream: one per token, then the usage chunk when asked for."""
    events = []
    kind = "chat.completion.chunk" if request.chat else "text_completion"
    for index, at in enumerate(completion.token_times_s):
        last = index == len(completion.token_times_s) - 1
        finish = "length" if last else None
        choice: dict[str, Any] = (
            {"index": 0, "delta": {"content": _token(index)}, "logprobs": None, "finish_reason": finish}
            if request.chat
            else {
                "index": 0,
                "text": _token(index),
                "logprobs": None,
                "finish_reason": finish,
                "stop_reason": None,
            }
        )
        events.append(
            (
                at,
                {
                    "id": "cmpl-emulator",
                    "object": kind,
                    "created": 0,
                    "model": model_id,
                    "choices": [choice],
                    "usage": None,
                },
            )
        )
    if request.include_usage:
        usage = {
            "prompt_tokens": completion.input_tokens,
            "total_tokens": completion.input_tokens + completion.output_tokens,
            "completion_tokens": completion.output_tokens,
        }
        events.append(
            (
                completion.token_times_s[-1],
                {
                    "id": "cmpl-emulator",
                    "object": kind,
                    "created": 0,
                    "model": model_id,
                    "choices": [],
                    "usage": usage,
                },
            )
        )
    return events


def tgi_events(completion: Completion) -> list[tuple[float, dict[str, Any]]]:
    """(virtual time, event) of a TGI stream: one per token, the text and details on the last one."""
    events = []
    count = len(completion.token_times_s)
    for index, at in enumerate(completion.token_times_s):
        last = index == count - 1
        events.append(
            (
                at,
                {
                    "index": index + 1,
                    "token": {"id": index, "text": _token(index), "logprob": -0.1, "special": False},
                    "generated_text": "".join(_token(i) for i in range(count)) if last else None,
                    "details": {"finish_reason": "length", "generated_tokens": count, "seed": None}
                    if last
                    else None,
                },
            )
        )
    return events


def sse_body(events: list[tuple[float, dict[str, Any]]], engine: str) -> list[bytes]:
    """One SSE piece per event: the virtual-time comment, then the event (``data: [DONE]`` ends vLLM's)."""
    pieces = [
        f": {ATTRIBUTE_PREFIX}-t={decimal_seconds(at)}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n".encode()
        for at, event in events
    ]
    if engine == "vllm":
        pieces.append(b"data: [DONE]\n\n")
    return pieces


def payload_parts(pieces: list[bytes], limit: int = PAYLOAD_PART_BYTES) -> list[bytes]:
    """SSE pieces packed into ``PayloadPart`` payloads of at most ``limit`` bytes (a piece is never split here;
    SageMaker's parts may split anywhere, and the load generator reassembles lines across parts)."""
    parts: list[bytes] = []
    current = b""
    for piece in pieces:
        if current and len(current) + len(piece) > limit:
            parts.append(current)
            current = b""
        current += piece
    if current:
        parts.append(current)
    return parts


def whole_body(request: _Request, completion: Completion, model_id: str) -> dict[str, Any] | list[Any]:
    """The non-streamed answer of the container."""
    count = completion.output_tokens
    text = "".join(_token(i) for i in range(count))
    if request.engine == "vllm":
        usage = {
            "prompt_tokens": completion.input_tokens,
            "total_tokens": completion.input_tokens + count,
            "completion_tokens": count,
        }
        choice: dict[str, Any] = (
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "length"}
            if request.chat
            else {"index": 0, "text": text, "logprobs": None, "finish_reason": "length", "stop_reason": None}
        )
        return {
            "id": "cmpl-emulator",
            "object": "chat.completion" if request.chat else "text_completion",
            "created": 0,
            "model": model_id,
            "choices": [choice],
            "usage": usage,
        }
    details: dict[str, Any] = {
        "finish_reason": "length",
        "generated_tokens": count,
        "seed": None,
        "prefill": [],
        "tokens": [{"id": i, "text": _token(i), "logprob": -0.1, "special": False} for i in range(count)],
    }
    if request.details:
        details["prefill"] = [{"id": i, "text": "w", "logprob": None} for i in range(completion.input_tokens)]
    return [{"generated_text": text, "details": details}]


def _error(exc: InvokeError) -> tuple[int, dict[str, str], str]:
    body = {"message": exc.message, "Message": exc.message, **exc.extra}
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": exc.code, "status": str(exc.status)}
    return exc.status, headers, json.dumps(body)


def _serve(self: runtime_responses.SageMakerRuntimeResponse, *, streaming: bool) -> Any:
    name = self.path.split("/")[2]
    try:
        body = self.body if isinstance(self.body, bytes) else str(self.body or "").encode()
        if len(body) > MAX_BODY_BYTES:
            raise InvokeError(
                400,
                "ValidationError",
                f"Request body of {len(body)} bytes is above the "
                f"{MAX_BODY_BYTES}-byte (6 MiB) limit of the SageMaker runtime",
            )
        target = _endpoint_model(
            self.current_account,
            self.region,
            name,
            self.headers.get("X-Amzn-SageMaker-Inference-Component"),
        )
        serving = target.serving
        request = parse_request(serving.engine, body, streaming_call=streaming)
        _check_length(serving, request)
        attributes = parse_attributes(self.headers.get("X-Amzn-SageMaker-Custom-Attributes"))
        completion = simulate(
            account=self.current_account,
            region=self.region,
            name=target.key,
            serving=serving,
            request=request,
            attributes=attributes,
        )
    except InvokeError as exc:
        return _error(exc)
    timing = (
        f"{ATTRIBUTE_PREFIX}-first={decimal_seconds(completion.token_times_s[0])};"
        f"last={decimal_seconds(completion.token_times_s[-1])}"
    )
    headers = {
        "x-Amzn-Invoked-Production-Variant": target.variant,
        "X-Amzn-SageMaker-Custom-Attributes": timing,
        "status": "200",
    }
    model_id = request.model_id or target.label
    if not streaming:
        headers["Content-Type"] = "application/json"
        return 200, headers, json.dumps(whole_body(request, completion, model_id))
    events = (
        vllm_events(request, completion, model_id) if serving.engine == "vllm" else tgi_events(completion)
    )
    encoder = EventStreamEncoder()
    event_headers = {
        ":event-type": "PayloadPart",
        ":message-type": "event",
        ":content-type": "application/octet-stream",
    }
    stream = b"".join(
        encoder.encode_message(event_headers, part)
        for part in payload_parts(sse_body(events, serving.engine))
    )
    headers["Content-Type"] = "application/vnd.amazon.eventstream"
    headers["X-Amzn-SageMaker-Content-Type"] = "text/event-stream"
    return 200, headers, stream


def _invoke_endpoint(self: runtime_responses.SageMakerRuntimeResponse) -> Any:
    return _serve(self, streaming=False)


def _invoke_endpoint_with_response_stream(self: runtime_responses.SageMakerRuntimeResponse) -> Any:
    return _serve(self, streaming=True)


def _infer_host(original: Any) -> Any:
    def infer(self: Any, environ: dict[str, Any], path: str) -> str | None:
        host: str | None = original(self, environ, path)
        if host and host.startswith("api.sagemaker.") and path.endswith("/invocations-response-stream"):
            return host.replace("api.sagemaker.", "runtime.sagemaker.", 1)
        return host

    return infer


_installed = False


def install() -> None:
    """Serve both calls from the performance model; route the streaming path to the runtime (idempotent)."""
    global _installed  # noqa: PLW0603 - process-wide, like moto's own backends
    if _installed:
        return
    response = runtime_responses.SageMakerRuntimeResponse
    response.invoke_endpoint = _invoke_endpoint  # type: ignore[method-assign]
    response.invoke_endpoint_with_response_stream = _invoke_endpoint_with_response_stream  # type: ignore[attr-defined]
    runtime_urls.url_paths[STREAM_PATH] = runtime_urls.response.dispatch
    dispatcher = werkzeug_app.DomainDispatcherApplication
    dispatcher.infer_service_region_host = _infer_host(dispatcher.infer_service_region_host)  # type: ignore[method-assign]
    _installed = True
