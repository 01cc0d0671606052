"""``make calibrate ENDPOINT=<name> [CONFIG=path] [CALIBRATE_FLAGS=...]``: measure the capacity ratio of one
Inferentia2 endpoint against its GPU baseline type.

    python -m ops.calibrate --endpoint zephyr-7b [--config infersave.yaml] [--yes] [--write]
                            [--requests 40] [--repeats 2] [--max-minutes 45] [--seed 1] [--mix trace.csv]
                            [--warm-minutes 30] [--local] [--virtual-time] [--out out]

Prints the cost bound of the run (the baseline type's hourly price from the bundled catalog x the time bound
plus an allowance for creating and deleting the endpoint) and stops unless ``--yes``. Then: deploys the
temporary baseline stack (``cdk deploy`` of ``-c calibrate=<endpoint>``), waits for both endpoints to be
InService (an inference-component endpoint: its own model's component brought up from zero copies first, not
measured: ``ops.calibrate.component``), runs the rate search on each (``ops.calibrate.sides``), deletes the
baseline stack (DeleteStack, also on failure or Ctrl-C), writes ``calibration.json`` to ``out/calibrations/<endpoint name>/<date>.json`` and
to the reports bucket (``calibrations/<endpoint name>/<date>.json``), and with ``--write`` puts the ratio, its
source ``measured:<date>`` and the tokens per request into the config (comments kept) and onto the endpoint's
tags (AddTags; the next deploy writes the same values from the config). Standard credential chain; the
config's ``env.region``; honours ``AWS_ENDPOINT_URL``. ``--local`` deploys with ``-c local=true`` (the emulator);
``--virtual-time`` runs the levels in the emulator's virtual time (``emulator/sagemaker_runtime.py``).
Exit 0 on success, 1 on a run-time failure (one line naming the stack or endpoint), 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from lambdas.common.aws import VARIANT_NAME, client_config
from lambdas.common.catalog import load_catalog
from lambdas.common.retry import call_with_backoff, describe_error, error_code
from ops.calibrate.component import WarmUp, WarmUpError, copies_now, measured_component, per_instance, warm_up
from ops.calibrate.loadgen import Target
from ops.calibrate.measure import Objective, SearchPlan
from ops.calibrate.mix import MixError, load_mix
from ops.calibrate.result import TAG_KEYS, calibration_document, measured_fields
from ops.calibrate.sides import Bounds, SideResult, measure_side
from ops.config_edit import ConfigEditError, write_baseline_fields
from stacks import containers
from stacks.calibration_stack import baseline_endpoint_name, calibration_stack_name
from stacks.config import Config, ConfigError, Endpoint, load_config
from stacks.dlc_registry import gpu_baselines

ROOT = Path(__file__).resolve().parent.parent.parent
USER_AGENT = "infersave-calibrate"
#: Time allowed for creating, starting and deleting the baseline endpoint, on top of the load test (hours):
#: SageMaker bills an endpoint's instances from when they start until the endpoint is deleted.
DEPLOY_ALLOWANCE_H = Decimal("0.5")
ENGINES = {"hf-vllm-neuron": "vllm", "hf-tgi-neuron": "tgi"}
COST_STACK_OUTPUT = "ReportsBucketName"
#: Polling for InService: first check after 15 s (0 locally), up to 60 s between checks, 45 minutes in all.
POLL_FIRST_S, POLL_MAX_S, POLL_LIMIT_S = 15.0, 60.0, 2700.0


class CalibrateError(RuntimeError):
    """A run-time failure; the message names the stack, endpoint or file."""


def cost_bound_usd(baseline_type: str, max_minutes: float) -> tuple[Decimal, Decimal]:
    """(hourly price, bound) in USD of the baseline endpoint for one run; CalibrateError without a price."""
    spec = load_catalog().get(baseline_type)
    if spec is None or spec.hourly_price_usd is None:
        raise CalibrateError(
            f"no on-demand price for {baseline_type} in the bundled catalog; cannot bound the run's cost"
        )
    hours = Decimal(str(max_minutes)) / 60 + DEPLOY_ALLOWANCE_H
    return spec.hourly_price_usd, (spec.hourly_price_usd * hours).quantize(Decimal("0.01"))


#: Share of GPU memory the weights may take, the rest for the KV cache and activations: the same 20 % headroom
#: as the Neuron fit check (``stacks.config.neuron_fit``).
GPU_WEIGHTS_SHARE = Decimal("0.8")


def gpu_fit_problem(endpoint: Endpoint) -> str | None:
    """``endpoints[i].baseline.instance_type: problem; fix`` when the model's weights do not fit the baseline's
    GPU memory (the baseline endpoint would fail to start after minutes of billed time)."""
    spec = load_catalog().instances[endpoint.baseline.instance_type]
    need = endpoint.weights_gib / GPU_WEIGHTS_SHARE
    if need <= spec.accelerator_memory_gib:
        return None
    fits = sorted(
        (s.accelerator_memory_gib, s.vcpus, s.instance_type)
        for s in load_catalog().instances.values()
        if not s.is_inferentia2 and s.accelerator_memory_gib >= need
    )
    hint = (
        f"set baseline.instance_type to one that holds it, e.g. {fits[0][2]} ({fits[0][0]} GiB)"
        if fits
        else "no GPU type in the catalog holds it"
    )
    return (
        f"baseline.instance_type: {endpoint.weights_gib:.1f} GiB of weights need {need:.1f} GiB of GPU memory with "
        f"20 % headroom; {spec.instance_type} has {spec.accelerator_memory_gib} GiB; {hint}"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ops.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="endpoints[].name in the config")
    parser.add_argument("--config", type=Path, default=ROOT / "infersave.yaml")
    parser.add_argument("--yes", action="store_true", help="go ahead after printing the cost bound")
    parser.add_argument(
        "--write", action="store_true", help="write the measured ratio into the config and tags"
    )
    parser.add_argument("--requests", type=int, default=40, help="requests per load level (default 40)")
    parser.add_argument(
        "--repeats", type=int, default=2, help="repeats of the rate search per side (default 2)"
    )
    parser.add_argument(
        "--max-minutes", type=float, default=45.0, help="load-test time bound per side (default 45)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tolerance", type=float, default=0.03, help="bisect until the rates are this close")
    parser.add_argument(
        "--mix", type=Path, default=None, help="CSV of TIMESTAMP,ContextTokens,GeneratedTokens"
    )
    parser.add_argument(
        "--max-workers", type=int, default=64, help="concurrent requests at most (thread pool)"
    )
    parser.add_argument(
        "--warm-minutes",
        type=float,
        default=30.0,
        help="inference components: bound on bringing a copy up from zero (default 30)",
    )
    parser.add_argument(
        "--local", action="store_true", help="deploy the baseline with -c local=true (emulator)"
    )
    parser.add_argument(
        "--virtual-time", action="store_true", help="emulator only: modelled, machine-independent"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "out")
    return parser


def _bad_input(args: argparse.Namespace) -> str | None:
    if not 2 <= args.requests <= 10_000:
        return f"--requests: {args.requests} is outside 2..10000"
    if not 1 <= args.repeats <= 20:
        return f"--repeats: {args.repeats} is outside 1..20"
    if not 0 < args.max_minutes <= 24 * 60:
        return f"--max-minutes: {args.max_minutes} is outside (0, 1440]"
    if not 0.005 <= args.tolerance <= 1:
        return f"--tolerance: {args.tolerance} is outside 0.005..1"
    if not 1 <= args.max_workers <= 1024:
        return f"--max-workers: {args.max_workers} is outside 1..1024"
    if not 1 <= args.warm_minutes <= 180:
        return f"--warm-minutes: {args.warm_minutes} is outside 1..180"
    return None


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM tears the baseline down like Ctrl-C


def wait_in_service(sagemaker: Any, name: str, *, local: bool, sleep: Any = time.sleep) -> int:
    """Poll DescribeEndpoint until InService (returns the variant's instance count); CalibrateError on Failed."""
    delay = 0.0 if local else POLL_FIRST_S
    waited = 0.0
    while True:
        try:
            endpoint = call_with_backoff(partial(sagemaker.describe_endpoint, EndpointName=name))
        except ClientError as exc:
            raise CalibrateError(f"DescribeEndpoint {name}: {describe_error(exc)}") from None
        status = endpoint["EndpointStatus"]
        if status == "InService":
            variants = endpoint.get("ProductionVariants") or [{}]
            variant = next((v for v in variants if v.get("VariantName") == VARIANT_NAME), variants[0])
            return int(variant.get("CurrentInstanceCount") or 1)
        if status in {"Failed", "OutOfService", "Deleting", "RollingBack"}:
            raise CalibrateError(
                f"endpoint {name} is {status}: {endpoint.get('FailureReason', 'no reason given')}"
            )
        if waited > POLL_LIMIT_S:
            raise CalibrateError(f"endpoint {name} still {status} after {POLL_LIMIT_S / 60:.0f} minutes")
        delay = max(delay, 1.0)
        sleep(delay)
        waited += delay
        delay = min(delay * 2, POLL_MAX_S)


def deploy_baseline(config_path: Path, endpoint: Endpoint, stack: str, *, local: bool, out: Path) -> None:
    """``cdk deploy`` of the calibration stack alone (its own synth output directory); log in ``out``."""
    args = ["npx", "--no-install", "cdk", "deploy", stack, "--require-approval", "never",
            "-c", f"calibrate={endpoint.name}", "-c", f"config={config_path.resolve()}",
            "--output", str(out / "calibration-cdk.out")]  # fmt: skip
    if local:
        args += ["-c", "local=true"]
    log = out / f"calibrate-{endpoint.name}-cdk.log"
    with log.open("wb") as handle:
        status = subprocess.run(  # noqa: S603 - fixed argument list
            args, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False
        ).returncode
    if status != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        raise CalibrateError(f"cdk deploy {stack} exited with {status}; {log}:\n" + "\n".join(tail))


def delete_stack(cloudformation: Any, stack: str) -> str:
    """DeleteStack and wait; returns a line saying how it ended (never raises: this runs in ``finally``)."""
    try:
        cloudformation.delete_stack(StackName=stack)
        cloudformation.get_waiter("stack_delete_complete").wait(
            StackName=stack, WaiterConfig={"Delay": 5, "MaxAttempts": 360}
        )
    except (ClientError, BotoCoreError, WaiterError) as exc:
        return (f"could NOT delete stack {stack} ({describe_error(exc)}): delete it now, the baseline endpoint "
                f"bills by the hour: aws cloudformation delete-stack --stack-name {stack}")  # fmt: skip
    return f"deleted stack {stack} (the baseline endpoint)"


def reports_bucket(cloudformation: Any, config: Config) -> str | None:
    """The cost stack's reports bucket, or None when the stack is not deployed."""
    name = f"infersave-{config.project}-cost"
    try:
        stacks = call_with_backoff(partial(cloudformation.describe_stacks, StackName=name))["Stacks"]
    except ClientError as exc:
        if error_code(exc) == "ValidationError":
            return None
        raise CalibrateError(f"DescribeStacks {name}: {describe_error(exc)}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    return outputs.get(COST_STACK_OUTPUT)


def run(args: argparse.Namespace, config: Config, endpoint: Endpoint) -> dict[str, Any]:
    """The calibration after the go-ahead; returns the document."""
    region = config.env.region
    session = boto3.session.Session(region_name=region)
    make = partial(session.client, config=client_config(USER_AGENT))
    sagemaker, cloudformation = make("sagemaker"), make("cloudformation")
    # One attempt per invocation: a retried throttle would hide the overload a level measures, so the load
    # generator counts throttling and errors per level instead. A stream may be silent while the endpoint queues.
    runtime = session.client(
        "sagemaker-runtime",
        config=client_config(USER_AGENT, max_attempts=1, read_timeout=180).merge(
            BotoConfig(max_pool_connections=args.max_workers)
        ),
    )
    name = config.endpoint_name(endpoint)
    engine = ENGINES[endpoint.container.preset]
    instances = wait_in_service(sagemaker, name, local=args.local)
    warmed: WarmUp | None = None
    if endpoint.serving == "inference_component":
        component = measured_component(endpoint, name)
        print(f"bringing up inference component {component} ...", flush=True)
        warmed = warm_up(sagemaker, component, local=args.local, limit_s=args.warm_minutes * 60)
        inf2 = Target(name, engine, warmed.copies / per_instance(endpoint), args.virtual_time, component)
        serving = f"component {component}: {warmed.copies} copies of {per_instance(endpoint)} per instance"
        if warmed.warm_up_s is not None:
            print(f"  one copy serving after {warmed.warm_up_s:.1f} s (not measured)", flush=True)
    else:
        inf2 = Target(name, engine, instances, args.virtual_time)
        serving = f"x {instances}"
    seq = endpoint.max_sequence_length
    mix = load_mix(args.mix, max_input_tokens=seq // 2 if engine == "tgi" else seq - 1, max_total_tokens=seq)
    objective = Objective(float(endpoint.calibration.ttft_p90_s), float(endpoint.calibration.itl_p90_s))
    bounds = Bounds(requests=args.requests, repeats=args.repeats, max_seconds=args.max_minutes * 60,
                    max_workers=args.max_workers)  # fmt: skip
    plan = SearchPlan(tolerance=args.tolerance)
    stack = calibration_stack_name(config, endpoint)
    baseline_name = baseline_endpoint_name(config, endpoint)
    sides: dict[str, SideResult] = {}
    notes: list[str] = []
    args.out.mkdir(parents=True, exist_ok=True)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    marks = [time.monotonic()]

    def lap() -> str:
        """Wall time since the previous step, for the step's line."""
        marks.append(time.monotonic())
        return f"{marks[-1] - marks[-2]:.1f} s"

    try:
        print(f"measuring {name} ({endpoint.instance_type} {serving}) ...", flush=True)
        sides["inf2"] = measure_side(
            runtime, inf2, instance_type=endpoint.instance_type,
            mix=mix, objective=objective, plan=plan, bounds=bounds, seed=args.seed, label="inf2",
        )  # fmt: skip
        if warmed is not None and (after := copies_now(sagemaker, warmed.name)) != warmed.copies:
            notes.append(
                f"inf2: component {warmed.name} went from {warmed.copies} to {after} copies during the "
                "measurement (its autoscaling); rates are divided by the copies at the start"
            )
        print(f"  measured in {lap()}; deploying {stack} ({endpoint.baseline.instance_type}) ...", flush=True)
        deploy_baseline(args.config, endpoint, stack, local=args.local, out=args.out)
        baseline_instances = wait_in_service(sagemaker, baseline_name, local=args.local)
        print(f"  deployed and InService in {lap()}", flush=True)
        print(
            f"measuring {baseline_name} ({endpoint.baseline.instance_type} x {baseline_instances}) ...",
            flush=True,
        )
        sides["baseline"] = measure_side(
            runtime, Target(baseline_name, engine, baseline_instances, args.virtual_time),
            instance_type=endpoint.baseline.instance_type, mix=mix, objective=objective, plan=plan,
            bounds=bounds, seed=args.seed, label="baseline",
        )  # fmt: skip
        print(f"  measured in {lap()}", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        print(delete_stack(cloudformation, stack) + f" in {lap()}", flush=True)
    repository, tag = containers.image_repository_and_tag(endpoint)
    gpu = gpu_baselines()[endpoint.container.preset]
    date = datetime.now(UTC).date().isoformat()
    document = calibration_document(
        endpoint_name=name, date=date, model_id=endpoint.model_id,
        images={"inf2": f"{repository}:{tag}", "baseline": f"{gpu.repository}:{gpu.tag}"},
        instance_types={"inf2": endpoint.instance_type, "baseline": endpoint.baseline.instance_type},
        objective=objective, mix=mix, sides=sides, virtual_time=args.virtual_time, notes=notes,
        inference_component=None if warmed is None else {
            "name": warmed.name, "copies": warmed.copies, "copies_per_instance": per_instance(endpoint),
            "warm_up_s": None if warmed.warm_up_s is None else round(warmed.warm_up_s, 1),
        },
    )  # fmt: skip
    document["aws_calls"] = {"invocations": sides["inf2"].calls + sides["baseline"].calls}
    body = json.dumps(document, indent=1) + "\n"
    local_path = args.out / "calibrations" / name / f"{date}.json"
    local_path.parent.mkdir(parents=True, exist_ok=True)
    local_path.write_text(body, encoding="utf-8")
    print(f"wrote {local_path}")
    bucket = reports_bucket(cloudformation, config)
    if bucket:
        key = f"calibrations/{name}/{date}.json"
        try:
            call_with_backoff(partial(make("s3").put_object, Bucket=bucket, Key=key, Body=body.encode(),
                                      ContentType="application/json"))  # fmt: skip
        except ClientError as exc:
            raise CalibrateError(f"PutObject s3://{bucket}/{key}: {describe_error(exc)}") from None
        print(f"wrote s3://{bucket}/{key}")
    else:
        print(f"no stack infersave-{config.project}-cost: the result is in {local_path} only")
    if args.write:
        write(args.config, config, endpoint, document, sagemaker)
    return document


def write(
    config_path: Path, config: Config, endpoint: Endpoint, document: dict[str, Any], sagemaker: Any
) -> None:
    """The measured fields into the config file and onto the endpoint's tags."""
    fields = measured_fields(document)
    if not fields:
        raise CalibrateError(
            f"endpoint {endpoint.name}: no ratio measured (a side met the objective at no rate), config left as is; "
            "loosen endpoints[].calibration or check the notes in the result"
        )
    try:
        write_baseline_fields(config_path, endpoint.name, fields)
    except ConfigEditError as exc:
        raise CalibrateError(f"{config_path}: {exc}") from None
    print(f"wrote {', '.join(f'baseline.{k}: {v}' for k, v in fields.items())} into {config_path}")
    arn = call_with_backoff(
        partial(sagemaker.describe_endpoint, EndpointName=config.endpoint_name(endpoint))
    )["EndpointArn"]
    call_with_backoff(
        partial(
            sagemaker.add_tags,
            ResourceArn=arn,
            Tags=[{"Key": TAG_KEYS[k], "Value": v} for k, v in fields.items()],
        )
    )
    print(f"tagged {arn} (the next deploy writes the same values from the config)")


def main(argv: list[str] | None = None) -> int:
    """Parse, validate, print the cost bound, ask for --yes, run."""
    args = _parser().parse_args(argv)
    problem = _bad_input(args)
    if problem:
        print(f"calibrate: {problem}", file=sys.stderr)
        return 2
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return 2
    endpoint = next((e for e in config.endpoints if e.name == args.endpoint), None)
    if endpoint is None or endpoint.container.preset not in ENGINES:
        names = ", ".join(e.name for e in config.endpoints if e.container.preset in ENGINES)
        why = (
            "is not in the config"
            if endpoint is None
            else "has a custom image (no GPU image to pair it with)"
        )
        print(f"calibrate: --endpoint {args.endpoint} {why}; use one of {names}", file=sys.stderr)
        return 2
    fit = gpu_fit_problem(endpoint)
    if fit:
        print(f"calibrate: endpoints[{config.endpoints.index(endpoint)}].{fit}", file=sys.stderr)
        return 2
    if args.virtual_time and not os.environ.get("AWS_ENDPOINT_URL"):
        print(
            "calibrate: --virtual-time needs the emulator (AWS_ENDPOINT_URL); against AWS leave it out",
            file=sys.stderr,
        )
        return 2
    try:
        price, bound = cost_bound_usd(endpoint.baseline.instance_type, args.max_minutes)
        print(
            f"cost bound: {endpoint.baseline.instance_type} at USD {price}/h (bundled catalog, on-demand) x "
            f"({args.max_minutes:g} min load test + {DEPLOY_ALLOWANCE_H * 60:.0f} min to create and delete the "
            f"endpoint) = USD {bound}; the Inferentia2 endpoint is already running (not extra)"
        )
        if endpoint.serving == "inference_component":
            print(
                "  unless its component is at zero copies: then one copy is started (its instance bills from then "
                "until autoscaling releases it after the run)"
            )
        if not args.yes:
            print("calibrate: run again with --yes to deploy the baseline and start", file=sys.stderr)
            return 2
        started = time.monotonic()
        document = run(args, config, endpoint)
    except (CalibrateError, MixError, WarmUpError) as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as exc:
        print(f"calibrate: {describe_error(exc, 400)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("calibrate: interrupted; the baseline stack was deleted (see above)", file=sys.stderr)
        return 130
    ratio = document["capacity_ratio"]
    sides = document["sides"]
    print(
        f"{document['endpoint_name']}: inf2 {sides['inf2']['best']['requests_per_s']} req/s per instance, baseline "
        f"{sides['baseline']['best']['requests_per_s']} req/s per instance; capacity_ratio {ratio} "
        f"({document['capacity_ratio_low']} .. {document['capacity_ratio_high']}); "
        f"{document['aws_calls']['invocations']} invocations, {time.monotonic() - started:.1f} s wall time"
    )
    return 0 if ratio is not None else 1
