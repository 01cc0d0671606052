"""Lambda-backed CloudFormation custom resources (``Custom::*``, ``AWS::CloudFormation::CustomResource``).

moto 5.2.5 gap closed: its ``CustomModel`` invokes the function through Docker on a thread and returns at once
(the stack goes on without the answer; Update and Delete are never sent). Here CloudFormation's protocol is
followed synchronously: the request (``RequestType`` Create/Update/Delete, ``ResponseURL``, ``StackId``,
``RequestId``, ``LogicalResourceId``, ``ResourceType``, ``ResourceProperties``, and for Update/Delete the
``PhysicalResourceId``, for Update ``OldResourceProperties``) goes to the function's handler, run in a child
process by :mod:`emulator.lambda_process`; its answer is PUT to a one-shot HTTP listener on loopback standing
in for the presigned S3 URL. ``SUCCESS`` gives the resource its ``PhysicalResourceId`` (``Ref``) and ``Data``
(``Fn::GetAtt``); ``FAILED``, or no answer, fails the resource and so the stack operation, which rolls back
(:mod:`emulator.cloudformation`). CloudFormation passes resource properties as strings; so does this.
An Update answered with a new physical id is a replacement: CloudFormation then sends the old resource a Delete
in the cleanup phase; here it is sent right after the Update.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref.html
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.custom_model import CustomModel
from moto.core.common_models import CloudFormationModel

from emulator.cloudformation import ResourceFailed
from emulator.lambda_process import LambdaInvocationError, invoke

CUSTOM_RESOURCE_TYPE = "AWS::CloudFormation::CustomResource"


class CustomResourceFailed(ResourceFailed):
    """The custom resource answered FAILED, or not at all; ``reason`` is what CloudFormation shows. The stack
    operation fails and rolls back (:mod:`emulator.cloudformation`)."""

    def __init__(self, resource_type: str, logical_id: str, reason: str) -> None:
        super().__init__(resource_type, "", reason, logical_id=logical_id)


def _as_strings(value: Any) -> Any:
    """Template values as CloudFormation sends them to a provider: scalars become strings."""
    if isinstance(value, dict):
        return {k: _as_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if value is None else str(value)


class _Listener:
    """A one-shot HTTP server on 127.0.0.1 that keeps the body of the first PUT it receives."""

    def __init__(self) -> None:
        received: list[bytes] = []

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                received.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/cfn-response"

    def __enter__(self) -> _Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def send_request(
    *,
    account_id: str,
    region_name: str,
    request_type: str,
    stack_id: str,
    logical_id: str,
    resource_type: str,
    properties: dict[str, Any],
    physical_id: str | None = None,
    old_properties: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Send one request to the ``ServiceToken`` function; returns (physical id, data) of a SUCCESS answer.

    Raises CustomResourceFailed with CloudFormation's reason otherwise.
    """
    request_id = str(uuid.uuid4())
    with _Listener() as listener:
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": properties.get("ServiceToken", ""),
            "ResponseURL": listener.url,
            "StackId": stack_id,
            "RequestId": request_id,
            "LogicalResourceId": logical_id,
            "ResourceType": resource_type,
            "ResourceProperties": properties,
        }
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        if old_properties is not None:
            event["OldResourceProperties"] = old_properties
        try:
            result = invoke(account_id, region_name, str(properties.get("ServiceToken", "")), event)
        except LambdaInvocationError as exc:
            raise CustomResourceFailed(resource_type, logical_id, f"{logical_id}: {exc}") from exc
        received = list(listener.received)
    if not received:
        tail = " ".join(result.output.strip().splitlines()[-3:])[-500:]
        raise CustomResourceFailed(
            resource_type,
            logical_id,
            f"{logical_id}: the custom resource sent no response (CloudFormation would wait for its "
            f"ServiceTimeout and fail); handler output: {tail}",
        )
    answer = json.loads(received[0])
    if answer.get("RequestId") != request_id or answer.get("LogicalResourceId") != logical_id:
        raise CustomResourceFailed(
            resource_type, logical_id, f"{logical_id}: the response does not match the request"
        )
    if answer.get("Status") != "SUCCESS":
        raise CustomResourceFailed(
            resource_type, logical_id, str(answer.get("Reason") or "the custom resource answered FAILED")
        )
    physical = str(answer.get("PhysicalResourceId") or "")
    if not physical:
        raise CustomResourceFailed(
            resource_type, logical_id, f"{logical_id}: the response has no PhysicalResourceId"
        )
    return physical, dict(answer.get("Data") or {})


def _identity(
    account_id: str, region_name: str, stack_id: str, logical_id: str, resource_type: str
) -> dict[str, Any]:
    """The fields that name a custom resource in every request and in :class:`LambdaCustomResource`."""
    return {
        "account_id": account_id,
        "region_name": region_name,
        "stack_id": stack_id,
        "logical_id": logical_id,
        "resource_type": resource_type,
    }


class LambdaCustomResource(CustomModel):
    """A custom resource answered by a Lambda function; not a direct ``CloudFormationModel`` subclass, so moto's
    type registry does not list it (it is reached through :func:`_resource_class_from_type`)."""

    def __init__(
        self,
        *,
        account_id: str,
        region_name: str,
        stack_id: str,
        logical_id: str,
        resource_type: str,
        properties: dict[str, Any],
        physical_id: str,
        data: dict[str, Any],
    ) -> None:
        super().__init__(region_name, "", logical_id, physical_id)
        self.account_id = account_id
        self.stack_id = stack_id
        self.resource_type = resource_type
        self.properties = properties
        self.set_data(data)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LambdaCustomResource:
        """Create request."""
        properties = _as_strings(cloudformation_json.get("Properties", {}))
        common = _identity(
            account_id, region_name, kwargs["StackId"], kwargs["LogicalId"], kwargs["ResourceType"]
        )
        physical, data = send_request(request_type="Create", properties=properties, **common)
        return cls(properties=properties, physical_id=physical, data=data, **common)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: LambdaCustomResource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> LambdaCustomResource:
        """Update request (with the old properties); a new physical id deletes the old resource."""
        properties = _as_strings(cloudformation_json.get("Properties", {}))
        original = original_resource
        common = _identity(
            account_id, region_name, original.stack_id, original.logical_id, original.resource_type
        )
        physical, data = send_request(
            request_type="Update",
            properties=properties,
            physical_id=original_resource.physical_resource_id,
            old_properties=original_resource.properties,
            **common,
        )
        if physical != original_resource.physical_resource_id:
            original_resource.delete(account_id, region_name)
        return cls(properties=properties, physical_id=physical, data=data, **common)

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete request."""
        send_request(
            account_id=account_id,
            region_name=region_name,
            request_type="Delete",
            stack_id=self.stack_id,
            logical_id=self.logical_id,
            resource_type=self.resource_type,
            properties=self.properties,
            physical_id=self.physical_resource_id,
        )


_moto_resource_class_from_type = parsing.resource_class_from_type


def _resource_class_from_type(resource_type: str) -> type[CloudFormationModel]:
    """Custom resources are answered by :class:`LambdaCustomResource` (moto: its Docker-based CustomModel)."""
    if resource_type.startswith("Custom::") or resource_type == CUSTOM_RESOURCE_TYPE:
        return LambdaCustomResource
    return _moto_resource_class_from_type(resource_type)


def install() -> None:
    """Route custom resource types to :class:`LambdaCustomResource`."""
    parsing.resource_class_from_type = _resource_class_from_type
