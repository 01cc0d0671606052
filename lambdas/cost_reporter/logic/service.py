"""One report run: tag, read the bill and the invocations, price the baselines, apply the formula.

Calls per run grow with pages, not with endpoints (tags already in place): GetResources pages of 100,
one UpdateCostAllocationTagsStatus, two Cost Explorer queries (usage, DAILY, its pages; other charge types),
ListMetrics pages of 500 (``Invocations``, the two capacity series), GetMetricData batches of at most 500 (1-hour
periods, 135 series per call for a month: invocations, then the capacity series), one GetProducts per distinct baseline
type and region, one ListObjectsV2 of the calibration results (pages of 1,000) and one GetObject per endpoint
that has one (at most 40), one AssumeRole of the link role.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.common import tags
from lambdas.common.aws import AwsDataError, TaggedEndpoint
from lambdas.common.catalog import load_catalog
from lambdas.common.paging import PagingError
from lambdas.common.retry import describe_error
from lambdas.cost_reporter.dal import (
    athena,
    capacity,
    cloudwatch,
    cold_starts,
    cost_explorer,
    cur,
    links,
    members,
    outputs,
    resources,
)
from lambdas.cost_reporter.dal.calibrations import read_latest
from lambdas.cost_reporter.dal.clients import Clients
from lambdas.cost_reporter.dal.pricing import PriceBook
from lambdas.cost_reporter.logic import components, html, render, savings, tokens
from lambdas.cost_reporter.logic.idle import ColdStarts
from lambdas.cost_reporter.models import (
    Baseline,
    Calibration,
    CapacityRecording,
    CostData,
    CostResult,
    EndpointLine,
    EndpointUsage,
    Issue,
    Report,
    ReportPeriod,
)
from lambdas.cost_reporter.settings import INSTANCE_TYPE_PATTERN, Settings

#: Region prefixes of SageMaker usage types, for endpoints that are billed but no longer listed.
USAGE_REGION_CODES = {
    "USE1": "us-east-1", "USE2": "us-east-2", "USW1": "us-west-1", "USW2": "us-west-2",
    "CAN1": "ca-central-1", "EUW1": "eu-west-1", "EUW2": "eu-west-2", "EUW3": "eu-west-3",
    "EUC1": "eu-central-1", "EUN1": "eu-north-1", "EUS1": "eu-south-1", "APN1": "ap-northeast-1",
    "APN2": "ap-northeast-2", "APS1": "ap-southeast-1", "APS2": "ap-southeast-2", "APS3": "ap-south-1",
    "SAE1": "sa-east-1",
}  # fmt: skip


@dataclass(frozen=True)
class _Context:
    settings: Settings
    region: str
    price_book: PriceBook


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))


def _baseline(ctx: _Context, endpoint: TaggedEndpoint | None, region: str, warnings: list[Issue]) -> Baseline:
    endpoint_tags = endpoint.tags if endpoint else {}
    name = endpoint.name if endpoint else None
    instance_type = endpoint_tags.get(
        tags.BASELINE_INSTANCE_TYPE, ctx.settings.default_baseline_instance_type
    )
    if not INSTANCE_TYPE_PATTERN.match(instance_type):
        warnings.append(
            Issue(f"tag {tags.BASELINE_INSTANCE_TYPE}={instance_type!r} is not an instance type", name)
        )
        instance_type = ctx.settings.default_baseline_instance_type
    ratio = ctx.settings.default_capacity_ratio
    problem = None
    raw_ratio = endpoint_tags.get(tags.BASELINE_CAPACITY_RATIO)
    if raw_ratio is not None:
        ratio, problem = _ratio(raw_ratio, ratio)
    return Baseline(instance_type, ratio, ctx.price_book.quote(instance_type, region), problem)


def _ratio(raw: str, default: Decimal) -> tuple[Decimal, str | None]:
    """The capacity-ratio tag as a Decimal within bounds, or the default and why the tag is refused."""
    low, high = tags.CAPACITY_RATIO_MIN, tags.CAPACITY_RATIO_MAX
    refused = f"tag {tags.BASELINE_CAPACITY_RATIO}={raw[:40]!r} is not a number from {low} to {high}"
    try:
        ratio = Decimal(raw.strip()) if raw.strip().isascii() else None
    except InvalidOperation:
        ratio = None
    if ratio is None or not ratio.is_finite() or not low <= ratio <= high:
        return default, refused
    return ratio, None


def _region_of(ctx: _Context, endpoint: TaggedEndpoint | None, usage: EndpointUsage) -> str:
    if endpoint is not None:
        return endpoint.region
    regions = {USAGE_REGION_CODES.get(code) for code in usage.usage_region_codes}
    if len(regions) == 1 and None not in regions:
        return str(regions.pop())
    return ctx.region


def _line(
    ctx: _Context,
    name: str,
    *,
    endpoint: TaggedEndpoint | None,
    cost: CostData,
    invocations: dict[str, dict[date, int]] | None,
    warnings: list[Issue],
    errors: list[Issue],
) -> EndpointLine:
    usage = cost.by_endpoint.get(name)
    if usage is None:
        usage = EndpointUsage()
        warnings.append(
            Issue(
                "no Cost Explorer cost for this period (new endpoint, or cost allocation tags activated less "
                "than 24-48 h ago)",
                name,
            )
        )
    if endpoint is None:
        warnings.append(
            Issue(
                f"billed under {tags.ENDPOINT}={name} but not listed with {tags.PROJECT} in {ctx.region} "
                "(deleted, or in another region or project): baseline from the defaults",
                name,
            )
        )
    if len(usage.hours_by_instance_type) > 1:
        warnings.append(Issue(f"ran several instance types {sorted(usage.hours_by_instance_type)}", name))
    region = _region_of(ctx, endpoint, usage)
    baseline = _baseline(ctx, endpoint, region, warnings)
    blockers = savings.savings_blockers(usage, baseline)
    if blockers:
        warnings.append(Issue("savings left out: " + "; ".join(blockers), name))
    if baseline.price is None:
        errors.append(
            Issue(
                f"no on-demand price for baseline {baseline.instance_type} in {region} (Price List API and "
                "catalog): baseline cost and savings unknown",
                name,
            )
        )
    endpoint_invocations = None if invocations is None else invocations.get(name.lower())
    if invocations is not None and endpoint_invocations is None:
        warnings.append(Issue("no Invocations metric in CloudWatch: cost per 1,000 requests unknown", name))
    return savings.endpoint_line(name, usage, baseline, endpoint_invocations)


def _invocations(
    clients: Clients, names: set[str], period: ReportPeriod
) -> tuple[dict[str, dict[datetime, int]] | None, list[str], list[Issue]]:
    """Invocations per lower-case endpoint name and UTC hour (None when CloudWatch cannot be read), and the
    inference components that have a per-component ``Invocations`` series."""
    try:
        series, components = cloudwatch.list_invocation_metrics(clients.cloudwatch)
        wanted = [item for item in series if item.endpoint_name.lower() in names]
        hourly, issues = cloudwatch.hourly_invocations(clients.cloudwatch, wanted, period)
        return hourly, components, issues
    except (ClientError, BotoCoreError, PagingError) as exc:
        return (
            None,
            [],
            [
                Issue(
                    f"CloudWatch invocations unavailable ({describe_error(exc)}): cost per 1,000 requests unknown"
                )
            ],
        )


def _capacity(
    clients: Clients, names: set[str], period: ReportPeriod, invocation_components: list[str]
) -> tuple[capacity.CapacityReads, bool]:
    """The capacity recordings of the endpoints (:mod:`lambdas.cost_reporter.dal.capacity`); ``True`` when
    they could not be read at all (the report is then partial: idle spread, no split)."""
    try:
        series = capacity.list_capacity_series(clients.cloudwatch, names)
        return capacity.read_capacity(clients.cloudwatch, series, period, invocation_components), False
    except (ClientError, BotoCoreError, PagingError) as exc:
        message = (
            f"CloudWatch {capacity.NAMESPACE} unavailable ({describe_error(exc)}): idle spread over the days, "
            "shared endpoints not split per component"
        )
        return capacity.CapacityReads(errors=[Issue(message)]), True


def _with_component_invocations(
    hourly: dict[str, dict[datetime, int]], recordings: dict[str, CapacityRecording]
) -> dict[str, dict[datetime, int]]:
    """An inference-component endpoint without a variant ``Invocations`` series (SageMaker documents the
    per-component series for such endpoints, not the variant's) gets the sum of its components' hours."""
    merged = dict(hourly)
    for key, recording in recordings.items():
        if key in merged or not recording.component_invocations:
            continue
        hours: dict[datetime, int] = {}
        for counts in recording.component_invocations.values():
            for hour, count in counts.items():
                hours[hour] = hours.get(hour, 0) + count
        merged[key] = dict(sorted(hours.items()))
    return merged


def _component_models(
    clients: Clients, settings: Settings, recordings: dict[str, CapacityRecording], warnings: list[Issue]
) -> dict[str, str]:
    """Model ids of the recorded components (tag ``infersave:model-id``), read only when a shared endpoint was
    recorded; {} with a warning when the tagging API cannot be read (the split stands without them)."""
    if not any(recording.component_chips for recording in recordings.values()):
        return {}
    try:
        return resources.component_models(clients.tagging, settings.project_name)
    except (ClientError, BotoCoreError, PagingError) as exc:
        warnings.append(Issue(f"model ids of inference components unknown ({describe_error(exc)})"))
        return {}


def _with_components(
    line: EndpointLine, recording: CapacityRecording | None, model_ids: dict[str, str], warnings: list[Issue]
) -> EndpointLine:
    """``line`` with its per-component split when the recording names components (an inference-component
    endpoint); unchanged otherwise, or with a warning when the instance type's chips are unknown."""
    if recording is None or not recording.component_chips:
        return line
    spec = load_catalog().get(line.instance_type or "")
    if spec is None or spec.chips < 1:
        warnings.append(
            Issue(
                f"no split per component: chips of instance type {line.instance_type} unknown",
                line.endpoint_name,
            )
        )
        return line
    models = {
        name: model_ids[name.lower()] for name in recording.component_chips if name.lower() in model_ids
    }
    entries = components.split(
        line, spec.chips, recording.component_chips, recording.component_invocations, models
    )
    return dataclasses.replace(line, components=entries)


#: Where a report's bill comes from: Cost Explorer (the default) or CUR 2.0 (:mod:`lambdas.cost_reporter.dal.cur`).
CostSource = Callable[[ReportPeriod], CostResult]


def cost_explorer_result(
    clients: Clients,
    settings: Settings,
    period: ReportPeriod,
    *,
    today: date | None = None,
    endpoints: int = 0,
) -> CostResult:
    """The bill from Cost Explorer: the usage query (raises when it fails: no report without it) and the
    non-usage query (its failure makes the report partial). ``today`` (UTC) lets the requests be checked
    against Cost Explorer's history before they are paid for; ``endpoints`` (the project's tagged endpoints)
    sizes the usage query's page bound."""
    request = cost_explorer.build_request(period, settings.cost_metric, settings.project_name)
    bound = cost_explorer.usage_page_bound(endpoints, period.days)
    pages = cost_explorer.fetch_pages(clients.ce, request, today=today, max_pages=bound)
    cost, warnings, errors = cost_explorer.parse_pages(pages, settings.cost_metric, request["GroupBy"])
    non_usage, partial = _non_usage(clients, settings, period, warnings, errors, today=today)
    return CostResult(
        data=cost,
        non_usage=non_usage,
        warnings=warnings,
        errors=errors,
        partial=partial,
        description=cost_explorer.describe_filter(settings.project_name),
        source="cost_explorer",
    )


def cost_explorer_source(
    clients: Clients, settings: Settings, *, today: date | None = None, endpoints: int = 0
) -> CostSource:
    """:func:`cost_explorer_result` bound to a run's clients and settings."""
    return functools.partial(cost_explorer_result, clients, settings, today=today, endpoints=endpoints)


def configured_source(
    clients: Clients, settings: Settings, *, today: date | None = None, endpoints: int = 0
) -> CostSource:
    """The cost source the settings name: Cost Explorer, or the CUR table through the Athena workgroup."""
    if settings.cost_source != "athena":
        return cost_explorer_source(clients, settings, today=today, endpoints=endpoints)
    assert settings.athena_workgroup and settings.cur_database and settings.cur_table  # load_settings
    table = cur.athena_table(settings.cur_database, settings.cur_table)
    run = athena.runner(clients.athena, settings.athena_workgroup)
    return functools.partial(cur.read_cur, run, table, project_name=settings.project_name)


def run_report(
    clients: Clients,
    settings: Settings,
    period: ReportPeriod,
    price_book: PriceBook,
    cost_source: CostSource | None = None,
    *,
    today: date | None = None,
) -> Report:
    """Produce the report of ``period`` from ``cost_source`` (default: Cost Explorer). Raises only when no
    report is possible (listing, or the bill). ``today`` (UTC) lets the Cost Explorer requests be checked
    against its history before they are paid for."""
    warnings: list[Issue] = []
    errors: list[Issue] = []
    endpoints, listing_warnings = resources.list_endpoints(clients.tagging, settings.project_name)
    warnings += listing_warnings
    if settings.apply_tags:
        defaults = {
            tags.BASELINE_INSTANCE_TYPE: settings.default_baseline_instance_type,
            tags.BASELINE_CAPACITY_RATIO: str(settings.default_capacity_ratio),
        }
        outcome = resources.ensure_tags(clients.tagging, endpoints, defaults)
        endpoints = outcome.endpoints
        warnings += outcome.warnings
    if settings.activate_cost_allocation_tags:
        warnings += cost_explorer.activate_cost_allocation_tags(clients.ce, tags.COST_ALLOCATION_KEYS)

    source = cost_source or configured_source(clients, settings, today=today, endpoints=len(endpoints))
    bill = source(period)
    cost = bill.data
    warnings += bill.warnings
    errors += bill.errors
    non_usage, partial = bill.non_usage, bill.partial

    by_name = {endpoint.name: endpoint for endpoint in endpoints}
    names = sorted(set(by_name) | set(cost.by_endpoint))
    lower_names = {name.lower() for name in names}
    hourly, invocation_components, invocation_issues = _invocations(clients, lower_names, period)
    reads, capacity_failed = _capacity(clients, lower_names, period, invocation_components)
    if hourly is not None:
        hourly = _with_component_invocations(hourly, reads.recordings)
    invocations = None if hourly is None else cloudwatch.by_day(hourly)
    errors += invocation_issues + reads.errors
    partial = partial or invocations is None or capacity_failed
    if settings.cost_source == "athena" and settings.member_role_name and settings.member_external_id:
        member = _member_reads(clients, settings, cost, period)
        errors += member.errors
        for endpoint in member.endpoints:
            by_name.setdefault(endpoint.name, endpoint)
        if invocations is not None:
            invocations = {**member.invocations, **invocations}

    starts, starts_issues = _cold_starts(clients, names, period)
    errors += starts_issues
    partial = partial or bool(starts_issues)
    model_ids = _component_models(clients, settings, reads.recordings, warnings)
    ctx = _Context(settings=settings, region=clients.region, price_book=price_book)
    period_days = [period.start + timedelta(days=i) for i in range(period.days)]
    lines: list[EndpointLine] = []
    for name in names:
        try:
            line = _line(
                ctx,
                name,
                endpoint=by_name.get(name),
                cost=cost,
                invocations=invocations,
                warnings=warnings,
                errors=errors,
            )
            # Member accounts' endpoints have daily invocations only (dal.members): their idle stays unknown;
            # their capacity series are in their own accounts, not read: no recording, idle spread.
            hours = None if hourly is None else hourly.get(name.lower())
            recording = reads.recordings.get(name.lower())
            line = savings.with_idle(
                line,
                hours,
                period_days,
                scaled_to_zero=name.lower() in starts,
                recording=None if recording is None else recording.instances,
            )
            lines.append(_with_components(line, recording, model_ids, warnings))
        except (ArithmeticError, AwsDataError) as exc:
            # Bad figures from AWS for this endpoint only; anything else is a bug and fails the run.
            errors.append(Issue(f"left out of the report: {exc!r}", name))
    lines, calibrations = _provenance(clients, settings, lines, by_name, today, warnings=warnings)
    without_baseline = sum(1 for line in lines if line.baseline_cost is None)
    if without_baseline:
        warnings.append(
            Issue(
                f"totals of baseline cost and savings cover {len(lines) - without_baseline} of "
                f"{len(lines)} endpoints"
            )
        )
    warnings += price_book.warnings
    return Report(
        period=period,
        currency=cost.currency,
        cost_metric=settings.cost_metric,
        cost_filter=bill.description,
        endpoints=lines,
        untagged_cost=cost.untagged_cost,
        totals=savings.totals(lines),
        warnings=_unique(warnings),
        errors=_unique(errors),
        non_usage_cost=non_usage,
        partial=partial,
        calibrations=calibrations,
        cost_source=bill.source,
        cold_starts=starts,
    )


def _member_reads(
    clients: Clients, settings: Settings, cost: CostData, period: ReportPeriod
) -> members.MemberReads:
    """Tags and invocations of the endpoints the CUR bills in other accounts, through the member-read role."""
    assert settings.member_role_name and settings.member_external_id
    accounts = {account for usage in cost.by_endpoint.values() for account in usage.account_ids}
    try:
        own = clients.sts.get_caller_identity()["Account"]
    except (ClientError, BotoCoreError) as exc:
        return members.MemberReads(errors=[Issue(f"own account unknown (STS: {describe_error(exc)})")])
    return members.read_members(
        clients.sts,
        accounts,
        own_account=own,
        role_name=settings.member_role_name,
        external_id=settings.member_external_id,
        region=clients.region,
        project_name=settings.project_name,
        period=period,
    )


def _provenance(
    clients: Clients,
    settings: Settings,
    lines: list[EndpointLine],
    by_name: dict[str, TaggedEndpoint],
    today: date | None,
    *,
    warnings: list[Issue],
) -> tuple[list[EndpointLine], dict[str, Calibration]]:
    """Each line with where its ratio comes from (tags; the objective from its calibration result) and its
    cost per 1M tokens; the latest calibration results of the :data:`html.MAX_CHARTED` endpoints of highest
    actual cost that have one (the page charts no more)."""
    calibrations: dict[str, Calibration] = {}
    if settings.reports_bucket:
        by_cost = [
            line.endpoint_name for line in sorted(lines, key=lambda line: line.actual_cost, reverse=True)
        ]
        calibrations, calibration_warnings = read_latest(
            clients.s3, settings.reports_bucket, by_cost, max_reads=html.MAX_CHARTED
        )
        warnings += calibration_warnings
    day = today or datetime.now(UTC).date()
    updated = []
    for line in lines:
        endpoint = by_name.get(line.endpoint_name)
        source = tokens.provenance(
            endpoint.tags if endpoint else {},
            calibrations.get(line.endpoint_name),
            day,
            line.endpoint_name,
            warnings,
        )
        updated.append(tokens.with_tokens(line, source))
    return updated, calibrations


def _cold_starts(
    clients: Clients, names: list[str], period: ReportPeriod
) -> tuple[dict[str, ColdStarts], list[Issue]]:
    """Cold starts of the endpoints' inference components (:mod:`lambdas.cost_reporter.dal.cold_starts`)."""
    try:
        components = cold_starts.list_components(clients.cloudwatch)
        per_component = cold_starts.read_cold_starts(clients.cloudwatch, components, period)
    except (ClientError, BotoCoreError, PagingError, RuntimeError) as exc:
        return {}, [
            Issue(
                f"CloudWatch NoCapacityInvocationFailures unavailable ({describe_error(exc)}): cold starts unknown"
            )
        ]
    return cold_starts.by_endpoint(per_component, names), []


def _non_usage(
    clients: Clients,
    settings: Settings,
    period: ReportPeriod,
    warnings: list[Issue],
    errors: list[Issue],
    *,
    today: date | None,
) -> tuple[dict[str, Decimal], bool]:
    """The project's non-usage charges by RECORD_TYPE; ``True`` (partial) when they could not be read."""
    request = cost_explorer.build_non_usage_request(period, settings.cost_metric, settings.project_name)
    try:
        pages = cost_explorer.fetch_pages(clients.ce, request, today=today)
    except (ClientError, BotoCoreError, PagingError) as exc:
        errors.append(
            Issue(f"charges that are not usage (credits, refunds, taxes) unknown: {describe_error(exc)}")
        )
        return {}, True
    totals, non_usage_warnings, non_usage_errors = cost_explorer.parse_non_usage(pages, settings.cost_metric)
    warnings += non_usage_warnings
    errors += non_usage_errors
    return totals, False


def render_files(report: Report) -> dict[str, str]:
    """The report files, by file name (written as one set, the manifest after them)."""
    return {
        "report.json": render.render_json(report),
        "report.csv": render.render_csv(report),
        "daily.csv": render.render_daily_csv(report),
        "components.csv": render.render_components_csv(report),
        "report.md": render.render_markdown(report),
        "report.html": html.render_html(report),
    }


def deliver_report(
    clients: Clients, bucket: str, topic_arn: str, report: Report, link_role_arn: str | None = None
) -> list[str]:
    """Write the files to S3, then publish the summary to SNS with the links to report.html (a presigned URL
    signed by ``link_role_arn``'s session, with its expiry; the console page; the S3 URI); any failure to
    write or publish raises. Returns the S3 keys."""
    keys = outputs.write_report(
        clients.s3, bucket, report.period.key, render_files(report), status=render.status(report)
    )
    page = outputs.report_key(report.period.key, "report.html")
    where = links.link_lines(clients.sts, link_role_arn, bucket, page, clients.region)
    subject, message = render.sns_summary(report, where)
    outputs.publish_summary(clients.sns, topic_arn, subject, message)
    return keys
