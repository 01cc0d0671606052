"""Typed data of a report run. Money is ``Decimal`` USD (or the bill's currency) everywhere; rounding to
cents happens only when a report is rendered (:mod:`lambdas.cost_reporter.logic.render`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from lambdas.cost_reporter.logic.idle import ColdStarts


@dataclass(frozen=True)
class ReportPeriod:
    """A report window in Cost Explorer's convention: ``start`` inclusive, ``end_exclusive`` exclusive."""

    start: date
    end_exclusive: date
    kind: str  # month_to_date | previous_month | custom: the ReportType metric dimension

    @property
    def days(self) -> int:
        """Length of the window in days."""
        return (self.end_exclusive - self.start).days

    @property
    def key(self) -> str:
        """``<start>_<end>``, the S3 folder of the report (a rerun for the same period overwrites it)."""
        return f"{self.start.isoformat()}_{self.end_exclusive.isoformat()}"


@dataclass(frozen=True)
class Issue:
    """A warning or error of a report, scoped to one endpoint or (``endpoint_name`` None) to the report."""

    message: str
    endpoint_name: str | None = None


@dataclass
class DayUsage:
    """What Cost Explorer billed one ``infersave:endpoint`` tag value on one UTC day (a DAILY bucket)."""

    instance_hours: Decimal = Decimal(0)
    instance_cost: Decimal = Decimal(0)
    other_cost: Decimal = Decimal(0)


@dataclass
class EndpointUsage:
    """What Cost Explorer billed one ``infersave:endpoint`` tag value over the period, and per day (the period's
    figures are the sums of the days' figures)."""

    instance_hours: Decimal = Decimal(0)
    instance_cost: Decimal = Decimal(0)
    other_cost: Decimal = Decimal(0)
    #: By the start date of the Cost Explorer bucket (a UTC day under DAILY granularity).
    days: dict[date, DayUsage] = field(default_factory=dict)
    hours_by_instance_type: dict[str, Decimal] = field(default_factory=dict)
    usage_region_codes: set[str] = field(default_factory=set)
    #: AWS accounts that billed this endpoint (``line_item_usage_account_id``; CUR only, Cost Explorer's
    #: query is grouped without the account).
    account_ids: set[str] = field(default_factory=set)
    #: Why this endpoint's figures cannot be trusted for savings (absurd or negative amounts, rows in another
    #: currency); non-empty leaves its savings out of the report, with these as warnings.
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CostData:
    """The parsed Cost Explorer answer: usage per endpoint name, untagged cost, currency."""

    by_endpoint: dict[str, EndpointUsage]
    untagged_cost: Decimal
    currency: str
    pages: int
    #: Rows not billed in ``currency``, summed per currency and kept out of every figure.
    foreign_currency: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class CostResult:
    """What a cost source (Cost Explorer, or CUR 2.0 through Athena or DuckDB) gives one report run."""

    data: CostData
    #: Charges that are not usage (credits, refunds, taxes, fees), by record / line item type.
    non_usage: dict[str, Decimal]
    warnings: list[Issue]
    errors: list[Issue]
    #: The non-usage charges could not be read: the report is partial.
    partial: bool
    #: The filter in words, stated in the report's assumptions.
    description: str
    #: ``cost_explorer`` or ``cur`` (the report's ``cost_source``).
    source: str


@dataclass(frozen=True)
class PriceQuote:
    """An on-demand SageMaker hosting price (per instance-hour) and where it came from."""

    hourly_price: Decimal
    source: str


@dataclass(frozen=True)
class Baseline:
    """The GPU baseline an endpoint is compared with."""

    instance_type: str
    capacity_ratio: Decimal  # baseline instances needed per Inferentia2 instance for the same throughput
    price: PriceQuote | None
    #: Why no baseline can be computed although a price is known (a capacity-ratio tag out of bounds).
    problem: str | None = None


@dataclass(frozen=True)
class CurvePoint:
    """One load level of a calibration side: throughput achieved and its p90 latencies (seconds)."""

    offered_rps: float
    achieved_rps: float
    output_tokens_per_s: float
    ttft_p90_s: float
    itl_p90_s: float
    meets_objective: bool


@dataclass(frozen=True)
class Calibration:
    """The parts of a calibration result (``calibrations/<endpoint>/<date>.json``, schema 1) the report
    uses: its date, latency objective, ratio and both sides' load levels (``inf2``, ``baseline``)."""

    key: str
    measured_on: date
    objective_ttft_p90_s: float
    objective_itl_p90_s: float
    capacity_ratio: float | None
    instance_types: dict[str, str]
    sides: dict[str, tuple[CurvePoint, ...]]


@dataclass(frozen=True)
class Provenance:
    """Where an endpoint's capacity ratio and token counts come from (its tags, the calibration JSON)."""

    #: ``measured`` (a calibration of ``measured_on``) or ``assumed``.
    capacity_ratio_source: str = "assumed"
    measured_on: date | None = None
    #: The latency objective of that calibration, when its result JSON was read.
    objective_ttft_p90_s: float | None = None
    objective_itl_p90_s: float | None = None
    #: Mean tokens per request of the calibration's request mix (tags), None when never measured.
    input_tokens_per_request: Decimal | None = None
    output_tokens_per_request: Decimal | None = None


@dataclass(frozen=True)
class CapacitySample:
    """One UTC hour of a recorded capacity series (namespace ``infersave/Capacity``): the hour's ``Average`` and
    ``SampleCount`` (12 when the recorder's 5-minute runs all landed)."""

    average: Decimal
    samples: int


@dataclass(frozen=True)
class CapacityRecording:
    """What the capacity recorder's series say about one endpoint over the period, by the UTC hour's start.

    ``instances``: ``InstanceCount`` summed over the endpoint's variants (hours without a sample are absent: not
    recorded, never 0). ``component_chips``: per inference component, ``AcceleratorDevicesAllocated`` (Inferentia2
    chips its copies held, hourly Average = chip-hours of the hour). ``component_invocations``: per component,
    ``AWS/SageMaker`` ``Invocations`` (dimension ``InferenceComponentName``) per hour; a component without that
    series is absent (unknown, not 0).
    """

    instances: dict[datetime, CapacitySample] = field(default_factory=dict)
    component_chips: dict[str, dict[datetime, Decimal]] = field(default_factory=dict)
    component_invocations: dict[str, dict[datetime, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ComponentLine:
    """One inference component of a shared endpoint (or ``(unallocated)``: capacity no copy held), unrounded.

    ``cost`` and ``baseline_cost`` are the endpoint's day costs x the component's chip-hours / the day's capacity
    chip-hours (:mod:`lambdas.cost_reporter.logic.components`); the entries of an endpoint add up to its
    ``actual_cost`` and ``baseline_cost``."""

    name: str
    model_id: str | None
    chip_hours: Decimal
    cost: Decimal
    #: None when the endpoint's baseline is unknown.
    baseline_cost: Decimal | None
    #: ``Invocations`` of the component over the period; None when unknown (no series, or ``(unallocated)``).
    invocations: int | None


@dataclass(frozen=True)
class EndpointDay:
    """One endpoint on one UTC day, unrounded: the formula of :class:`EndpointLine` applied to the day."""

    day: date
    instance_hours: Decimal
    actual_cost: Decimal
    baseline_cost: Decimal | None
    invocations: int | None


@dataclass(frozen=True)
class EndpointLine:
    """One endpoint of the report, unrounded. ``None`` means unknown (see the report's warnings/errors)."""

    endpoint_name: str
    instance_type: str | None
    instance_hours: Decimal
    actual_cost: Decimal
    other_cost: Decimal
    baseline_instance_type: str
    capacity_ratio: Decimal
    baseline_hourly_price: Decimal | None
    price_source: str | None
    baseline_cost: Decimal | None
    savings: Decimal | None
    savings_pct: Decimal | None
    invocations: int | None
    cost_per_1k_invocations: Decimal | None
    baseline_cost_per_1k_invocations: Decimal | None
    #: The period day by day (days with cost or invocations), in date order; the period's actual cost,
    #: baseline cost and instance-hours are exactly the sums of these (Decimal).
    daily: tuple[EndpointDay, ...] = ()
    provenance: Provenance = field(default_factory=Provenance)
    #: Tokens of the period and where they come from (``estimate:calibration``: tokens per request of the
    #: calibration x invocations); None when unknown.
    input_tokens: Decimal | None = None
    output_tokens: Decimal | None = None
    tokens_source: str | None = None
    cost_per_1m_input_tokens: Decimal | None = None
    cost_per_1m_output_tokens: Decimal | None = None
    baseline_cost_per_1m_input_tokens: Decimal | None = None
    baseline_cost_per_1m_output_tokens: Decimal | None = None

    #: The AWS account that billed the endpoint, where the cost source knows it (CUR) and it is one account.
    account_id: str | None = None
    #: Idle capacity (:func:`lambdas.cost_reporter.logic.savings.with_idle`): instance-hours in UTC hours without
    #: an invocation, priced at the endpoint's hourly price (instance cost / instance-hours), and that cost over
    #: the instance cost (a fraction); None when the hourly invocations are unknown.
    idle_instance_hours: Decimal | None = None
    idle_cost: Decimal | None = None
    idle_share: Decimal | None = None
    #: Hours of the period at zero instances (whole UTC days without instance-hours, x 24; with a recorded idle,
    #: the hours the recording held at zero); only for an endpoint that scaled to zero (it had cold starts), None
    #: otherwise.
    hours_at_zero: int | None = None
    #: Where the idle hours come from: ``recorded`` (the capacity recorder's ``InstanceCount``, reconciled with
    #: the bill per day) or ``spread`` (each day's billed instance-hours spread evenly: an upper bound).
    idle_source: str = "spread"
    #: Share (0..1) of the recorder's 5-minute samples present over the hours of the days with billed
    #: instance-hours; ``recorded`` needs :data:`lambdas.cost_reporter.logic.capacity.MIN_COVERAGE`.
    capacity_coverage: Decimal = Decimal(0)
    #: Inference-component endpoints: one entry per component recorded, then ``(unallocated)``; empty otherwise.
    components: tuple[ComponentLine, ...] = ()


@dataclass(frozen=True)
class DayTotal:
    """The project on one UTC day: sums over the endpoints (baseline and savings over those with a baseline)."""

    day: date
    actual_cost: Decimal
    baseline_cost: Decimal
    savings: Decimal
    instance_hours: Decimal
    invocations: int


@dataclass(frozen=True)
class Totals:
    """Sums over the endpoints; baseline and savings cover only endpoints whose baseline is known."""

    actual_cost: Decimal
    baseline_cost: Decimal
    savings: Decimal
    savings_pct: Decimal | None
    instance_hours: Decimal
    invocations: int
    #: Sums over the endpoints whose idle figures are known.
    idle_cost: Decimal = Decimal(0)
    idle_instance_hours: Decimal = Decimal(0)


@dataclass(frozen=True)
class Report:
    """A complete report, before rendering."""

    period: ReportPeriod
    currency: str
    cost_metric: str
    cost_filter: str  # the Cost Explorer filter in words (stated in the Markdown assumptions)
    endpoints: list[EndpointLine]
    untagged_cost: Decimal
    totals: Totals
    warnings: list[Issue]
    errors: list[Issue]
    #: Charges of the project that are not usage (credits, refunds, taxes, fees, Savings Plan negation), by
    #: Cost Explorer RECORD_TYPE: reported beside the savings, never inside them.
    non_usage_cost: dict[str, Decimal] = field(default_factory=dict)
    #: Data that should be there is missing (CloudWatch failed): the run fails after writing, to be retried.
    partial: bool = False
    #: The latest calibration result per endpoint name, where the reports bucket holds one (read, validated).
    calibrations: dict[str, Calibration] = field(default_factory=dict)
    #: Where the bill came from: ``cost_explorer`` (one account) or ``cur`` (CUR 2.0 through Athena or DuckDB).
    cost_source: str = "cost_explorer"
    #: Scale to zero: cold starts and refused requests per endpoint (lower-case name) that had any.
    cold_starts: dict[str, ColdStarts] = field(default_factory=dict)
