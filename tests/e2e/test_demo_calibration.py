"""The demo's calibration phase against the deployed app: baseline stack deployed and deleted, result written,
the endpoint tagged as measured. Tags are restored afterwards, so the pinned report figures (ratio 1.0) hold in
any test order."""

from __future__ import annotations

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
