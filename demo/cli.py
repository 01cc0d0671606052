"""``python -m demo``: deploy infersave into a local AWS emulator, replay a month, run the report.

Phases, each timed (the table is printed at the end, also after a failure):

1. start the emulator (``python -m emulator.server`` on a free loopback port);
2. ``cdk bootstrap``, then the preflight (request the SageMaker quotas the config needs, as a user would,
   then ``python -m ops.preflight``, which must pass), then ``cdk deploy --all`` of the real app
   (``-c local=true``) with the CLI from node_modules, dummy credentials and ``AWS_ENDPOINT_URL``;
3. replay: build the scenario of the previous calendar month (:mod:`demo.scenario`), put its CloudWatch
   metrics and queue its Cost Explorer answer (:mod:`demo.replay`);
4. report: run the deployed reporter's handler in a child process (through ``emulator/lambda_child.py``) under the
   deployed function's environment with the monthly schedule's event, download the report from the
   emulated S3 bucket to ``./out/``, print the savings table, the budget state and where to look
   (:mod:`demo.report`);
5. stop the emulator: always, also on failure, Ctrl-C or SIGTERM, and check it is gone.

Exit status 0 on success, 1 with a one-line reason on failure, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from demo import calibration, local_aws, replay, report
from demo.billing import write_cur_parquet
from demo.local_aws import DEFAULT_ACCOUNT, ROOT, EmulatorProcess, LocalAwsError
from demo.scenario import Scenario, build_scenario
from lambdas.cost_reporter.logic.period import previous_month
from lambdas.cost_reporter.models import ReportPeriod
from stacks.config import Config, ConfigError, load_config
from stacks.config.regions import billing_region
from stacks.config.shards import endpoint_stack_name, endpoints_by_shard

COST_OUTPUTS = ("ReportsBucketName", "SummaryTopicArn", "ReporterFunctionName", "DashboardName")


@dataclass
class PhaseTimes:
    """Wall time per phase, in the order the phases ran (seconds)."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str, detail: str = "") -> Iterator[None]:
        """Time the block as phase ``name``; prints a line when it starts and when it ends."""
        print(f"==> {name}{': ' + detail if detail else ''}", flush=True)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - started
            print(f"    {name} took {self.seconds[name]:.1f} s", flush=True)

    def render(self) -> str:
        """The phase table."""
        width = max([len(name) for name in self.seconds] + [5])
        lines = ["wall time per phase:"]
        lines += [f"  {name:<{width}}  {seconds:7.2f} s" for name, seconds in self.seconds.items()]
        total = sum(v for k, v in self.seconds.items())
        lines.append(f"  {'total':<{width}}  {total:7.2f} s")
        return "\n".join(lines)


def stack_names(config: Config) -> dict[str, str]:
    """The app's stacks by role (see ``stacks.app_builder``): "billing" (in us-east-1, holding the budget) only
    where the endpoints' region has no Budgets or Cost Anomaly Detection types; "inference-<k>" for each
    further endpoint stack (``stacks.config.shards``)."""
    prefix = f"infersave-{config.project}"
    roles = ["inference", "guardrails", "cost"]
    if billing_region(config.env.region or "us-east-1"):
        roles.append("billing")
    names = {role: f"{prefix}-{role}" for role in roles}
    for shard in endpoints_by_shard(config):
        if shard:
            names[f"inference-{shard}"] = endpoint_stack_name(config.project, shard)
    return names


def _raise_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _left_running(state: RunState) -> str:
    """A warning for the last message if the emulator was started and not (known to be) stopped."""
    if state.emulator is None or state.emulator_stopped:
        return ""
    pid = state.emulator.process.pid
    return f"; the emulator (pid {pid}) may still be running: kill {pid}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "infersave.yaml", help="infersave config file")
    parser.add_argument("--out", type=Path, default=Path("out"), help="where report files and logs go")
    parser.add_argument(
        "--install-seconds",
        type=float,
        default=None,
        help="wall time of a warm `make install` (from make demo)",
    )
    return parser


def _scenario_summary(scenario: Any) -> str:
    lines = [f"scenario {scenario.start} .. {scenario.end_exclusive} (exclusive), seeded synthetic traffic:"]
    for e in scenario.endpoints:
        sim = e.simulation
        lines.append(
            f"  {e.endpoint_name}: {e.instance_type}, {float(e.instance_hours):,.1f} instance-hours, "
            f"{e.invocations:,} requests, {sim.scale_outs} scale-outs / {sim.scale_ins} scale-ins "
            f"(latency {e.latency_s:.1f} s, peak {e.peak_concurrency:.1f} concurrent)"
        )
        for c in e.components if len(e.components) > 1 else ():
            copies = c.copies_by_minute
            lines.append(
                f"    component {c.component_name} ({c.model_id}, {c.chips_per_copy} chip(s) a copy): "
                f"{c.invocations:,} requests, {min(copies)}..{max(copies)} copies, {float(c.chip_hours):,.1f} "
                f"chip-hours, {c.simulation.scale_outs} scale-outs / {c.simulation.scale_ins} scale-ins"
            )
        idle_hours = report.replay_idle_instance_hours(e)
        if e.instance_hours:
            lines.append(
                f"    idle (lambdas.cost_reporter.logic.idle): {float(idle_hours):,.1f} instance-hours "
                f"in hours without a request ({float(idle_hours / e.instance_hours):.1%} of its instance-hours)"
            )
        if e.cold_starts or e.minutes_at_zero:
            lines.append(
                f"    scale to zero: {float(e.idle_hours_avoided):,.1f} idle instance-hours avoided, "
                f"{e.minutes_at_zero / 60:,.1f} h at zero instances, {e.cold_starts} cold starts "
                f"({e.failed_requests:,} requests refused while an instance started)"
            )
    return "\n".join(lines)


@dataclass
class RunState:
    """What :func:`run` got to, for the final message: the emulator it started and whether it stopped it."""

    emulator: EmulatorProcess | None = None
    emulator_stopped: bool = False


def replay_month(
    aws: boto3.session.Session,
    endpoint_url: str,
    config: Config,
    function: report.DeployedFunction,
    period: ReportPeriod,
) -> tuple[Scenario, replay.ReplayStats]:
    """Build the scenario of ``period`` and replay it: CloudWatch metrics, and the answer to the deployed
    reporter's Cost Explorer query."""
    scenario = build_scenario(config, period.start, period.end_exclusive)
    stats = replay.replay(
        aws.client("cloudwatch", endpoint_url=endpoint_url),
        endpoint_url,
        scenario,
        report.cost_query(function, period),
    )
    return scenario, stats


@dataclass(frozen=True)
class ReportRun:
    """The reporter's answer and the report it wrote, downloaded."""

    result: dict[str, Any]
    document: dict[str, Any]
    files: dict[str, Path]


def run_report(
    aws: boto3.session.Session,
    endpoint_url: str,
    function: report.DeployedFunction,
    *,
    bucket: str,
    period: ReportPeriod,
    out_dir: Path,
    today: date | None = None,
) -> ReportRun:
    """Run the deployed reporter with the monthly schedule's event (logs in ``out_dir/reporter.log``), check it
    covered ``period``, download its files to ``out_dir``. ``today`` pins the reporter's date (tests)."""
    result = report.invoke(function, endpoint_url, out_dir / "reporter.log", today=today)
    expected_period = {"start": period.start.isoformat(), "end": period.end_exclusive.isoformat()}
    if result["period"] != expected_period:
        raise LocalAwsError(f"the reporter covered {result['period']}, the scenario {expected_period}")
    s3 = aws.client("s3", endpoint_url=endpoint_url)
    files = report.download_reports(s3, bucket, result["report_keys"], out_dir)
    document = json.loads(files["report.json"].read_text(encoding="utf-8"))
    return ReportRun(result=result, document=document, files=files)


@dataclass(frozen=True)
class PreflightRun:
    """The quota increases the demo requested and the preflight's checklist (all PASS or WARN)."""

    requests: list[str]
    checklist: str


def run_preflight(
    aws: boto3.session.Session,
    endpoint_url: str,
    config: Config,
    *,
    env: Mapping[str, str],
    config_path: Path,
    out_dir: Path,
) -> PreflightRun:
    """What a user does before a first deploy: request the SageMaker quotas the config needs (the emulator starts
    at AWS's defaults, 0 for ``ml.inf2.*``, and approves at once), then run ``python -m ops.preflight``, which must
    pass (``out_dir/preflight.log``). Prints the requests and the checklist."""
    requests = local_aws.raise_endpoint_quotas(
        aws.client("service-quotas", endpoint_url=endpoint_url), config
    )
    checklist = local_aws.preflight(env, config_path, out_dir / "preflight.log")
    print("\n".join(f"    {line}" for line in [*requests, *checklist.splitlines()]))
    return PreflightRun(requests=requests, checklist=checklist)


def run(config: Config, config_path: Path, out_dir: Path, times: PhaseTimes, state: RunState) -> None:
    """All phases against a freshly started emulator, which is stopped whatever happens."""
    region = config.env.region or "us-east-1"
    account = config.env.account or DEFAULT_ACCOUNT
    names = stack_names(config)
    out_dir = out_dir.resolve()
    with times.phase("emulator start", "python -m emulator.server on a free loopback port"):
        emulator = EmulatorProcess.start(out_dir / "emulator.log", account=account)
        state.emulator = emulator
    try:
        print(f"    emulator at {emulator.url} (pid {emulator.process.pid})")
        child_env = local_aws.child_environment(local_aws.aws_environment(emulator.url, region))
        aws = local_aws.session(emulator.url, region)
        cfn = aws.client("cloudformation", endpoint_url=emulator.url)
        cloud_assembly = out_dir / "cdk.out"

        with times.phase("bootstrap", f"cdk bootstrap aws://{account}/{region}"):
            local_aws.bootstrap(child_env, account, region, out_dir / "cdk-bootstrap.log", cloud_assembly)
        with times.phase("preflight", "quota increase requests, then python -m ops.preflight"):
            run_preflight(aws, emulator.url, config, env=child_env, config_path=config_path, out_dir=out_dir)
        with times.phase("deploy", "cdk deploy --all -c local=true"):
            local_aws.deploy(child_env, out_dir / "cdk-deploy.log", cloud_assembly, config_path)
            counts = local_aws.check_deployed(cfn, list(names.values()))
            outputs = local_aws.stack_outputs(cfn, names["cost"])
            missing = [key for key in COST_OUTPUTS if key not in outputs]
            if missing:
                raise LocalAwsError(f"stack {names['cost']} has no output(s) {', '.join(missing)}")
            print("    " + ", ".join(f"{name}: {n} resources" for name, n in counts.items()))

        with times.phase(
            "calibrate", f"python -m ops.calibrate --endpoint {calibration.DEMO_ENDPOINT} (virtual time)"
        ):
            measured, measured_path = calibration.calibrate(child_env, config, config_path, out_dir)
            sides = measured["sides"]
            print(
                f"    {measured['endpoint_name']}: capacity_ratio {measured['capacity_ratio']} "
                f"({measured['capacity_ratio_low']} .. {measured['capacity_ratio_high']}), "
                f"{sides['inf2']['instance_type']} {sides['inf2']['best']['requests_per_s']} req/s vs "
                f"{sides['baseline']['instance_type']} {sides['baseline']['best']['requests_per_s']} req/s per "
                f"instance (emulator's performance model); {measured_path}"
            )

        function = report.deployed_function(
            aws.client("lambda", endpoint_url=emulator.url), outputs["ReporterFunctionName"]
        )
        period = previous_month(datetime.now(UTC).date())
        with times.phase(
            "replay", f"a month of traffic and billing, {period.start} .. {period.end_exclusive}"
        ):
            scenario, stats = replay_month(aws, emulator.url, config, function, period)
            print(_scenario_summary(scenario))
            print(
                f"    put {stats.data_points:,} CloudWatch data points in {stats.put_requests} requests; "
                f"queued {stats.cost_pages} Cost Explorer page(s)"
            )

        with times.phase(
            "report", f"{function.handler} with {json.dumps(report.SCHEDULED_EVENT)}, in a child process"
        ):
            ran = run_report(
                aws,
                emulator.url,
                function,
                bucket=outputs["ReportsBucketName"],
                period=period,
                out_dir=out_dir,
            )
            document = ran.document
            budget = None
            name = report.budget_name(cfn, names.get("billing", names["guardrails"]))
            if name:
                budgets = aws.client("budgets", endpoint_url=emulator.url)
                actual = Decimal(str(document["totals"]["actual_cost"]))
                budget = report.budget_state(budgets, account, name, actual)

        with times.phase("report (CUR)", "the same month from CUR 2.0 Parquet, the Athena SQL on DuckDB"):
            cur_dir = out_dir / "cur"
            write_cur_parquet(cur_dir, scenario, account)
            org = report.run_cur_report(
                function, emulator.url, period, cur_dir=cur_dir, out_dir=out_dir / "org",
                log_path=out_dir / "reporter-cur.log",
            )  # fmt: skip
            disagreements = report.cur_disagreements(document, org)
            if disagreements:
                raise LocalAwsError("the CUR path and Cost Explorer disagree: " + "; ".join(disagreements))

        print()
        print(f"Savings report {document['period']['start']} .. {document['period']['end']} (end exclusive), "
              f"{document['cost_metric']}, prices: {', '.join(sorted({e['price_source'] for e in document['endpoints']}))}")  # fmt: skip
        print(report.savings_table(document))
        comparison = report.replay_comparison(document, scenario)
        if comparison:
            print(comparison)
        for kind in ("warnings", "errors"):
            print(f"{len(document[kind])} {kind[:-1]}(s) in the report" + (":" if document[kind] else ""))
            for issue in document[kind]:
                text = " ".join(issue["message"].split())
                scope = f"{issue['endpoint_name']}: " if issue["endpoint_name"] else ""
                print(f"  - {scope}{text[:150]}{'...' if len(text) > 150 else ''}")
        gaps = report.emulator_gaps(document)
        if gaps:
            lacks = (
                f"implements neither {' nor '.join(gaps)}"
                if len(gaps) > 1
                else f"does not implement {gaps[0]}"
            )
            print(f"  (the emulator {lacks}: expected locally)")
        print()
        print(budget.render() if budget else "no budget deployed (budget.monthly_limit_usd is not set)")
        print()
        report_html = ran.files["report.html"]
        print(
            f"report.html: {report_html}  (open it in a browser; report.json, report.csv, daily.csv, components.csv, report.md beside it)"
        )
        accounts = sorted({e["account_id"] for e in org["endpoints"] if e["account_id"]})
        print(
            f"CUR path (organization mode, {out_dir / 'org' / 'report.json'}): actual USD {org['totals']['actual_cost']:,.2f} "
            f"over account(s) {', '.join(accounts)}, equal to Cost Explorer's to the cent"
        )
        print(f"in AWS, look at: CloudWatch dashboard {outputs['DashboardName']}; reports in "
              f"s3://{outputs['ReportsBucketName']}/{ran.result['report_keys'][0].rsplit('/', 1)[0]}/; "
              f"summary e-mails from SNS topic {outputs['SummaryTopicArn']}")  # fmt: skip
        logs = (
            "cdk-bootstrap.log",
            "preflight.log",
            "cdk-deploy.log",
            "calibrate.log",
            "reporter.log",
            "reporter-cur.log",
            "emulator.log",
        )
        print("logs: " + ", ".join(str(out_dir / log) for log in logs))
    finally:
        with times.phase("emulator stop"):
            emulator.stop()
            state.emulator_stopped = True
            print(f"    emulator pid {emulator.process.pid} exited, port {emulator.port} closed")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; returns the exit status."""
    args = _parser().parse_args(argv)
    for key in list(os.environ):
        if key in local_aws.REAL_AWS_VARIABLES or key.startswith("AWS_ENDPOINT_URL_"):
            del os.environ[key]  # nothing in this process may reach a real account
    os.environ.update(local_aws.OFFLINE_CDK)
    signal.signal(
        signal.SIGINT, signal.default_int_handler
    )  # also when started with SIGINT ignored (nohup, &)
    signal.signal(signal.SIGTERM, _raise_on_signal)
    signal.signal(signal.SIGHUP, _raise_on_signal)
    times = PhaseTimes()
    if args.install_seconds is not None:
        times.seconds["install (warm)"] = args.install_seconds
    status = 0
    state = RunState()
    try:
        config_path = args.config.resolve()
        config = load_config(config_path)
        run(config, config_path, args.out, times, state)
    except KeyboardInterrupt:
        stopped = ": the emulator was stopped" if state.emulator_stopped else _left_running(state)
        print(f"\ninterrupted{stopped}", file=sys.stderr)
        status = 130
    except (ConfigError, LocalAwsError, ClientError, BotoCoreError, OSError, ValueError, KeyError) as exc:
        print(f"demo failed: {local_aws.describe(exc)}{_left_running(state)}", file=sys.stderr)
        status = 1
    except Exception as exc:  # a bug or an unexpected answer: still one line, the phase table and status 1
        print(
            f"demo failed: {type(exc).__name__}: {local_aws.describe(exc)}{_left_running(state)}",
            file=sys.stderr,
        )
        status = 1
    print()
    print(times.render())
    return status
