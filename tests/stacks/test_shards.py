"""Endpoint stacks: an endpoint's stack depends on its own name (or pin) and the fixed shard count only."""

from __future__ import annotations

from aws_cdk.assertions import Match
from hypothesis import given
from hypothesis import strategies as st

from stacks.config import parse_config
from stacks.config.shards import endpoint_stack_name, endpoints_by_shard, hashed_shard, shard_of
from tests.stacks.conftest import Synth

NAMES = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,11}", fullmatch=True), min_size=1, max_size=30, unique=True)


def _config(names: list[str], shards: int) -> dict[str, object]:
    endpoint = {
        "model_id": "org/m",
        "parameters_billion": 1,
        "container": {"preset": "custom", "image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/s:1"},
    }
    return {
        "project": "p",
        "stacks": {"endpoint_shards": shards},
        "endpoints": [{**endpoint, "name": n} for n in names],
    }


def test_the_hash_is_pinned_and_ignores_case() -> None:
    # A change of hash function, byte order or case folding would move every endpoint of every sharded
    # project (each move is a replacement), so known values are pinned here.
    assert [hashed_shard(n, 3) for n in ("chat", "vision", "summarize")] == [0, 1, 2]
    assert hashed_shard("Chat", 3) == hashed_shard("chat", 3)
    assert {hashed_shard(f"e{i}", 1) for i in range(50)} == {0}


@given(names=NAMES, extra=st.from_regex(r"[a-z][a-z0-9]{0,11}", fullmatch=True), shards=st.integers(1, 8))
def test_adding_or_removing_an_endpoint_moves_no_other(names: list[str], extra: str, shards: int) -> None:
    before = parse_config(_config(names, shards))
    with_extra = parse_config(_config([*names, extra] if extra not in names else names, shards))
    without_first = parse_config(_config(names[1:], shards)) if len(names) > 1 else None

    where = {e.name: shard_of(before, e) for e in before.endpoints}
    assert all(shard_of(with_extra, e) == where[e.name] for e in with_extra.endpoints if e.name in where)
    if without_first is not None:
        assert all(shard_of(without_first, e) == where[e.name] for e in without_first.endpoints)


def test_a_pin_overrides_the_hash_and_may_name_a_stack_beyond_the_count() -> None:
    raw = _config(["chat", "vision"], 3)
    raw["endpoints"][1]["shard"] = 7  # type: ignore[index]

    config = parse_config(raw)

    by_shard = {k: [e.name for e in v] for k, v in endpoints_by_shard(config).items()}
    assert by_shard == {0: ["chat"], 1: [], 2: [], 7: ["vision"]}
    assert endpoint_stack_name("p", 0) == "infersave-p-inference"
    assert endpoint_stack_name("p", 7) == "infersave-p-inference-7"


def test_further_stacks_hold_their_endpoints_alarms_and_no_shared_pieces(synth: Synth) -> None:
    assert sorted(synth.sharded) == [
        "cost",
        "guardrails",
        "inference",
        "inference-1",
        "inference-2",
        "inference-5",
    ]
    for role, names in {
        "inference-1": ["vision"],
        "inference-2": ["summarize", "embed"],
        "inference-5": ["code"],
    }.items():
        template = synth.sharded[role]
        template.resource_count_is("AWS::SageMaker::Endpoint", len(names))
        template.resource_count_is("AWS::CloudWatch::Alarm", 3 * len(names))
        template.resource_count_is("AWS::S3::Bucket", 0)
        for name in names:
            template.has_resource_properties("AWS::SageMaker::Endpoint", {"EndpointName": f"shardcfg-{name}"})
    # Stack 0's endpoints keep their alarms in the guardrails stack (unchanged layout).
    synth.sharded["guardrails"].resource_count_is("AWS::CloudWatch::Alarm", 3 * 2)
    synth.sharded["inference"].resource_count_is("AWS::SageMaker::Endpoint", 2)


def test_only_fixed_values_cross_stacks(synth: Synth) -> None:
    """Exports: the alerts topic (which the cost stack imports already) and the artifacts key, however many
    endpoints and stacks there are; the artifacts bucket is named, not imported."""
    exports = {
        role: sorted(k for k, v in t.to_json().get("Outputs", {}).items() if "Export" in v)
        for role, t in synth.sharded.items()
    }
    assert sum(len(v) for v in exports.values()) == 2, exports
    vision_policy = synth.sharded["inference-1"].find_resources(
        "AWS::IAM::Policy",
        {
            "Properties": {
                "PolicyDocument": {
                    "Statement": Match.array_with([Match.object_like({"Action": "kms:Decrypt"})])
                }
            }
        },
    )
    assert vision_policy
    text = str(synth.sharded["inference-1"].to_json())
    assert (
        "arn:', {'Ref': 'AWS::Partition'}, ':s3:::shardcfg-neuron-123456789012-us-east-1/compiled/vision/"
        in text
    )


def test_every_hashed_stack_is_kept_even_when_empty_so_removing_its_last_endpoint_deletes_it() -> None:
    config = parse_config(_config(["chat"], 3))  # chat hashes to 0 among 3

    assert {k: [e.name for e in v] for k, v in endpoints_by_shard(config).items()} == {
        0: ["chat"],
        1: [],
        2: [],
    }
