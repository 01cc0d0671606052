"""Lambda-backed custom resources: the deployed function's handler runs from its code zip in a child process
and its answer decides the resource (CloudFormation custom resource request and response reference,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref.html). Needs the emulator's server:
the handler's process reaches the emulator over loopback."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from emulator import server

HANDLER = """
import json, os, urllib.request

def handler(event, context):
    with open(os.environ["RECORD"], "a") as record:
        record.write(json.dumps(event) + "\\n")
    props = event["ResourceProperties"]
    if props.get("Answer") == "NONE":
        return {}
    body = json.dumps({
        "Status": props.get("Answer", "SUCCESS"), "Reason": props.get("Reason", "done"),
        "PhysicalResourceId": "echo-" + props["Name"], "StackId": event["StackId"],
        "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
        "Data": {"Greeting": "hello " + props["Name"]},
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
    urllib.request.urlopen(request, timeout=10)
    return {"answered": True}
"""


@pytest.fixture
def cfn(tmp_path: Path, aws_credentials: None) -> Iterator[Any]:
    url, stop = server.start(0)
    try:
        requests.post(f"{url}/moto-api/reset", timeout=10)  # moto's state is process-wide
        s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
        s3.create_bucket(Bucket="code")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("echo.py", HANDLER)
        s3.put_object(Bucket="code", Key="echo.zip", Body=buffer.getvalue())
        yield boto3.client("cloudformation", endpoint_url=url, region_name="us-east-1")
    finally:
        stop()


def _template(record: Path, **properties: Any) -> str:
    return json.dumps(
        {
            "Resources": {
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"Service": "lambda.amazonaws.com"},
                                    "Action": "sts:AssumeRole",
                                }
                            ],
                        }
                    },
                },
                "Function": {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Code": {"S3Bucket": "code", "S3Key": "echo.zip"},
                        "Handler": "echo.handler",
                        "Runtime": "python3.13",
                        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                        "Environment": {"Variables": {"RECORD": str(record)}},
                    },
                },
                "Echo": {
                    "Type": "Custom::Echo",
                    "Properties": {"ServiceToken": {"Fn::GetAtt": ["Function", "Arn"]}, **properties},
                },
            },
            "Outputs": {
                "Ref": {"Value": {"Ref": "Echo"}},
                "Greeting": {"Value": {"Fn::GetAtt": ["Echo", "Greeting"]}},
            },
        }
    )


def _requests(record: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in record.read_text().splitlines()]


def _stack(cfn: Any) -> dict[str, Any]:
    stack: dict[str, Any] = cfn.describe_stacks(StackName="cr")["Stacks"][0]
    return stack


def test_create_update_replace_delete(cfn: Any, tmp_path: Path) -> None:
    record = tmp_path / "requests.jsonl"
    cfn.create_stack(StackName="cr", TemplateBody=_template(record, Name="a", Count=3))
    outputs = {o["OutputKey"]: o["OutputValue"] for o in _stack(cfn)["Outputs"]}
    assert outputs == {"Ref": "echo-a", "Greeting": "hello a"}
    (create,) = _requests(record)
    assert create["RequestType"] == "Create"
    assert create["ResourceProperties"]["Count"] == "3"  # CloudFormation sends strings
    assert create["LogicalResourceId"] == "Echo" and create["ResourceType"] == "Custom::Echo"

    cfn.update_stack(StackName="cr", TemplateBody=_template(record, Name="b", Count=3))

    assert _stack(cfn)["StackStatus"] == "UPDATE_COMPLETE"
    update, delete = _requests(record)[1:]
    assert (update["RequestType"], update["PhysicalResourceId"]) == ("Update", "echo-a")
    assert update["OldResourceProperties"]["Name"] == "a"
    # A new physical id is a replacement: the old resource gets a Delete.
    assert (delete["RequestType"], delete["PhysicalResourceId"]) == ("Delete", "echo-a")

    cfn.delete_stack(StackName="cr")

    last = _requests(record)[-1]
    assert (last["RequestType"], last["PhysicalResourceId"]) == ("Delete", "echo-b")


def test_failed_answer_fails_the_update_with_its_reason(cfn: Any, tmp_path: Path) -> None:
    record = tmp_path / "requests.jsonl"
    cfn.create_stack(StackName="cr", TemplateBody=_template(record, Name="a"))

    cfn.update_stack(
        StackName="cr", TemplateBody=_template(record, Name="a", Answer="FAILED", Reason="no way")
    )

    # The update fails, then rolls back: the previous properties go to the function again, as an Update.
    assert _stack(cfn)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="cr")["StackEvents"]
    (failed,) = [
        e for e in events if e["LogicalResourceId"] == "Echo" and e["ResourceStatus"] == "UPDATE_FAILED"
    ]
    assert failed["ResourceStatusReason"] == "no way"
    rollback = _requests(record)[-1]
    assert rollback["RequestType"] == "Update" and "Answer" not in rollback["ResourceProperties"]


def test_no_answer_fails_the_change_set(cfn: Any, tmp_path: Path) -> None:
    record = tmp_path / "requests.jsonl"
    change_set = cfn.create_change_set(
        StackName="cr",
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateBody=_template(record, Name="a", Answer="NONE"),
    )

    cfn.execute_change_set(ChangeSetName=change_set["Id"])

    assert _stack(cfn)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="cr")["StackEvents"]
    (failed,) = [
        e for e in events if e["LogicalResourceId"] == "Echo" and e["ResourceStatus"] == "CREATE_FAILED"
    ]
    assert "sent no response" in failed["ResourceStatusReason"]
