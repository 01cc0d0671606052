"""Issue 10 in the report: where each capacity ratio comes from (tags, the calibration result) and cost per
1M tokens from the calibration's tokens per request x invocations, with a hand-computed example."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from cost_helpers import calibration_document

from lambdas.common import tags
from lambdas.cost_reporter.dal.calibrations import parse
from lambdas.cost_reporter.logic import render, tokens
from lambdas.cost_reporter.logic.savings import endpoint_line
from lambdas.cost_reporter.models import Baseline, Calibration, EndpointLine, EndpointUsage, Issue, PriceQuote

D = Decimal
TODAY = date(2026, 11, 28)
KEY = "calibrations/chat/2026-11-20.json"


def calibration() -> Calibration:
    return parse(json.dumps(calibration_document("chat", "2026-11-20")).encode(), KEY, "chat")


def worked_line() -> EndpointLine:
    # The README's worked example: 720 h of ml.inf2.xlarge at 0.99 + 3.20 storage = 716.00 actual; baseline
    # ml.g5.2xlarge at 1.515 x ratio 1.5 = 1,639.40; 1,200,000 invocations.
    usage = EndpointUsage(D(720), D("712.80"), D("3.20"), hours_by_instance_type={"ml.inf2.xlarge": D(720)})
    return endpoint_line(
        "chat", usage, Baseline("ml.g5.2xlarge", D("1.5"), PriceQuote(D("1.515"), "t")), 1_200_000
    )


def test_cost_per_1m_tokens_matches_the_hand_computed_example() -> None:
    # Tags of a calibration on 2026-11-20: 1,000 input and 250 output tokens per request.
    #   output tokens = 1,200,000 x 250   =   300,000,000
    #   input tokens  = 1,200,000 x 1,000 = 1,200,000,000
    #   per 1M output: 1,000,000 x 716.00 / 300,000,000 = 2.38666... -> 2.3867; baseline 1,639.40 / 300 = 5.46466... -> 5.4647
    #   per 1M input:  716.00 / 1,200 = 0.59666... -> 0.5967; baseline 1,639.40 / 1,200 = 1.36616... -> 1.3662
    warnings: list[Issue] = []
    endpoint_tags = {
        tags.CAPACITY_RATIO_SOURCE: "measured:2026-11-20",
        tags.INPUT_TOKENS_PER_REQUEST: "1000",
        tags.OUTPUT_TOKENS_PER_REQUEST: "250",
    }
    source = tokens.provenance(endpoint_tags, calibration(), TODAY, "chat", warnings)

    line = tokens.with_tokens(worked_line(), source)
    document = render.endpoint_document(line)

    assert warnings == []
    assert (line.output_tokens, line.input_tokens) == (D(300_000_000), D(1_200_000_000))
    assert document["tokens_source"] == "estimate:calibration"
    assert (document["cost_per_1m_output_tokens"], document["baseline_cost_per_1m_output_tokens"]) == (
        2.3867,
        5.4647,
    )
    assert (document["cost_per_1m_input_tokens"], document["baseline_cost_per_1m_input_tokens"]) == (
        0.5967,
        1.3662,
    )
    assert (document["capacity_ratio_source"], document["capacity_ratio_measured_on"]) == (
        "measured",
        "2026-11-20",
    )
    assert (document["objective_ttft_p90_s"], document["objective_itl_p90_s"]) == (2.0, 0.1)
    assert tokens.source_words(line.provenance) == "measured 2026-11-20 (p90 TTFT <= 2 s, p90 ITL <= 0.1 s)"


def test_without_tags_the_ratio_is_assumed_and_token_figures_are_null() -> None:
    warnings: list[Issue] = []
    source = tokens.provenance({}, None, TODAY, "chat", warnings)

    document = render.endpoint_document(tokens.with_tokens(worked_line(), source))

    assert warnings == []
    assert document["capacity_ratio_source"] == "assumed"
    assert document["capacity_ratio_measured_on"] is None
    assert [
        document[k] for k in ("input_tokens", "output_tokens", "tokens_source", "cost_per_1m_output_tokens")
    ] == [None] * 4


def test_a_measured_ratio_without_its_result_file_says_so() -> None:
    warnings: list[Issue] = []
    source = tokens.provenance(
        {tags.CAPACITY_RATIO_SOURCE: "measured:2026-11-21"}, calibration(), TODAY, "chat", warnings
    )

    assert (source.capacity_ratio_source, source.measured_on, source.objective_ttft_p90_s) == (
        "measured",
        date(2026, 11, 21),
        None,
    )
    assert ["the latest is 2026-11-20" in w.message for w in warnings] == [True]


@pytest.mark.parametrize(
    "raw",
    [
        "measured:2026-13-01",
        "measured:2099-01-01",
        "Measured:2026-11-20",
        "measured:\uff12\uff10\uff12\uff16-11-20",
        "measured",
        "",
        "x" * 300,
    ],
)
def test_a_source_tag_that_is_not_the_contract_is_assumed_with_a_warning(raw: str) -> None:
    warnings: list[Issue] = []
    source = tokens.provenance({tags.CAPACITY_RATIO_SOURCE: raw}, None, TODAY, "chat", warnings)

    assert source.capacity_ratio_source == "assumed"
    assert len(warnings) == 1 and "is neither `assumed` nor `measured:YYYY-MM-DD`" in warnings[0].message
    assert len(warnings[0].message) < 200  # a long tag is cut in the warning


@pytest.mark.parametrize("raw", ["NaN", "-5", "0", "1e400", "inf", "٣٠٠", "250 tokens", ""])
def test_a_tokens_tag_that_is_not_a_positive_number_is_left_out(raw: str) -> None:
    warnings: list[Issue] = []
    source = tokens.provenance({tags.OUTPUT_TOKENS_PER_REQUEST: raw}, None, TODAY, "chat", warnings)

    line = tokens.with_tokens(worked_line(), source)

    assert source.output_tokens_per_request is None and line.cost_per_1m_output_tokens is None
    assert len(warnings) == 1 and tags.OUTPUT_TOKENS_PER_REQUEST in warnings[0].message


def test_no_invocations_means_no_token_estimate() -> None:
    source = tokens.provenance({tags.OUTPUT_TOKENS_PER_REQUEST: "250"}, None, TODAY, "chat", [])
    usage = EndpointUsage(D(1), D(1), D(0), hours_by_instance_type={"ml.inf2.xlarge": D(1)})
    line = endpoint_line("chat", usage, Baseline("ml.g5.2xlarge", D(1), None), None)

    assert tokens.with_tokens(line, source).output_tokens is None
