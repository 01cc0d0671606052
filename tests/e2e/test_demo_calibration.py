"""The demo's calibration phase against the deployed app: baseline stack deployed and deleted, result written,
the endpoint tagged as measured. Tags are restored afterwards, so the pinned report figures (ratio 1.0) hold in
any test order."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from botocore.exceptions import ClientError

from demo import calibration, local_aws
from lambdas.common import tags
from stacks.config import parse_config
from tests.e2e.conftest import CONFIG_PATH, Deployment

MEASURED_KEYS = (tags.INPUT_TOKENS_PER_REQUEST, tags.OUTPUT_TOKENS_PER_REQUEST)


def test_calibration_measures_writes_and_tags(deployment: Deployment, tmp_path: Path) -> None:
    config = deployment.config
    endpoint = next((e for e in config.endpoints if e.name == calibration.DEMO_ENDPOINT), config.endpoints[0])
    name = config.endpoint_name(endpoint)
    sagemaker = deployment.client("sagemaker")
    arn = sagemaker.describe_endpoint(EndpointName=name)["EndpointArn"]
    before = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]}
    env = local_aws.child_environment(local_aws.aws_environment(deployment.url, deployment.region))
    try:
        document, path = calibration.calibrate(env, config, CONFIG_PATH, tmp_path)

        after = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]}
        assert after[tags.CAPACITY_RATIO_SOURCE] == f"measured:{document['date']}"
        ratio = Decimal(after[tags.BASELINE_CAPACITY_RATIO])
        assert ratio == Decimal(str(document["capacity_ratio"])).quantize(Decimal("0.01"))
        assert document["capacity_ratio_low"] <= document["capacity_ratio"] <= document["capacity_ratio_high"]
        assert all(Decimal(after[key]) > 0 for key in MEASURED_KEYS)
        copy = parse_config(
            yaml.safe_load((tmp_path / "infersave.calibrated.yaml").read_text(encoding="utf-8"))
        )
        edited = next(e for e in copy.endpoints if e.name == endpoint.name)
        assert edited.baseline.capacity_ratio == ratio
        assert edited.baseline.capacity_ratio_source == after[tags.CAPACITY_RATIO_SOURCE]
        assert document["schema_version"] == 1 and document["endpoint_name"] == name
        assert document["sides"]["baseline"]["instance_type"] == endpoint.baseline.instance_type
        assert document["notes"][0].startswith("timings are the local emulator's performance model")
        bucket = deployment.cost_outputs["ReportsBucketName"]
        key = f"calibrations/{name}/{path.name}"
        assert deployment.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read() == path.read_bytes()
        with pytest.raises(ClientError, match="does not exist"):
            deployment.client("cloudformation").describe_stacks(
                StackName=f"infersave-{config.project}-calibration-{endpoint.name}"
            )
    finally:
        sagemaker.delete_tags(ResourceArn=arn, TagKeys=[k for k in MEASURED_KEYS if k not in before])
        keep = (tags.BASELINE_CAPACITY_RATIO, tags.CAPACITY_RATIO_SOURCE)
        sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": k, "Value": before[k]} for k in keep])


def test_an_inference_component_endpoint_is_calibrated_from_zero_copies(
    deployment: Deployment, tmp_path: Path
) -> None:
    config = deployment.config
    endpoint = next((e for e in config.endpoints if e.serving == "inference_component"), None)
    if endpoint is None:
        pytest.skip("the deployed config has no inference-component endpoint")
    name = config.endpoint_name(endpoint)
    sagemaker = deployment.client("sagemaker")
    component = name  # the endpoint's own model's component (stacks.config.components.component_name)
    before = sagemaker.describe_inference_component(InferenceComponentName=component)["RuntimeConfig"]
    sagemaker.update_inference_component_runtime_config(
        InferenceComponentName=component, DesiredRuntimeConfig={"CopyCount": 0}
    )
    env = local_aws.child_environment(local_aws.aws_environment(deployment.url, deployment.region))
    copy = tmp_path / "infersave.yaml"
    copy.write_bytes(CONFIG_PATH.read_bytes())
    # This run's window only: the replayed month put the scenario's cold starts into the same series.
    started = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    try:
        local_aws.run_command(
            [sys.executable, "-m", "ops.calibrate", "--endpoint", endpoint.name, "--config", str(copy),
             "--out", str(tmp_path), "--yes", "--local", "--virtual-time", *calibration.DEMO_FLAGS],
            env, tmp_path / "calibrate.log", timeout_s=300,
        )  # fmt: skip

        (path,) = (tmp_path / "calibrations" / name).glob("*.json")
        document = json.loads(path.read_text(encoding="utf-8"))
        measured = document["inference_component"]
        assert (measured["name"], measured["copies"], measured["copies_per_instance"]) == (component, 1, 1)
        assert measured["warm_up_s"] is not None  # brought up from zero copies, outside the measurement
        assert document["capacity_ratio"] is not None
        assert document["sides"]["inf2"]["levels"] and document["sides"]["baseline"]["levels"]
        failures = deployment.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/SageMaker",
            MetricName="NoCapacityInvocationFailures",
            Dimensions=[{"Name": "InferenceComponentName", "Value": component}],
            StartTime=started,
            EndTime=datetime.now(UTC) + timedelta(minutes=1),
            Period=60,
            Statistics=["Sum"],
        )["Datapoints"]
        assert not failures  # the warm-up refused no request (no cold start counted)
    finally:
        sagemaker.update_inference_component_runtime_config(
            InferenceComponentName=component, DesiredRuntimeConfig={"CopyCount": before["DesiredCopyCount"]}
        )
