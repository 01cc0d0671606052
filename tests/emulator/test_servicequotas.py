"""emulator.servicequotas: SageMaker endpoint-usage quotas as Service Quotas answers them, and increase requests."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.servicequotas import load_defaults
from tests.emulator.conftest import ACCOUNT_ID, REGION

INF2_XLARGE = "ml.inf2.xlarge for endpoint usage"


@pytest.fixture
def quotas(aws: None) -> Any:
    return boto3.client("service-quotas", region_name=REGION)


def _code(name: str) -> str:
    return next(q["QuotaCode"] for q in load_defaults() if q["QuotaName"] == name)


def test_the_bundled_table_covers_every_inf2_type_of_the_catalog() -> None:
    from lambdas.common.catalog import load_catalog

    inf2 = {name for name in load_catalog().instances if name.startswith("ml.inf2.")}
    assert {q["QuotaName"] for q in load_defaults()} == {f"{t} for endpoint usage" for t in inf2}


def test_defaults_list_the_endpoint_usage_quotas_at_zero_paginated(quotas: Any) -> None:
    first = quotas.list_aws_default_service_quotas(ServiceCode="sagemaker", MaxResults=3)
    assert len(first["Quotas"]) == 3
    rest = quotas.list_aws_default_service_quotas(ServiceCode="sagemaker", NextToken=first["NextToken"])
    assert "NextToken" not in rest
    listed = {q["QuotaName"]: q for q in first["Quotas"] + rest["Quotas"]}
    assert listed[INF2_XLARGE]["Value"] == 0.0
    assert listed[INF2_XLARGE]["ServiceCode"] == "sagemaker"
    assert listed[INF2_XLARGE]["Adjustable"] is True
    assert (
        listed[INF2_XLARGE]["QuotaArn"] == f"arn:aws:servicequotas:{REGION}::sagemaker/{_code(INF2_XLARGE)}"
    )


def test_a_fresh_account_has_no_applied_sagemaker_quotas(quotas: Any) -> None:
    assert quotas.list_service_quotas(ServiceCode="sagemaker")["Quotas"] == []


def test_an_approved_increase_becomes_the_applied_value(quotas: Any) -> None:
    code = _code(INF2_XLARGE)
    requested = quotas.request_service_quota_increase(ServiceCode="sagemaker", QuotaCode=code, DesiredValue=6)
    assert requested["RequestedQuota"]["Status"] == "APPROVED"
    assert requested["RequestedQuota"]["QuotaName"] == INF2_XLARGE
    (applied,) = quotas.list_service_quotas(ServiceCode="sagemaker")["Quotas"]
    assert (applied["QuotaName"], applied["Value"]) == (INF2_XLARGE, 6.0)
    assert applied["QuotaArn"] == f"arn:aws:servicequotas:{REGION}:{ACCOUNT_ID}:sagemaker/{code}"
    assert quotas.get_service_quota(ServiceCode="sagemaker", QuotaCode=code)["Quota"]["Value"] == 6.0
    # The defaults do not change with the account's values.
    defaults = quotas.list_aws_default_service_quotas(ServiceCode="sagemaker")["Quotas"]
    assert {q["QuotaName"]: q["Value"] for q in defaults}[INF2_XLARGE] == 0.0


def test_applied_values_are_per_region(quotas: Any) -> None:
    quotas.request_service_quota_increase(
        ServiceCode="sagemaker", QuotaCode=_code(INF2_XLARGE), DesiredValue=2
    )
    other = boto3.client("service-quotas", region_name="us-west-2")
    assert other.list_service_quotas(ServiceCode="sagemaker")["Quotas"] == []


@pytest.mark.parametrize(
    ("quota_code", "desired", "error"),
    [
        ("emu-no-such-quota", 1, "NoSuchResourceException"),
        (None, 0, "IllegalArgumentException"),  # not above the current value
    ],
)
def test_increase_requests_aws_refuses(quotas: Any, quota_code: str | None, desired: int, error: str) -> None:
    with pytest.raises(ClientError) as raised:
        quotas.request_service_quota_increase(
            ServiceCode="sagemaker", QuotaCode=quota_code or _code(INF2_XLARGE), DesiredValue=desired
        )
    assert raised.value.response["Error"]["Code"] == error


def test_a_bad_pagination_token_is_refused(quotas: Any) -> None:
    with pytest.raises(ClientError) as raised:
        quotas.list_aws_default_service_quotas(ServiceCode="sagemaker", NextToken="NDI=")  # offset 42
    assert raised.value.response["Error"]["Code"] == "InvalidPaginationTokenException"


def test_unknown_services_still_answer_no_such_resource_and_vpc_keeps_motos_table(quotas: Any) -> None:
    with pytest.raises(ClientError) as raised:
        quotas.list_aws_default_service_quotas(ServiceCode="nosuchservice")
    assert raised.value.response["Error"]["Code"] == "NoSuchResourceException"
    assert quotas.list_aws_default_service_quotas(ServiceCode="vpc", MaxResults=1)["NextToken"]
