"""Changing an endpoint's instance type applies in ONE deploy: the synthesized inference stack deployed into the
emulator (change sets through boto3, as ``cdk deploy`` does), then deployed again with another instance type.

The emulator refuses, as SageMaker does, an endpoint update that changes the instance type of a variant
registered as a scalable target (:mod:`emulator.sagemaker`), runs the scaling gate's deployed handler from its
code zip and layer (:mod:`emulator.custom_resources`) and applies stack updates in CloudFormation's order
(:mod:`emulator.cloudformation`). The same change without the gate fails there, as it fails in AWS.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
import requests

from emulator import server
from stacks.config import load_config
from stacks.inference_stack import InferenceStack
from tests.conftest import ROOT

ACCOUNT, REGION = "123456789012", "us-east-1"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)
ENDPOINT = "demo-llm-qwen3-8b"
RESOURCE_ID = f"endpoint/{ENDPOINT}/variant/AllTraffic"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@dataclass(frozen=True)
class Templates:
    """The inference stack for the default config's first endpoint, before and after its type change."""

    before: dict[str, Any]
    after: dict[str, Any]
    legacy: dict[str, Any]  # before, with -c legacy_scaling_ids=true
    assets: dict[str, bytes]  # S3 key -> zip


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    config = load_config(ROOT / "infersave.yaml")
    first = config.endpoints[0]
    assert (first.name, first.instance_type) == ("qwen3-8b", "ml.inf2.xlarge")
    bigger = first.model_copy(update={"instance_type": "ml.inf2.8xlarge"})
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir), context=context)
    synthesizer = cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False)
    for name, endpoint in (("before", first), ("after", bigger), ("legacy", first)):
        InferenceStack(
            app,
            name,
            config=config.model_copy(update={"endpoints": [endpoint]}),
            legacy_scaling_ids=name == "legacy",
            env=ENV,
            synthesizer=synthesizer,
        )
    assembly = app.synth()
    assets: dict[str, bytes] = {}
    for name in ("before", "after", "legacy"):
        manifest = json.loads((Path(assembly.directory) / f"{name}.assets.json").read_text())
        for asset in manifest["files"].values():
            source = Path(assembly.directory) / asset["source"]["path"]
            for destination in asset["destinations"].values():
                assets[destination["objectKey"]] = _zip(source) if source.is_dir() else source.read_bytes()
    return Templates(
        before=assembly.get_stack_by_name("before").template,
        after=assembly.get_stack_by_name("after").template,
        legacy=assembly.get_stack_by_name("legacy").template,
        assets=assets,
    )


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


@pytest.fixture
def aws(templates: Templates, aws_credentials: None) -> Iterator[dict[str, Any]]:
    """A fresh emulator server holding the CDK assets; clients by service name."""
    url, stop = server.start(0)
    try:
        requests.post(f"{url}/moto-api/reset", timeout=10)  # moto's state is process-wide
        clients = {
            name: boto3.client(name, endpoint_url=url, region_name=REGION)  # type: ignore[call-overload]
            for name in ("cloudformation", "s3", "sagemaker", "application-autoscaling")
        }
        bucket = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"
        clients["s3"].create_bucket(Bucket=bucket)
        for key, body in templates.assets.items():
            clients["s3"].put_object(Bucket=bucket, Key=key, Body=body)
        yield clients
    finally:
        stop()


def _deploy(cfn: Any, stack: str, template: dict[str, Any], *, update: bool) -> str:
    """A change set (CREATE or UPDATE) executed, as ``cdk deploy`` does; returns the stack status."""
    change_set = cfn.create_change_set(
        StackName=stack,
        ChangeSetName="cdk-deploy-change-set",
        ChangeSetType="UPDATE" if update else "CREATE",
        TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    )
    cfn.execute_change_set(ChangeSetName=change_set["Id"], StackName=stack)
    return str(cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])


def _target(autoscaling: Any, resource_id: str = RESOURCE_ID) -> dict[str, Any] | None:
    targets = autoscaling.describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[resource_id], ScalableDimension=DIMENSION
    )["ScalableTargets"]
    return targets[0] if targets else None


def _desired_count(sagemaker: Any, endpoint: str = ENDPOINT) -> int:
    return int(
        sagemaker.describe_endpoint(EndpointName=endpoint)["ProductionVariants"][0]["DesiredInstanceCount"]
    )


def _instance_type(sagemaker: Any, endpoint: str = ENDPOINT) -> str:
    config = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    return str(
        sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]["InstanceType"]
    )


def test_instance_type_change_applies_in_one_deploy(templates: Templates, aws: dict[str, Any]) -> None:
    cfn, sagemaker, autoscaling = aws["cloudformation"], aws["sagemaker"], aws["application-autoscaling"]
    assert _deploy(cfn, "inference", templates.before, update=False) == "CREATE_COMPLETE"
    assert _target(autoscaling) is not None
    # Autoscaling scaled out to 3 since.
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=ENDPOINT,
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 3}],
    )

    assert _deploy(cfn, "inference", templates.after, update=True) == "UPDATE_COMPLETE"

    assert _instance_type(sagemaker) == "ml.inf2.8xlarge"
    assert _desired_count(sagemaker) == 3  # RetainAllVariantProperties kept the count
    target = _target(autoscaling)
    assert target is not None and (target["MinCapacity"], target["MaxCapacity"]) == (2, 4)  # from the config
    policies = autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=RESOURCE_ID)
    assert [
        re.search(r"Target(mlinf2\w+?)TargetTracking", p["PolicyName"]).group(1)
        for p in policies["ScalingPolicies"]
    ] == [  # type: ignore[union-attr]
        "mlinf28xlarge"
    ]
    actions = autoscaling.describe_scheduled_actions(ServiceNamespace="sagemaker", ResourceId=RESOURCE_ID)
    assert sorted(a["ScheduledActionName"] for a in actions["ScheduledActions"]) == [
        "OffHoursDown",
        "OffHoursUp",
    ]

    # Deleting the stack: the targets are retained by the stack, the gate's Delete deregisters the variant.
    cfn.delete_stack(StackName="inference")
    assert _target(autoscaling) is None


def _naive(template: dict[str, Any], *, prefix: str = "naive-", fixed_ids: bool = True) -> dict[str, Any]:
    """The same stack as infersave built it before the gate: no gate, one target logical id, no Retain."""
    resources = {k: v for k, v in template["Resources"].items() if v["Type"] != "Custom::ScalingGate"}
    text = json.dumps({**template, "Resources": resources})
    for kind, fixed in (
        ("AWS::ApplicationAutoScaling::ScalableTarget", "Target"),
        ("AWS::ApplicationAutoScaling::ScalingPolicy", "TargetTracking"),
    ):
        for logical_id in [k for k, v in resources.items() if v["Type"] == kind and fixed_ids]:
            text = text.replace(f'"{logical_id}"', f'"{fixed}"')
    naive = json.loads(text.replace(ENDPOINT, f"{prefix}{ENDPOINT}"))
    for body in naive["Resources"].values():
        if body["Type"] == "AWS::SageMaker::Endpoint":
            body.pop("DependsOn", None)
        if body["Type"].startswith("AWS::ApplicationAutoScaling::"):
            body.pop("DeletionPolicy", None)
            body.pop("UpdateReplacePolicy", None)
    return naive


def test_without_the_gate_the_same_change_fails_as_in_aws(templates: Templates, aws: dict[str, Any]) -> None:
    cfn, sagemaker, autoscaling = aws["cloudformation"], aws["sagemaker"], aws["application-autoscaling"]
    assert _deploy(cfn, "naive", _naive(templates.before), update=False) == "CREATE_COMPLETE"

    # SageMaker refuses the endpoint update; the stack fails and rolls back.
    assert _deploy(cfn, "naive", _naive(templates.after), update=True) == "UPDATE_ROLLBACK_COMPLETE"

    events = cfn.describe_stack_events(StackName="naive")["StackEvents"]
    failed = [
        e for e in events if e["ResourceStatus"] == "UPDATE_FAILED" and e["LogicalResourceId"] != "naive"
    ]
    assert [e["ResourceType"] for e in failed] == ["AWS::SageMaker::Endpoint"]
    assert "registered as an Application Auto Scaling scalable target" in failed[0]["ResourceStatusReason"], (
        failed
    )
    assert _instance_type(sagemaker, f"naive-{ENDPOINT}") == "ml.inf2.xlarge"
    assert _target(autoscaling, f"endpoint/naive-{ENDPOINT}/variant/AllTraffic") is not None


def test_upgrading_a_stack_deployed_before_the_gate_keeps_its_target(
    templates: Templates, aws: dict[str, Any]
) -> None:
    """Pre-gate stack -> one deploy with legacy ids -> normal deploys: the target stays registered throughout,
    with one policy; without the legacy step the rename's cleanup would deregister it."""
    cfn, autoscaling = aws["cloudformation"], aws["application-autoscaling"]
    assert _deploy(cfn, "inference", _naive(templates.legacy, prefix="", fixed_ids=False), update=False) == (
        "CREATE_COMPLETE"
    )

    assert _deploy(cfn, "inference", templates.legacy, update=True) == "UPDATE_COMPLETE"
    assert _deploy(cfn, "inference", templates.before, update=True) == "UPDATE_COMPLETE"

    target = _target(autoscaling)
    assert target is not None and (target["MinCapacity"], target["MaxCapacity"]) == (2, 4)
    policies = autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=RESOURCE_ID)
    assert [p["PolicyName"] for p in policies["ScalingPolicies"]] == [
        next(
            b["Properties"]["PolicyName"]
            for b in templates.before["Resources"].values()
            if b["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"
        )
    ]
    assert _deploy(cfn, "inference", templates.after, update=True) == "UPDATE_COMPLETE"
    assert _target(autoscaling) is not None


def test_upgrading_without_the_legacy_step_loses_the_target(
    templates: Templates, aws: dict[str, Any]
) -> None:
    """Why the legacy step exists: the old target (no Retain) is deleted after the new one registered."""
    cfn, autoscaling = aws["cloudformation"], aws["application-autoscaling"]
    _deploy(cfn, "inference", _naive(templates.legacy, prefix="", fixed_ids=False), update=False)

    assert _deploy(cfn, "inference", templates.before, update=True) == "UPDATE_COMPLETE"

    assert _target(autoscaling) is None
