"""The scaling gate: what it decides per request (pure), its answer to CloudFormation, and the handler against
moto (the target deregistered on an instance type change, FAILED answered for a request it cannot act on)."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from moto import mock_aws

import emulator
from lambdas.scaling_gate import handler, response
from lambdas.scaling_gate.request import Action, GateRequest, RequestError, decide

RESOURCE_ID = "endpoint/demo-llm/variant/AllTraffic"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def _event(request_type: str, instance_type: str = "ml.inf2.8xlarge", **extra: Any) -> dict[str, Any]:
    event = {
        "RequestType": request_type,
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:gate",
        "ResponseURL": "http://127.0.0.1:9/unused",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/demo/1",
        "RequestId": "request-1",
        "LogicalResourceId": "Gate",
        "ResourceType": "Custom::ScalingGate",
        "ResourceProperties": {"ServiceToken": "x", "ResourceId": RESOURCE_ID, "InstanceType": instance_type},
    }
    if request_type != "Create":
        event["PhysicalResourceId"] = RESOURCE_ID
    if request_type == "Update":
        event["OldResourceProperties"] = {"ResourceId": RESOURCE_ID, "InstanceType": "ml.inf2.xlarge"}
    return {**event, **extra}


@pytest.mark.parametrize(
    ("event", "action"),
    [
        (_event("Create"), Action.NOTHING),
        (_event("Update"), Action.DEREGISTER),  # xlarge -> 8xlarge
        (_event("Update", "ml.inf2.xlarge"), Action.NOTHING),  # container or sizes changed only
        (_event("Delete"), Action.DEREGISTER),
        (_event("Delete", PhysicalResourceId="failed-create"), Action.NOTHING),
    ],
)
def test_decide(event: dict[str, Any], action: Action) -> None:
    decision = decide(GateRequest.parse(event))
    assert decision.action is action
    if event["RequestType"] != "Delete" or action is Action.DEREGISTER:
        assert decision.physical_resource_id == RESOURCE_ID  # stable: never a replacement


def test_a_new_endpoint_name_is_not_deregistered_by_the_update() -> None:
    event = _event("Update")
    event["OldResourceProperties"] = {
        "ResourceId": "endpoint/old/variant/AllTraffic",
        "InstanceType": "ml.inf2.xlarge",
    }
    decision = decide(GateRequest.parse(event))
    assert (decision.action, decision.physical_resource_id) == (Action.NOTHING, RESOURCE_ID)


def test_malformed_properties_are_kept_for_a_failed_answer() -> None:
    request = GateRequest.parse(
        _event("Create", ResourceProperties={"ResourceId": "endpoint/x", "InstanceType": "ml.inf2.xlarge"})
    )
    with pytest.raises(
        RequestError, match=re.escape("ResourceProperties.ResourceId: 'endpoint/x' is not endpoint/")
    ):
        decide(request)
    with pytest.raises(RequestError, match="no ResponseURL"):
        GateRequest.parse({k: v for k, v in _event("Create").items() if k != "ResponseURL"})


def test_response_body_fits_4096_bytes() -> None:
    request = GateRequest.parse(_event("Create"))
    body = response.body(request, "FAILED", "x\n" * 5000, RESOURCE_ID)
    assert len(body) <= response.MAX_BODY_BYTES
    document = json.loads(body)
    assert document["Reason"].endswith("...") and document["RequestId"] == "request-1"


def test_send_retries_server_errors_and_gives_up_on_client_errors() -> None:
    calls: list[int] = []

    def flaky(request: Any, timeout: int) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise urllib.error.HTTPError(request.full_url, 503, "busy", {}, None)  # type: ignore[arg-type]

    response.send("http://127.0.0.1:9/x", b"{}", sleep=lambda _: None, opener=flaky)
    assert len(calls) == 3

    def forbidden(request: Any, timeout: int) -> None:
        raise urllib.error.HTTPError(request.full_url, 403, "expired", {}, None)  # type: ignore[arg-type]

    with pytest.raises(response.ResponseNotDelivered, match="HTTP 403"):
        response.send("http://127.0.0.1:9/x", b"{}", sleep=lambda _: None, opener=forbidden)


@pytest.fixture
def response_url() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback stand-in for the presigned ResponseURL; collects the answers PUT to it."""
    answers: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            assert self.headers.get("Content-Type", "") == ""
            answers.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/response", answers
    server.shutdown()
    server.server_close()


@pytest.fixture
def autoscaling() -> Iterator[Any]:
    emulator.install()
    with mock_aws():
        handler.get_client.cache_clear()
        client = boto3.client("application-autoscaling", region_name="us-east-1")
        client.register_scalable_target(
            ServiceNamespace="sagemaker",
            ResourceId=RESOURCE_ID,
            ScalableDimension=DIMENSION,
            MinCapacity=2,
            MaxCapacity=4,
        )
        yield client
        handler.get_client.cache_clear()


class Context:
    function_name = "gate"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:gate"
    aws_request_id = "1"
    log_stream_name = "stream"


def _targets(client: Any) -> list[dict[str, Any]]:
    return list(client.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"])


def test_update_that_changes_the_instance_type_deregisters_and_answers_success(
    autoscaling: Any, response_url: tuple[str, list[dict[str, Any]]]
) -> None:
    url, answers = response_url
    result = handler.lambda_handler(_event("Update", ResponseURL=url), Context())  # type: ignore[arg-type]
    assert _targets(autoscaling) == []
    assert [a["Status"] for a in answers] == ["SUCCESS"] and answers[0]["PhysicalResourceId"] == RESOURCE_ID
    assert "was min 2, max 4" in result["Reason"]
    # Replayed (Lambda's asynchronous retry): nothing registered, still SUCCESS.
    handler.lambda_handler(_event("Update", ResponseURL=url), Context())  # type: ignore[arg-type]
    assert [a["Status"] for a in answers] == ["SUCCESS", "SUCCESS"]


def test_update_of_the_same_instance_type_leaves_the_target(
    autoscaling: Any, response_url: tuple[str, list[dict[str, Any]]]
) -> None:
    url, answers = response_url
    handler.lambda_handler(_event("Update", "ml.inf2.xlarge", ResponseURL=url), Context())  # type: ignore[arg-type]
    assert len(_targets(autoscaling)) == 1 and answers[0]["Status"] == "SUCCESS"


def test_a_request_it_cannot_read_is_answered_failed(
    autoscaling: Any, response_url: tuple[str, list[dict[str, Any]]]
) -> None:
    url, answers = response_url
    event = _event("Delete", ResponseURL=url, ResourceProperties={"ResourceId": RESOURCE_ID})
    handler.lambda_handler(event, Context())  # type: ignore[arg-type]
    assert answers[0]["Status"] == "FAILED" and "InstanceType" in answers[0]["Reason"]
    assert answers[0]["PhysicalResourceId"] == RESOURCE_ID
    assert len(_targets(autoscaling)) == 1
