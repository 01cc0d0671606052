"""``make compile ENDPOINT=<name> [CONFIG=path]``: compile one endpoint's model ahead of time for Inferentia2 in
a SageMaker Processing job running the endpoint's own serving image, and print the
``precompiled_artifacts_s3_uri`` to put into the config (``--set-config`` writes it after a successful
``--wait``). Why this job type and instance: :mod:`ops.compile_plan`.

    python -m ops.compile --endpoint qwen25-7b [--config infersave.yaml] [--dry-run] [--wait [--set-config]]
                          [--max-runtime-hours 3] [--instance-type ml.m5.24xlarge]

Reads the inference stack's outputs (DescribeStacks), prints the estimated cost, then calls CreateProcessingJob;
``--wait`` polls DescribeProcessingJob with backoff until the job ends. Standard credential chain and region
(``env.region`` of the config first); honours ``AWS_ENDPOINT_URL`` (the local emulator). Exits non-zero with a
one-line reason (or a ``field: problem; fix`` list) on failure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from lambdas.common.aws import client_config
from lambdas.common.retry import call_with_backoff, describe_error, error_code
from ops.compile_plan import (
    DEFAULT_MAX_RUNTIME_HOURS,
    CompilePlan,
    CompilePlanError,
    StackOutputs,
    build_plan,
)
from ops.config_edit import ConfigEditError, write_artifacts_uri
from stacks.config import Config, ConfigError, Endpoint, load_config
from stacks.config.shards import endpoint_stack_name, shard_of

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_sagemaker import SageMakerClient

USER_AGENT = "infersave-compile"
OUTPUT_KEYS = {
    "bucket_name": "CompileArtifactsBucketName",
    "key_arn": "CompileArtifactsKeyArn",
    "role_arn": "CompileJobRoleArn",
}
TERMINAL_STATUSES = frozenset({"Completed", "Failed", "Stopped"})
#: Polling: first check after 30 s, doubling up to 5 min between checks.
POLL_FIRST_S, POLL_MAX_S = 30.0, 300.0


class CompileError(RuntimeError):
    """A run-time failure; the message names the stack, job or file."""


def stack_name(config: Config) -> str:
    """Endpoint stack 0 of the project, which holds the compile artifacts store (``stacks.app_builder``)."""
    return endpoint_stack_name(config.project, 0)


def read_stack_outputs(cfn: CloudFormationClient, name: str, region: str) -> StackOutputs:
    """The compile outputs of the inference stack; CompileError if the stack or an output is missing."""
    try:
        stacks = call_with_backoff(partial(cfn.describe_stacks, StackName=name))["Stacks"]
    except ClientError as exc:
        if error_code(exc) == "ValidationError":
            raise CompileError(
                f"stack {name} does not exist in {region}: deploy it first (npx --no-install cdk deploy {name})"
            ) from None
        raise CompileError(f"DescribeStacks {name} failed: {describe_error(exc)}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    missing = [key for key in OUTPUT_KEYS.values() if key not in outputs]
    if missing:
        raise CompileError(
            f"stack {name} has no output {', '.join(missing)}: deploy it with this version of infersave first"
        )
    return StackOutputs(**{field: outputs[key] for field, key in OUTPUT_KEYS.items()})


def render_plan(plan: CompilePlan, endpoint: Endpoint) -> str:
    """What the job does and its cost bound, for the operator to read before it starts."""
    instance = plan.instance
    return "\n".join(
        [
            f"compile job {plan.job_name}",
            f"  model      {endpoint.model_id}: batch_size {endpoint.batch_size}, max_sequence_length "
            f"{endpoint.max_sequence_length}, tensor_parallel_degree {endpoint.tensor_parallel_degree}, "
            f"{endpoint.precision}",
            f"  image      {plan.request['AppSpecification']['ImageUri']}",
            f"  instance   {instance.instance_type} ({instance.vcpus} vCPU, {instance.host_memory_gib} GiB), "
            f"max runtime {plan.max_runtime_hours} h",
            f"  cost       at most USD {plan.max_cost_usd} = USD {instance.hourly_price_usd}/h x "
            f"{plan.max_runtime_hours} h (compiles usually take 30-60 min; price: catalog source "
            f"{instance.price_source_key})",
            f"  artifacts  {plan.artifacts_uri}",
        ]
    )


def wait_for_job(
    sagemaker: SageMakerClient,
    job_name: str,
    *,
    deadline_s: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Poll DescribeProcessingJob (30 s, doubling to 5 min) until the job ends or ``deadline_s`` passes."""
    started = clock()
    delay = POLL_FIRST_S
    last_status = ""
    while True:
        job = call_with_backoff(partial(sagemaker.describe_processing_job, ProcessingJobName=job_name))
        status = str(job["ProcessingJobStatus"])
        if status != last_status:
            log(f"{job_name}: {status}")
            last_status = status
        if status in TERMINAL_STATUSES:
            return dict(job)
        if clock() - started + delay > deadline_s:
            raise CompileError(
                f"{job_name} is still {status} after {deadline_s / 3600:.1f} h of waiting; it keeps running "
                "(its StoppingCondition bounds it): check it with `aws sagemaker describe-processing-job`"
            )
        sleep(delay)
        delay = min(POLL_MAX_S, delay * 2)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.compile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="endpoints[].name in the config")
    parser.add_argument("--config", type=Path, default=Path("infersave.yaml"))
    parser.add_argument("--dry-run", action="store_true", help="print the request, start nothing")
    parser.add_argument("--wait", action="store_true", help="poll until the job ends and print the result")
    parser.add_argument(
        "--set-config", action="store_true", help="with --wait: write the URI into the config"
    )
    parser.add_argument("--max-runtime-hours", type=int, default=DEFAULT_MAX_RUNTIME_HOURS)
    parser.add_argument("--instance-type", default=None, help="a compile instance of the catalog")
    args = parser.parse_args(argv)
    if args.set_config and not args.wait:
        parser.error(
            "--set-config needs --wait: the URI goes into the config only once the job has completed"
        )
    return args


def run(
    args: argparse.Namespace, *, session: boto3.Session | None = None, now: datetime | None = None
) -> int:
    """The command; returns the exit status."""
    # The endpoint to compile is usually one the Neuron cache lacks: that is what this command fixes.
    config = load_config(args.config, neuron_cache=False)
    matches = [e for e in config.endpoints if e.name == args.endpoint]
    if not matches:
        names = ", ".join(e.name for e in config.endpoints)
        raise CompileError(f"--endpoint: {args.endpoint!r} is not in {args.config} (endpoints: {names})")
    endpoint = matches[0]
    session = session or boto3.Session(region_name=config.env.region)
    region = session.region_name
    if not region:
        raise CompileError("no region: set env.region in the config or AWS_REGION")
    cfn = session.client("cloudformation", config=client_config(USER_AGENT))
    outputs = read_stack_outputs(cfn, stack_name(config), region)
    plan = build_plan(
        config,
        endpoint,
        region=region,
        outputs=outputs,
        now=now or datetime.now(UTC),
        max_runtime_hours=args.max_runtime_hours,
        instance_type=args.instance_type,
    )
    print(render_plan(plan, endpoint))
    if args.dry_run:
        print(json.dumps(plan.request, indent=2))
        return 0
    sagemaker = session.client("sagemaker", config=client_config(USER_AGENT))
    try:
        # Not retried on errors: a second create of the same name would fail or start a second job.
        sagemaker.create_processing_job(**plan.request)
    except ClientError as exc:
        raise CompileError(
            f"CreateProcessingJob {plan.job_name} failed: {describe_error(exc, 400)}"
        ) from None
    print(f"started {plan.job_name}; artifacts will be at {plan.artifacts_uri}")
    if not args.wait:
        print(f"once it has completed, set in {args.config} under endpoint {endpoint.name}:")
        print(f"    precompiled_artifacts_s3_uri: {plan.artifacts_uri}")
        return 0
    job = wait_for_job(sagemaker, plan.job_name, deadline_s=plan.max_runtime_hours * 3600 + 1800)
    if job["ProcessingJobStatus"] != "Completed":
        reason = job.get("FailureReason") or job.get("ExitMessage") or "no reason given"
        raise CompileError(f"{plan.job_name} ended {job['ProcessingJobStatus']}: {reason}")
    print(f"precompiled_artifacts_s3_uri: {plan.artifacts_uri}")
    if args.set_config:
        write_artifacts_uri(args.config, endpoint.name, plan.artifacts_uri)
        # The endpoint's own stack (stacks.config.shards); the artifacts store is always in stack 0.
        home = endpoint_stack_name(config.project, shard_of(config, endpoint))
        print(f"set in {args.config}; deploy with npx --no-install cdk deploy {home}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: run, turning every known failure into one message on stderr and exit status 1."""
    args = _parse(argv)
    try:
        return run(args)
    except CompilePlanError as exc:
        print(
            f"infersave compile: endpoint {args.endpoint} cannot be compiled by make compile:\n{exc}",
            file=sys.stderr,
        )
    except (ConfigError, CompileError, ConfigEditError) as exc:
        print(f"infersave compile: {exc}", file=sys.stderr)
    except (ClientError, BotoCoreError) as exc:
        print(f"infersave compile: AWS call failed: {describe_error(exc, 400)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
