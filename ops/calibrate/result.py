"""The calibration result (``calibration.json``, ``schema_version`` 1) and what ``--write`` puts in the config
and the endpoint's tags. Pure: data in, data out."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lambdas.common import tags
from ops.calibrate.measure import Objective, capacity_ratio
from ops.calibrate.mix import RequestMix
from ops.calibrate.sides import SideResult

SCHEMA_VERSION = 1
METHOD = (
    "open-loop Poisson load levels of streamed requests (InvokeEndpointWithResponseStream) drawn from the request "
    "mix; per repeat the offered rate doubles until a level fails, then is bisected to 3 %; a level passes when no "
    "request failed, the endpoint drained its backlog within 25 % of the send window after the last send, and the "
    "p90 time to first token and p90 inter-token latency meet the objective; best = mean over repeats of each "
    "repeat's highest passing rate (requests/s per instance, over the send window); capacity_ratio = Inferentia2 "
    "best / baseline best, low/high from the repeats' min/max"
)


def calibration_document(
    *,
    endpoint_name: str,
    date: str,
    model_id: str,
    images: dict[str, str],
    instance_types: dict[str, str],
    objective: Objective,
    mix: RequestMix,
    sides: dict[str, SideResult],
    virtual_time: bool,
    notes: list[str],
    inference_component: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The contract's document; ``capacity_ratio`` and its bounds are None when a side met the objective at no
    rate (then nothing is written to the config). ``inference_component`` (None for an instance-served endpoint):
    the component measured, its copies, copies per instance and the seconds spent bringing it up from zero."""
    inf2, baseline = sides["inf2"], sides["baseline"]
    ratio = capacity_ratio(inf2.record["best"], baseline.record["best"])
    ok = inf2.requests_ok + baseline.requests_ok
    all_notes = list(notes) + inf2.notes + baseline.notes
    if virtual_time:
        all_notes.insert(
            0, "timings are the local emulator's performance model (virtual time), not measurements"
        )
    if mix.skipped_too_long:
        all_notes.append(
            f"{mix.skipped_too_long} trace rows longer than the endpoint's sequence length were left out"
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "endpoint_name": endpoint_name,
        "date": date,
        "model_id": model_id,
        "images": images,
        "instance_types": instance_types,
        "objective": {"ttft_p90_s": objective.ttft_p90_s, "itl_p90_s": objective.itl_p90_s},
        "request_mix": {
            "source": mix.source,
            "sha256": mix.sha256,
            "requests": ok,
            # as the Inferentia2 endpoint's container counted them (the tokens its cost is divided by)
            "mean_input_tokens": round(inf2.input_tokens / inf2.requests_ok, 3) if inf2.requests_ok else None,
            "mean_output_tokens": round(inf2.output_tokens / inf2.requests_ok, 3)
            if inf2.requests_ok
            else None,
        },
        "sides": {"inf2": inf2.record, "baseline": baseline.record},
        "inference_component": inference_component,
        "capacity_ratio": ratio[0] if ratio else None,
        "capacity_ratio_low": ratio[1] if ratio else None,
        "capacity_ratio_high": ratio[2] if ratio else None,
        "method": METHOD,
        "notes": all_notes,
    }


def _decimal(value: float, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def measured_fields(document: dict[str, Any]) -> dict[str, str]:
    """``baseline.*`` values for the config (and, with the contract's keys, the endpoint's tags); empty when the
    ratio was not measured. The ratio is kept within the config's bounds."""
    ratio = document["capacity_ratio"]
    if ratio is None:
        return {}
    bounded = min(max(_decimal(ratio, "0.01"), tags.CAPACITY_RATIO_MIN), tags.CAPACITY_RATIO_MAX)
    fields = {"capacity_ratio": str(bounded), "capacity_ratio_source": f"measured:{document['date']}"}
    mix = document["request_mix"]
    if mix["mean_input_tokens"]:
        fields["input_tokens_per_request"] = str(_decimal(mix["mean_input_tokens"], "0.1"))
    if mix["mean_output_tokens"]:
        fields["output_tokens_per_request"] = str(_decimal(mix["mean_output_tokens"], "0.1"))
    return fields


TAG_KEYS = {
    "capacity_ratio": tags.BASELINE_CAPACITY_RATIO,
    "capacity_ratio_source": tags.CAPACITY_RATIO_SOURCE,
    "input_tokens_per_request": tags.INPUT_TOKENS_PER_REQUEST,
    "output_tokens_per_request": tags.OUTPUT_TOKENS_PER_REQUEST,
}
