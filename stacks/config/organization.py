"""Organization report checks: what ``organization:`` needs to deploy (field: problem; fix)."""

from __future__ import annotations

from stacks.config.schema import Config

#: Regions whose CloudFormation offers ``AWS::BCMDataExports::Export`` (cfn-lint 1.58.0 region data,
#: ``cfnlint/data/schemas/providers/<region>.json``, aws partition; read 2026-11-28). The Data Exports API
#: itself is served from us-east-1.
DATA_EXPORT_REGIONS = ("eu-west-2", "us-east-1", "us-west-1", "us-west-2")
_EXISTING = ("database", "table", "workgroup", "export_bucket", "results_bucket")


def organization_problems(config: Config, region: str | None) -> list[str]:
    """Problems of the ``organization`` block (none in ``mode: account``)."""
    org = config.organization
    if org.mode == "account":
        given = [name for name in (*_EXISTING, "kms_key_arn") if getattr(org, name) is not None]
        if org.provision or given:
            return [
                f"organization.mode: account reads Cost Explorer, but {'provision' if org.provision else given[0]} "
                "is set; set mode: organization or remove it"
            ]
        return []
    problems = []
    if config.reports.cost_metric != "UnblendedCost":
        problems.append(
            f"reports.cost_metric: {config.reports.cost_metric} with organization.mode organization; the CUR query "
            "reads line_item_unblended_cost, set UnblendedCost"
        )
    if org.provision:
        given = [name for name in (*_EXISTING, "kms_key_arn") if getattr(org, name) is not None]
        if given:
            problems.append(
                f"organization.{given[0]}: names an existing resource, but provision: true creates them all; "
                "remove it, or set provision: false"
            )
        if region is not None and region not in DATA_EXPORT_REGIONS:
            problems.append(
                f"organization.provision: CloudFormation in {region} has no AWS::BCMDataExports::Export (offered in "
                f"{', '.join(DATA_EXPORT_REGIONS)}); create the export in the console or CLI and name the existing "
                "database, table, workgroup, export_bucket and results_bucket with provision: false"
            )
    else:
        missing = [name for name in _EXISTING if getattr(org, name) is None]
        if missing:
            problems.append(
                f"organization.{missing[0]}: required with mode: organization and provision: false (also "
                f"{', '.join(missing[1:]) or 'nothing else'}); name the existing resources, or set provision: true"
            )
    return problems
