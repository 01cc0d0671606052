"""``python -m ops.refresh_quota_defaults``: refresh the emulator's SageMaker endpoint quotas from AWS.

Reads ListAWSDefaultServiceQuotas (service code ``sagemaker``) in ``--region`` with the standard credential
chain and rewrites ``emulator/servicequotas_sagemaker.json`` with AWS's names, codes and default values of
``<instance type> for endpoint usage`` for every ``ml.inf2.*`` type of the instance catalog, dated today.
Exit status 0, 1 with a one-line reason when AWS lacks a quota or does not answer.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from emulator.servicequotas import DEFAULTS_FILE
from lambdas.common.aws import client_config
from lambdas.common.catalog import load_catalog
from lambdas.common.retry import describe_error
from ops.preflight_aws import SERVICE_QUOTAS_PAGE_SIZE, PaginationError, sagemaker_quotas
from ops.preflight_checks import endpoint_quota_name

KEPT_FIELDS = ("QuotaName", "QuotaCode", "Value", "Adjustable", "Unit")


def wanted_quota_names() -> list[str]:
    """The endpoint-usage quota of every Inferentia2 type in the catalog, sorted."""
    return sorted(endpoint_quota_name(t) for t in load_catalog().instances if t.startswith("ml.inf2."))


def refreshed_document(
    previous: dict[str, Any], quotas: Sequence[dict[str, Any]], region: str, today: str
) -> dict[str, Any]:
    """The data file with ``quotas`` (as the API answered them) in place of the old values, dated ``today``.

    Raises ValueError naming the quotas AWS did not list."""
    by_name = {q["QuotaName"]: q for q in quotas}
    missing = [name for name in wanted_quota_names() if name not in by_name]
    if missing:
        raise ValueError(f"ListAWSDefaultServiceQuotas in {region} has no {', '.join(missing)}")
    return {
        "what": previous["what"],
        "retrieved": today,
        "sources": [
            f"ListAWSDefaultServiceQuotas, service code sagemaker, {region}, {today} "
            "(python -m ops.refresh_quota_defaults)",
            *[s for s in previous.get("sources", []) if not s.startswith("ListAWSDefaultServiceQuotas")],
        ],
        "caveats": [],
        "quotas": [{k: by_name[name][k] for k in KEPT_FIELDS} for name in wanted_quota_names()],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Refresh the data file; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m ops.refresh_quota_defaults", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--region", default="us-east-1", help="Region to read the defaults of (us-east-1)")
    parser.add_argument("--output", type=Path, default=DEFAULTS_FILE, help="data file to rewrite")
    args = parser.parse_args(argv)
    try:
        client = boto3.session.Session().client(
            "service-quotas",
            region_name=args.region,
            config=client_config("infersave-refresh", max_attempts=3),
        )
        quotas = list(sagemaker_quotas(client.list_aws_default_service_quotas, SERVICE_QUOTAS_PAGE_SIZE))
        previous = json.loads(args.output.read_text(encoding="utf-8"))
        document = refreshed_document(previous, quotas, args.region, datetime.now(UTC).date().isoformat())
        args.output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except (ClientError, BotoCoreError, PaginationError, ValueError, OSError) as exc:
        print(f"error: {describe_error(exc, 300)}", file=sys.stderr)
        return 1
    print(f"wrote {len(document['quotas'])} quotas to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
