"""Which stack holds each endpoint: a stable assignment that adding or removing an endpoint never changes.

An endpoint lives in endpoint stack ``endpoints[].shard`` when pinned, else in
``sha256(lower-cased name) mod stacks.endpoint_shards``: a function of its own name and one fixed number, so no
other endpoint's arrival or removal moves it. Stack 0 is ``infersave-<project>-inference`` (which also holds the
compile artifacts store), stack k >= 1 is ``infersave-<project>-inference-<k>``; the default (one stack) keeps
every pre-existing stack name and logical id. Names are lower-cased first: SageMaker names are
case-insensitive, so a rename that only changes case keeps its stack.
"""

from __future__ import annotations

import hashlib

from stacks.config.schema import Config, Endpoint


def hashed_shard(name: str, shards: int) -> int:
    """The stack index a name picks among ``shards`` (stable across Python runs, unlike ``hash``)."""
    digest = hashlib.sha256(name.lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def shard_of(config: Config, endpoint: Endpoint) -> int:
    """The endpoint stack index of ``endpoint``: its pin, else its name's hash."""
    if endpoint.shard is not None:
        return endpoint.shard
    return hashed_shard(endpoint.name, config.stacks.endpoint_shards)


def endpoint_stack_name(project: str, shard: int) -> str:
    """CloudFormation stack name of endpoint stack ``shard`` (0: the original ``-inference`` stack)."""
    base = f"infersave-{project}-inference"
    return base if shard == 0 else f"{base}-{shard}"


def endpoints_by_shard(config: Config) -> dict[int, list[Endpoint]]:
    """Endpoints per stack index, in config order. Every stack the hash can pick is present even when empty
    (stack 0 holds the shared pieces; the others then hold a key and the scaling gate function only), so
    removing the last endpoint of a stack still deploys that stack and deletes the endpoint: the CDK never
    deletes a stack that leaves the app. A pinned stack beyond ``stacks.endpoint_shards`` is present while an
    endpoint is pinned to it (README "Hundreds of endpoints": delete it by hand once emptied)."""
    result: dict[int, list[Endpoint]] = {shard: [] for shard in range(config.stacks.endpoint_shards)}
    for endpoint in config.endpoints:
        result.setdefault(shard_of(config, endpoint), []).append(endpoint)
    return dict(sorted(result.items()))
