"""DeleteChangeSet answers as AWS does: a missing change set is not an error (the CDK CLI relies on it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

TEMPLATE = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}}})


def test_deleting_a_missing_change_set_succeeds(cfn: Any) -> None:
    cfn.create_stack(StackName="emu", TemplateBody=TEMPLATE)

    cfn.delete_change_set(StackName="emu", ChangeSetName="cdk-deploy-change-set")

    assert cfn.list_change_sets(StackName="emu")["Summaries"] == []


def test_deleting_an_existing_change_set_removes_it(cfn: Any) -> None:
    cfn.create_change_set(
        StackName="emu", ChangeSetName="cdk-deploy-change-set", TemplateBody=TEMPLATE, ChangeSetType="CREATE"
    )

    cfn.delete_change_set(StackName="emu", ChangeSetName="cdk-deploy-change-set")

    assert cfn.list_change_sets(StackName="emu")["Summaries"] == []


def test_deleting_a_missing_change_set_by_arn_is_an_error(cfn: Any) -> None:
    arn = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/gone/00000000-0000-0000-0000-000000000000"

    with pytest.raises(ClientError, match="does not exist"):
        cfn.delete_change_set(ChangeSetName=arn)


def _topic_template(topic_name: str) -> str:
    return json.dumps(
        {
            "Description": f"topic {topic_name}",
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": topic_name}}},
            "Outputs": {
                "TopicArn": {"Value": {"Ref": "Topic"}, "Export": {"Name": "emu-topic-arn"}},
                "Name": {"Value": topic_name},
            },
        }
    )


def _execute(cfn: Any, template: str, change_set_type: str, stack_name: str = "emu") -> dict[str, Any]:
    cfn.create_change_set(
        StackName=stack_name, ChangeSetName="deploy", TemplateBody=template, ChangeSetType=change_set_type
    )
    cfn.execute_change_set(StackName=stack_name, ChangeSetName="deploy")
    cfn.delete_change_set(StackName=stack_name, ChangeSetName="deploy")
    stack: dict[str, Any] = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    return stack


def test_executing_a_change_set_refreshes_the_stack_outputs(cfn: Any) -> None:
    """``cdk deploy`` (change-set method) reads the outputs of the stack the change set created or updated."""
    arn = "arn:aws:sns:us-east-1:123456789012:{}"

    created = _execute(cfn, _topic_template("first"), "CREATE")
    assert created["StackStatus"] == "CREATE_COMPLETE"
    assert {o["OutputKey"]: o["OutputValue"] for o in created["Outputs"]} == {
        "TopicArn": arn.format("first"),
        "Name": "first",
    }
    assert created["Description"] == "topic first"

    updated = _execute(cfn, _topic_template("second"), "UPDATE")
    assert updated["StackStatus"] == "UPDATE_COMPLETE"
    assert {o["OutputKey"]: o["OutputValue"] for o in updated["Outputs"]} == {
        "TopicArn": arn.format("second"),
        "Name": "second",
    }
    assert updated["Description"] == "topic second"
    assert {e["Name"]: e["Value"] for e in cfn.list_exports()["Exports"]} == {
        "emu-topic-arn": arn.format("second")
    }


def test_a_stack_created_by_change_set_imports_another_stacks_export(cfn: Any) -> None:
    """The CDK wires stacks with exports and ``Fn::ImportValue``; ``cdk deploy`` creates them by change set."""
    _execute(cfn, _topic_template("alerts"), "CREATE")
    consumer = json.dumps(
        {
            "Resources": {"Other": {"Type": "AWS::SNS::Topic", "Properties": {}}},
            "Outputs": {"Imported": {"Value": {"Fn::ImportValue": "emu-topic-arn"}}},
        }
    )

    stack = _execute(cfn, consumer, "CREATE", stack_name="consumer")

    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["Outputs"] == [
        {"OutputKey": "Imported", "OutputValue": "arn:aws:sns:us-east-1:123456789012:alerts"}
    ]
