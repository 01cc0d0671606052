"""Service Quotas for SageMaker: the endpoint-usage quotas per instance type, and quota increase requests.

moto 5.2.5 gap closed: its Service Quotas backend knows only ``vpc``. For ``sagemaker``
ListAWSDefaultServiceQuotas answers NoSuchResourceException, and ListServiceQuotas and
RequestServiceQuotaIncrease are not implemented (HTTP 500 from the server, 501 in process), so nothing could
check a deploy against the quotas that stop a real one (CreateEndpoint fails with ResourceLimitExceeded,
"The account-level service limit 'ml.inf2.xlarge for endpoint usage' is 0 Instances ...").

What the emulator answers, per account and Region (moto's backend keys):

- ListAWSDefaultServiceQuotas ``sagemaker``: the bundled table ``servicequotas_sagemaker.json`` (dated, with
  its sources; the ``<instance type> for endpoint usage`` quotas of the ``ml.inf2.*`` types, default 0 as in
  new accounts), paginated with ``MaxResults`` (1-100) and ``NextToken`` as the API model declares. moto's
  own ``vpc`` table is paginated the same way.
- ListServiceQuotas ``sagemaker``: the quotas that have an applied (account-level) value, paginated. "If the
  applied quota value is not available for a quota, the quota is not retrieved" (ListServiceQuotas API
  reference), so a fresh account lists none and callers fall back to the defaults, as they must on AWS.
- RequestServiceQuotaIncrease: a ``DesiredValue`` above the current value of an adjustable quota is
  **approved at once** and becomes the applied value (on AWS a request is ``PENDING`` until AWS reviews it;
  small increases may be approved automatically, others open a support case). This is how the demo and the
  tests set an account's quotas: the way a user would. A value not above the current one, or a quota that is
  not adjustable, answers IllegalArgumentException; an unknown quota NoSuchResourceException.
- GetServiceQuota ``sagemaker``: the applied value, else the default.

Not modelled: usage (``UsageMetric``), resource-level quotas, request history, and CreateEndpoint enforcing
the quota (moto's SageMaker backend creates any number of instances).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from moto.core.exceptions import JsonRESTError
from moto.servicequotas import models as sq_models
from moto.servicequotas import responses as sq_responses
from moto.servicequotas.exceptions import NoSuchResource
from moto.utilities.utils import get_partition

DEFAULTS_FILE: Final = Path(__file__).with_name("servicequotas_sagemaker.json")
SAGEMAKER: Final = "sagemaker"
SAGEMAKER_SERVICE_NAME: Final = "Amazon SageMaker"
#: ``MaxResults`` range of ListServiceQuotas / ListAWSDefaultServiceQuotas (botocore model: min 1, max 100).
MAX_RESULTS: Final = 100


def load_defaults(path: Path = DEFAULTS_FILE) -> list[dict[str, Any]]:
    """The bundled SageMaker default quotas (``QuotaName``, ``QuotaCode``, ``Value``, ``Adjustable``, ``Unit``)."""
    quotas: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["quotas"]
    return quotas


class IllegalArgument(JsonRESTError):
    """The API's IllegalArgumentException."""

    def __init__(self, message: str) -> None:
        super().__init__("IllegalArgumentException", message)


class InvalidPaginationToken(JsonRESTError):
    """The API's InvalidPaginationTokenException."""

    def __init__(self) -> None:
        super().__init__("InvalidPaginationTokenException", "Invalid pagination token")


def _quota(entry: dict[str, Any], region: str, account_id: str, value: float | None = None) -> dict[str, Any]:
    """A ``ServiceQuota`` of the API: ``account_id`` "" for a default (its ARN has no account, as AWS's)."""
    return {
        "ServiceCode": SAGEMAKER,
        "ServiceName": SAGEMAKER_SERVICE_NAME,
        "QuotaArn": f"arn:{get_partition(region)}:servicequotas:{region}:{account_id}:{SAGEMAKER}/{entry['QuotaCode']}",
        "QuotaCode": entry["QuotaCode"],
        "QuotaName": entry["QuotaName"],
        "Value": float(entry["Value"] if value is None else value),
        "Unit": entry["Unit"],
        "Adjustable": bool(entry["Adjustable"]),
        "GlobalQuota": False,
    }


def _applied(backend: Any) -> dict[tuple[str, str], float]:
    """The account's applied values in this Region, by (service code, quota code); created on first use."""
    if not hasattr(backend, "emulator_applied_quotas"):
        backend.emulator_applied_quotas = {}
    applied: dict[tuple[str, str], float] = backend.emulator_applied_quotas
    return applied


def _defaults(backend: Any, service_code: str) -> list[dict[str, Any]]:
    """Default quotas of ``service_code`` as the API answers them; NoSuchResourceException if unknown."""
    if service_code == SAGEMAKER:
        return [_quota(entry, backend.region_name, "") for entry in load_defaults()]
    quotas: list[dict[str, Any]] = _original_list_defaults(backend, service_code)
    return quotas


def _page(items: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    """``Quotas`` and ``NextToken`` for one page (``NextToken``: base64 of the next offset)."""
    max_results = int(params.get("MaxResults") or MAX_RESULTS)
    if not 1 <= max_results <= MAX_RESULTS:
        raise IllegalArgument(f"MaxResults must be between 1 and {MAX_RESULTS}")
    start = 0
    if params.get("NextToken"):
        try:
            start = int(base64.b64decode(params["NextToken"], validate=True).decode("ascii"))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise InvalidPaginationToken() from None
        if not 0 < start < len(items):
            raise InvalidPaginationToken()
    end = start + max_results
    answer: dict[str, Any] = {"Quotas": items[start:end]}
    if end < len(items):
        answer["NextToken"] = base64.b64encode(str(end).encode("ascii")).decode("ascii")
    return answer


def _list_defaults(self: Any) -> str:
    """ListAWSDefaultServiceQuotas, paginated."""
    params = json.loads(self.body)
    return json.dumps(_page(_defaults(self.backend, str(params.get("ServiceCode"))), params))


def _list_applied(self: Any) -> str:
    """ListServiceQuotas: the quotas with an applied value, paginated."""
    params = json.loads(self.body)
    service_code = str(params.get("ServiceCode"))
    defaults = _defaults(self.backend, service_code)
    applied = _applied(self.backend)
    arn_prefix = f"arn:{get_partition(self.region)}:servicequotas:{self.region}:{self.current_account}"
    quotas = [
        {
            **quota,
            "Value": applied[(service_code, quota["QuotaCode"])],
            "QuotaArn": f"{arn_prefix}:{service_code}/{quota['QuotaCode']}",
        }
        for quota in defaults
        if (service_code, quota["QuotaCode"]) in applied
    ]
    return json.dumps(_page(quotas, params))


def _get_quota(self: Any) -> str:
    """GetServiceQuota: the applied value, else the default."""
    params = json.loads(self.body)
    service_code, quota_code = str(params.get("ServiceCode")), str(params.get("QuotaCode"))
    for quota in _defaults(self.backend, service_code):
        if quota["QuotaCode"] == quota_code:
            value = _applied(self.backend).get((service_code, quota_code), quota["Value"])
            return json.dumps({"Quota": {**quota, "Value": value}})
    raise NoSuchResource()


def _request_increase(self: Any) -> str:
    """RequestServiceQuotaIncrease, approved at once: the desired value becomes the applied value."""
    params = json.loads(self.body)
    service_code, quota_code = str(params.get("ServiceCode")), str(params.get("QuotaCode"))
    desired = float(params["DesiredValue"])
    quota = next((q for q in _defaults(self.backend, service_code) if q["QuotaCode"] == quota_code), None)
    if quota is None:
        raise NoSuchResource()
    if not quota["Adjustable"]:
        raise IllegalArgument(f"Quota {quota_code} is not adjustable")
    applied = _applied(self.backend)
    current = applied.get((service_code, quota_code), quota["Value"])
    if desired <= current:
        raise IllegalArgument(f"DesiredValue {desired:g} must be greater than the current value {current:g}")
    applied[(service_code, quota_code)] = desired
    now = datetime.now(UTC).timestamp()
    return json.dumps(
        {
            "RequestedQuota": {
                "Id": uuid.uuid4().hex,
                "ServiceCode": service_code,
                "ServiceName": quota["ServiceName"],
                "QuotaCode": quota_code,
                "QuotaName": quota["QuotaName"],
                "DesiredValue": desired,
                "Status": "APPROVED",
                "Created": now,
                "LastUpdated": now,
                "Requester": f"arn:aws:iam::{self.current_account}:root",
                "QuotaArn": quota["QuotaArn"],
                "GlobalQuota": quota["GlobalQuota"],
                "Unit": quota["Unit"],
                "QuotaRequestedAtLevel": "ACCOUNT",
            }
        }
    )


_original_list_defaults = sq_models.ServiceQuotasBackend.list_aws_default_service_quotas


def install() -> None:
    """Answer the SageMaker quotas, ListServiceQuotas and RequestServiceQuotaIncrease; paginate the lists."""
    response = sq_responses.ServiceQuotasResponse
    response.list_aws_default_service_quotas = _list_defaults  # type: ignore[method-assign]
    response.list_service_quotas = _list_applied  # type: ignore[attr-defined]
    response.get_service_quota = _get_quota  # type: ignore[method-assign]
    response.request_service_quota_increase = _request_increase  # type: ignore[attr-defined]
