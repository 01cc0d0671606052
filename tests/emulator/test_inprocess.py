"""In-process moto answers an API it lacks over HTTP (501), like the moto server (500)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from emulator.inprocess import not_implemented_as_http


def test_unimplemented_api_becomes_a_client_error_and_the_patch_is_undone() -> None:
    with mock_aws():
        ce = boto3.client("ce", region_name="us-east-1")
        with not_implemented_as_http(), pytest.raises(ClientError) as caught:
            ce.update_cost_allocation_tags_status(
                CostAllocationTagsStatus=[{"TagKey": "k", "Status": "Active"}]
            )
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
        with pytest.raises(NotImplementedError):
            ce.update_cost_allocation_tags_status(
                CostAllocationTagsStatus=[{"TagKey": "k", "Status": "Active"}]
            )


def test_report_benchmark_runs_small() -> None:
    from benchmarks.report_calls import measure

    figures = measure(3)
    assert figures["n"] == 3
    # S3: the calibration listing, one put per report file (six) and the manifest; CloudWatch: invocations (2),
    # the capacity series (2 ListMetrics, 1 GetMetricData) and cold starts (1 ListMetrics);
    # STS: the e-mail link role's session; Cost Explorer: usage, non-usage and tag activation.
    assert dict(figures["calls"]) == {
        "s3": 8,
        "cost-explorer": 3,
        "cloudwatch": 6,
        "resource-groups-tagging-api": 1,
        "pricing": 1,
        "sts": 1,
        "sns": 1,
    }
