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
