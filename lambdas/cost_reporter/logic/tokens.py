"""Where an endpoint's capacity ratio comes from, and cost per 1M tokens (issue 10). Pure: tags in, figures out.

**Token counts.** SageMaker's ``AWS/SageMaker`` metrics of a real-time endpoint count invocations, not tokens
(SageMaker developer guide, "Monitor Amazon SageMaker AI with Amazon CloudWatch": invocation metrics). Detailed
observability publishes framework token rates (``InputTokensPerSecond``, ``OutputTokensPerSecond``) only as
OpenTelemetry metrics queried with PromQL, for the inference frameworks its reference lists (vLLM, SGLang) next
to GPU (DCGM) metrics (CloudWatch user guide, "SageMaker AI Insights OpenTelemetry metrics reference"; SageMaker
developer guide, "OpenTelemetry metrics reference"); it names no Neuron metric and no Hugging Face Neuron
container, and GetMetricData cannot read OTel data. So no published token metric covers these endpoints, and
the report estimates: tokens = invocations x the calibration's mean tokens per request (tags written by
``make calibrate --write``), labelled ``tokens_source: "estimate:calibration"``; null without those tags.

**Formulas** (each charges the endpoint's whole cost of the period to that kind of token, as per-token prices
are quoted; they are not a split of the cost between input and output)::

    output_tokens                      = invocations x output_tokens_per_request
    input_tokens                       = invocations x input_tokens_per_request
    cost_per_1m_output_tokens          = 1,000,000 x actual_cost / output_tokens      (null without tokens)
    baseline_cost_per_1m_output_tokens = 1,000,000 x baseline_cost / output_tokens
    (and the same with input_tokens)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation

from lambdas.common import tags
from lambdas.cost_reporter.models import Calibration, EndpointLine, Issue, Provenance

TOKENS_SOURCE = "estimate:calibration"
MEASURED = "measured"
ASSUMED = "assumed"
_MILLION = Decimal(1_000_000)
#: Largest mean tokens per request a tag may state (far above any context length served today).
MAX_TOKENS_PER_REQUEST = Decimal(10_000_000)


def _tokens_tag(raw: str | None, key: str, name: str | None, warnings: list[Issue]) -> Decimal | None:
    if raw is None:
        return None
    text = raw.strip()
    try:
        value = Decimal(text) if text.isascii() and text else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 < value <= MAX_TOKENS_PER_REQUEST:
        warnings.append(
            Issue(
                f"tag {key}={raw[:40]!r} is not a number of tokens above 0: cost per 1M tokens left out", name
            )
        )
        return None
    return value


def _source_tag(raw: str | None, today: date, name: str | None, warnings: list[Issue]) -> date | None:
    """The date of ``measured:YYYY-MM-DD``; None for ``assumed``, a missing tag or a refused value (warned)."""
    if raw is None or raw == ASSUMED:
        return None
    kind, _, day = raw.partition(":")
    measured_on = None
    if kind == MEASURED and len(day) == 10 and day.isascii():
        try:
            measured_on = date.fromisoformat(day)
        except ValueError:
            measured_on = None
    if measured_on is None or measured_on > today:
        warnings.append(
            Issue(
                f"tag {tags.CAPACITY_RATIO_SOURCE}={raw[:40]!r} is neither `{ASSUMED}` nor "
                f"`{MEASURED}:YYYY-MM-DD` up to today: the ratio is reported as assumed",
                name,
            )
        )
        return None
    return measured_on


def provenance(
    endpoint_tags: Mapping[str, str],
    calibration: Calibration | None,
    today: date,
    name: str | None,
    warnings: list[Issue],
) -> Provenance:
    """Read the ratio's source and the tokens per request from the endpoint's tags; the objective comes from
    the calibration result of the same date when the reports bucket holds it."""
    measured_on = _source_tag(endpoint_tags.get(tags.CAPACITY_RATIO_SOURCE), today, name, warnings)
    inputs = _tokens_tag(
        endpoint_tags.get(tags.INPUT_TOKENS_PER_REQUEST), tags.INPUT_TOKENS_PER_REQUEST, name, warnings
    )
    outputs = _tokens_tag(
        endpoint_tags.get(tags.OUTPUT_TOKENS_PER_REQUEST), tags.OUTPUT_TOKENS_PER_REQUEST, name, warnings
    )
    if measured_on is None:
        return Provenance(input_tokens_per_request=inputs, output_tokens_per_request=outputs)
    ttft = itl = None
    if calibration is not None and calibration.measured_on == measured_on:
        ttft, itl = calibration.objective_ttft_p90_s, calibration.objective_itl_p90_s
    else:
        found = f"the latest is {calibration.measured_on}" if calibration else "none was found"
        warnings.append(
            Issue(
                f"ratio measured on {measured_on}, but its result calibrations/{name}/{measured_on}.json was not "
                f"read ({found}): objective unknown",
                name,
            )
        )
    return Provenance(MEASURED, measured_on, ttft, itl, inputs, outputs)


def per_million(cost: Decimal | None, tokens: Decimal | None) -> Decimal | None:
    """Cost of 1,000,000 tokens, or None without a cost or without tokens."""
    if cost is None or not tokens:
        return None
    return _MILLION * cost / tokens


def with_tokens(line: EndpointLine, source: Provenance) -> EndpointLine:
    """``line`` with its provenance and, where tokens per request and invocations are known, the token
    estimate and costs per 1M tokens (module docstring)."""
    line = replace(line, provenance=source)
    if line.invocations is None or (
        source.input_tokens_per_request is None and source.output_tokens_per_request is None
    ):
        return line
    count = Decimal(line.invocations)
    inputs = None if source.input_tokens_per_request is None else count * source.input_tokens_per_request
    outputs = None if source.output_tokens_per_request is None else count * source.output_tokens_per_request
    return replace(
        line,
        input_tokens=inputs,
        output_tokens=outputs,
        tokens_source=TOKENS_SOURCE,
        cost_per_1m_input_tokens=per_million(line.actual_cost, inputs),
        cost_per_1m_output_tokens=per_million(line.actual_cost, outputs),
        baseline_cost_per_1m_input_tokens=per_million(line.baseline_cost, inputs),
        baseline_cost_per_1m_output_tokens=per_million(line.baseline_cost, outputs),
    )


def source_words(source: Provenance) -> str:
    """``measured 2026-11-20 (p90 TTFT <= 2 s, p90 ITL <= 0.1 s)`` or ``assumed``: for tables and mail."""
    if source.capacity_ratio_source != MEASURED or source.measured_on is None:
        return ASSUMED
    objective = ""
    if source.objective_ttft_p90_s is not None and source.objective_itl_p90_s is not None:
        objective = (
            f" (p90 TTFT <= {source.objective_ttft_p90_s:g} s, p90 ITL <= {source.objective_itl_p90_s:g} s)"
        )
    return f"{MEASURED} {source.measured_on}{objective}"
