"""CloudFormation refuses templates over its quotas (emulator.cfn_quotas): 500 resources, 200 outputs, 1 MB."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.cfn_quotas import quota_error


def _template(resources: int, outputs: int = 0) -> str:
    return json.dumps(
        {
            "Resources": {f"Q{i}": {"Type": "AWS::SQS::Queue"} for i in range(resources)},
            "Outputs": {f"O{i}": {"Value": "x"} for i in range(outputs)},
        }
    )


def test_more_than_500_resources_is_refused_as_aws_words_it(aws: None) -> None:
    cfn = boto3.client("cloudformation")

    with pytest.raises(ClientError) as caught:
        cfn.create_stack(StackName="big", TemplateBody=_template(501))
    with pytest.raises(ClientError) as caught_change_set:
        cfn.create_change_set(
            StackName="big", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=_template(501)
        )

    for error in (caught.value, caught_change_set.value):
        assert error.response["Error"]["Code"] == "ValidationError"
        assert error.response["Error"]["Message"] == (
            "Template format error: Number of resources, 501, is greater than maximum allowed, 500"
        )


def test_at_the_limits_a_template_is_accepted(aws: None) -> None:
    cfn = boto3.client("cloudformation")
    assert quota_error(_template(500, 200)) is None

    cfn.create_change_set(
        StackName="ok", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=_template(1)
    )


def test_outputs_and_body_size_are_checked() -> None:
    assert quota_error(_template(1, 201)) == (
        "Template format error: Number of outputs, 201, is greater than maximum allowed, 200"
    )
    assert quota_error(_template(1) + " " * 1_000_000) == "Template may not exceed 1000000 bytes in size."
    assert (
        quota_error("Resources: !Ref x") is None
    )  # YAML with CloudFormation tags: moto's own parser decides
