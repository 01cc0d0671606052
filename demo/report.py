"""The report run, as the monthly schedule would run it, and what the demo shows of its result.

moto cannot run Lambda functions without Docker, so the deployed function's handler
(``lambdas.cost_reporter.handler.lambda_handler``) runs in a child process (the emulator's ``lambda_child.py``) with
the scheduled event ``{"period": "previous_month"}``, a stand-in Lambda context and the environment of the
*deployed* function (read with ``lambda:GetFunctionConfiguration``) plus what the Lambda runtime sets,
dummy credentials and ``AWS_ENDPOINT_URL`` pointing at the emulator (:func:`lambda_environment`). The report
then comes back from the emulated S3 bucket, as a user would fetch it.
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from demo.local_aws import DUMMY_CREDENTIALS, ROOT, run_command
from demo.scenario import MINUTES_PER_HOUR, EndpointScenario, Scenario
from lambdas.common.catalog import load_catalog
from lambdas.cost_reporter.dal.cost_explorer import build_request
from lambdas.cost_reporter.logic.idle import HourUsage, idle
from lambdas.cost_reporter.models import ReportPeriod
from lambdas.cost_reporter.settings import load_settings

if TYPE_CHECKING:
    from mypy_boto3_budgets import BudgetsClient
    from mypy_boto3_ce.type_defs import GetCostAndUsageRequestTypeDef
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_s3 import S3Client

SCHEDULED_EVENT = {"period": "previous_month"}
#: The emulator's one-invocation runner (stdlib only until it imports the handler).
LAMBDA_CHILD = ROOT / "emulator" / "lambda_child.py"
REPORT_FILES = ("report.json", "report.csv", "daily.csv", "components.csv", "report.md", "report.html")


@dataclass(frozen=True)
class DeployedFunction:
    """The deployed reporter function's configuration."""

    name: str
    arn: str
    handler: str
    environment: dict[str, str]
    memory_mb: int
    timeout_s: int

    def context(self) -> dict[str, Any]:
        """The fields of the context object Lambda would pass this function (``lambda_child.LambdaContext``)."""
        return {
            "function_name": self.name,
            "function_version": "$LATEST",
            "invoked_function_arn": self.arn,
            "memory_limit_in_mb": self.memory_mb,
            "aws_request_id": str(uuid.uuid4()),
            "log_group_name": f"/aws/lambda/{self.name}",
            "log_stream_name": "local-demo",
            "timeout_ms": self.timeout_s * 1000,
        }


def deployed_function(client: LambdaClient, name: str) -> DeployedFunction:
    """Read the function's configuration (handler, environment, memory, timeout) from Lambda."""
    config = client.get_function_configuration(FunctionName=name)
    return DeployedFunction(
        name=config["FunctionName"],
        arn=config["FunctionArn"],
        handler=config["Handler"],
        environment=dict(config.get("Environment", {}).get("Variables", {})),
        memory_mb=config.get("MemorySize", 128),
        timeout_s=config.get("Timeout", 3),
    )


def lambda_environment(function: DeployedFunction, endpoint_url: str) -> dict[str, str]:
    """The handler's environment: the deployed function's variables, those the Lambda runtime sets, dummy
    credentials and the emulator's URL; nothing of this process's environment."""
    region = function.arn.split(":")[3]
    return {
        **function.environment,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local-demo",
        "TZ": ":UTC",
        **DUMMY_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "1",  # no X-Ray daemon here
        "PYTHONPATH": str(ROOT),  # the function's code: Lambda imports the handler from its task root
    }


def invoke(
    function: DeployedFunction,
    endpoint_url: str,
    log_path: Path,
    event: Mapping[str, Any] = SCHEDULED_EVENT,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """Run the deployed function's handler once in a child process (the emulator's ``lambda_child.py``, the
    same runner the emulator uses for Lambda invokes) under :func:`lambda_environment`; returns its JSON result.

    ``log_path`` receives what the handler prints (Powertools' JSON logs and EMF metrics). ``today`` pins the
    handler's ``utc_today()`` (the end-to-end test's fixed month); the demo leaves it to the clock. Raises
    LocalAwsError with the log's tail if the handler fails or outlives the function's timeout.
    """
    with tempfile.TemporaryDirectory(prefix="infersave-demo-") as tmp:
        event_path, result_path = Path(tmp) / "event.json", Path(tmp) / "result.json"
        event_path.write_text(json.dumps(dict(event)), encoding="utf-8")
        args = [sys.executable, str(LAMBDA_CHILD), function.handler, str(event_path),
                json.dumps(function.context()), str(result_path)]  # fmt: skip
        if today is not None:
            args += ["--today", today.isoformat()]
        run_command(args, lambda_environment(function, endpoint_url), log_path, cwd=ROOT,
                    timeout_s=function.timeout_s + 30)  # fmt: skip
        result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
    return result


def cost_query(function: DeployedFunction, period: ReportPeriod) -> GetCostAndUsageRequestTypeDef:
    """The Cost Explorer request the deployed reporter makes for ``period`` (its settings decide the metric
    and the project filter), so the replay can queue the answer to exactly that query."""
    settings = load_settings(function.environment, require_outputs=False)
    return build_request(period, settings.cost_metric, settings.project_name)


def download_reports(s3: S3Client, bucket: str, keys: list[str], out_dir: Path) -> dict[str, Path]:
    """Fetch the report files from S3 into ``out_dir``; returns file name -> local path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for key in keys:
        name = key.rsplit("/", 1)[-1]
        path = out_dir / name
        path.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        paths[name] = path
    return paths


#: Report warnings that only say the emulator lacks an API (a real account has them), by what it lacks.
EMULATOR_GAPS = {
    "the Price List API": "AWS Price List API unavailable",
    "cost allocation tag activation": "could not activate cost allocation tags",
}


def emulator_gaps(document: Mapping[str, Any]) -> list[str]:
    """What the emulator lacks, going by the report's warnings (empty if none of them is about that)."""
    messages = [str(issue["message"]) for issue in document.get("warnings", [])]
    return [gap for gap, prefix in EMULATOR_GAPS.items() if any(m.startswith(prefix) for m in messages)]


def _money(value: Any) -> str:
    return "n/a" if value is None else f"{Decimal(str(value)).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def _ratio_source(endpoint: Mapping[str, Any]) -> str:
    """``measured <date>`` or ``assumed`` (schema 3's ``capacity_ratio_source``)."""
    if endpoint.get("capacity_ratio_source") == "measured":
        return f"measured {endpoint.get('capacity_ratio_measured_on')}"
    return "assumed"


def _idle(endpoint: Mapping[str, Any]) -> str:
    """Idle share of one endpoint (idle cost / instance cost, ``idle_share``) and its hours at zero, if any."""
    share = endpoint.get("idle_share")
    words = "n/a" if share is None else f"{100 * share:.2f}%"
    at_zero = endpoint.get("hours_at_zero")
    return words if at_zero is None else f"{words}, {at_zero:,} h at 0"


def savings_table(document: Mapping[str, Any]) -> str:
    """The savings table of a report.json document."""
    currency = document.get("currency", "USD")
    header = ["endpoint", "instance", "hours", f"actual {currency}", "baseline",
              f"baseline {currency}", f"savings {currency}", "savings %", "invocations", "per 1k req",
              "per 1M out tok", "ratio", "idle %"]  # fmt: skip
    rows = [header]
    for e in document["endpoints"]:
        rows.append(
            [
                e["endpoint_name"],
                e["instance_type"] or "n/a",
                f"{e['instance_hours']:,.2f}",
                _money(e["actual_cost"]),
                f"{e['baseline_instance_type']} x{e['capacity_ratio']}",
                _money(e["baseline_cost"]),
                _money(e["savings"]),
                "n/a" if e["savings_pct"] is None else f"{e['savings_pct']:.2f}%",
                "n/a" if e["invocations"] is None else f"{e['invocations']:,}",
                "n/a" if e["cost_per_1k_invocations"] is None else f"{e['cost_per_1k_invocations']:.4f}",
                "n/a" if e["cost_per_1m_output_tokens"] is None else f"{e['cost_per_1m_output_tokens']:.4f}",
                _ratio_source(e),
                _idle(e),
            ]
        )
    t = document["totals"]
    rows.append(
        [
            "TOTAL",
            "",
            f"{t['instance_hours']:,.2f}",
            _money(t["actual_cost"]),
            "",
            _money(t["baseline_cost"]),
            _money(t["savings"]),
            "n/a" if t["savings_pct"] is None else f"{t['savings_pct']:.2f}%",
            f"{t['invocations']:,}",
            "",
            "",
            "",
            f"{_money(t['idle_cost'])} idle",
        ]
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            c.ljust(w) if i in (0, 1, 4, 11) else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(len(lines) - 1, lines[1])
    return "\n".join(line.rstrip() for line in lines)


def replay_idle_instance_hours(endpoint: EndpointScenario) -> Decimal:
    """The replay's own idle: instance-hours in the hours without a request, from its exact minutes (the
    reporter's ``idle`` on the replayed hours)."""
    hours = [HourUsage(Decimal(h.instance_minutes) / MINUTES_PER_HOUR, h.invocations) for h in endpoint.hours]
    return idle(hours, Decimal(1)).idle_instance_hours


def _decimal(value: Any, places: str = "0.01") -> str:
    return "n/a" if value is None else f"{Decimal(str(value)).quantize(Decimal(places), ROUND_HALF_UP):,}"


def _component_rows(line: Mapping[str, Any], endpoint: EndpointScenario) -> list[list[str]]:
    """One row per component (and the unallocated rest): the report's figures, then the replay's truth."""
    reported = {str(c["name"]): c for c in line.get("components") or []}
    spec = load_catalog().instances[endpoint.instance_type]
    capacity = endpoint.instance_hours * spec.chips
    truth: dict[str, tuple[str | None, Decimal, int | None]] = {
        c.component_name: (c.model_id, c.chip_hours, c.invocations) for c in endpoint.components
    }
    truth["(unallocated)"] = (
        None,
        capacity - sum((c.chip_hours for c in endpoint.components), Decimal(0)),
        None,
    )
    rows = []
    for name in [*truth, *(n for n in reported if n not in truth)]:
        model, chip_hours, invocations = truth.get(name, (None, None, None))
        entry = reported.get(name, {})
        rows.append(
            [
                name,
                str(entry.get("model_id") or model or "-"),
                _decimal(entry.get("chip_hours")),
                "n/a" if chip_hours is None else _decimal(chip_hours),
                "n/a" if entry.get("share") is None else f"{100 * Decimal(str(entry['share'])):.2f}%",
                _money(entry.get("cost")),
                "n/a" if entry.get("invocations") is None else f"{entry['invocations']:,}",
                "-" if invocations is None else f"{invocations:,}",
            ]
        )
    return rows


def _table(rows: list[list[str]], left: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip() for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _idle_source(line: Mapping[str, Any]) -> str:
    """`` (recorded, coverage 0.9987)`` from report schema 4's ``idle_source`` and ``capacity_coverage``."""
    source = line.get("idle_source")
    if source is None:
        return ""
    coverage = line.get("capacity_coverage")
    return f" ({source})" if coverage is None else f" ({source}, coverage {_decimal(coverage, '0.0001')})"


def replay_comparison(document: Mapping[str, Any], scenario: Scenario) -> str:
    """What the report says next to what the replay did: per shared endpoint (several inference components) its
    split per component (report schema 4's ``components``, when the report has them) against the chip-hours and requests
    the replay's copies held and served; and, for an endpoint that scaled to zero, its idle instance-hours."""
    lines: list[str] = []
    by_name = {e["endpoint_name"]: e for e in document["endpoints"]}
    for endpoint in scenario.endpoints:
        line = by_name.get(endpoint.endpoint_name)
        if line is None:
            continue
        if len(endpoint.components) > 1:  # a shared endpoint
            has_split = bool(line.get("components"))
            lines.append(
                f"{endpoint.endpoint_name}: "
                + (
                    "cost per inference component (report) and the replay's chip-hours and requests"
                    if has_split
                    else f"the replay's chip-hours and requests per inference component (report schema "
                    f"{document.get('schema_version')} has no per-component split)"
                )
            )
            header = ["component", "model", "chip-h report", "chip-h replay", "share", "cost", "requests report",
                      "requests replay"]  # fmt: skip
            lines += [f"  {row}" for row in _table([header, *_component_rows(line, endpoint)], {0, 1})]
        if endpoint.minutes_at_zero or endpoint.cold_starts:
            lines.append(
                f"{endpoint.endpoint_name}: idle instance-hours: report {_decimal(line.get('idle_instance_hours'))}"
                f"{_idle_source(line)}, replay {_decimal(replay_idle_instance_hours(endpoint))} (instance-hours "
                "in its hours without a request)"
            )
    return "\n".join(lines)


@dataclass(frozen=True)
class BudgetState:
    """The deployed budget and where the report month's actual cost stands against its thresholds."""

    name: str
    limit_usd: Decimal
    actual_usd: Decimal
    thresholds: list[tuple[str, Decimal]]  # (ACTUAL | FORECASTED, percent)

    @property
    def used_pct(self) -> Decimal:
        """Actual cost as a percentage of the limit."""
        return self.actual_usd * 100 / self.limit_usd

    def crossed(self) -> list[Decimal]:
        """ACTUAL thresholds (percent) the month's actual cost is above."""
        return [pct for kind, pct in self.thresholds if kind == "ACTUAL" and self.used_pct > pct]

    def render(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"budget {self.name}: limit USD {_money(self.limit_usd)} a month; the report month's actual cost "
            f"USD {_money(self.actual_usd)} is {self.used_pct:.1f} % of it"
        ]
        for kind, pct in self.thresholds:
            if kind == "ACTUAL":
                state = (
                    "CROSSED: AWS Budgets e-mails the alerts topic" if self.used_pct > pct else "not reached"
                )
            else:
                state = "checked by AWS against its forecast of the current month"
            lines.append(f"  {kind:<10} > {pct.normalize():f} %  {state}")
        return "\n".join(lines)


def budget_name(cloudformation: CloudFormationClient, stack_name: str) -> str | None:
    """The physical name of the stack's ``AWS::Budgets::Budget``, if it has one."""
    paginator = cloudformation.get_paginator("list_stack_resources")
    for page in paginator.paginate(StackName=stack_name):
        for resource in page["StackResourceSummaries"]:
            if resource["ResourceType"] == "AWS::Budgets::Budget":
                return resource.get("PhysicalResourceId")
    return None


def budget_state(budgets: BudgetsClient, account: str, name: str, actual_usd: Decimal) -> BudgetState:
    """DescribeBudget + DescribeNotificationsForBudget of the deployed budget, against ``actual_usd``.

    The emulator does not compute a budget's spend (AWS does, from the bill), so the report's actual cost of
    the month stands in for it: the budget filters on the same project tag and SageMaker service.
    """
    budget = budgets.describe_budget(AccountId=account, BudgetName=name)["Budget"]
    notifications = budgets.describe_notifications_for_budget(AccountId=account, BudgetName=name)
    thresholds = [
        (str(n["NotificationType"]), Decimal(str(n["Threshold"])))
        for n in notifications.get("Notifications", [])
        if n.get("ThresholdType", "PERCENTAGE") == "PERCENTAGE"
    ]
    return BudgetState(
        name=name,
        limit_usd=Decimal(budget["BudgetLimit"]["Amount"]),
        actual_usd=actual_usd,
        thresholds=sorted(thresholds, key=lambda item: (item[0], item[1])),
    )


def run_cur_report(
    function: DeployedFunction,
    endpoint_url: str,
    period: ReportPeriod,
    *,
    cur_dir: Path,
    out_dir: Path,
    log_path: Path,
) -> dict[str, Any]:
    """The organization path of the same month: the reporter's command in a child process under the deployed
    function's environment, its bill from the CUR Parquet under ``cur_dir`` through the CUR query on DuckDB
    (``--cur-parquet``; Athena's part, run locally), tags and invocations from the emulator, read only
    (``--no-tagging``). Returns report.json of ``out_dir``; raises LocalAwsError if the command fails."""
    args = [sys.executable, "-m", "lambdas.cost_reporter", "report", "--start", period.start.isoformat(),
            "--end", period.end_exclusive.isoformat(), "--output-dir", str(out_dir), "--cur-parquet",
            str(cur_dir), "--no-tagging"]  # fmt: skip
    run_command(
        args, lambda_environment(function, endpoint_url), log_path, cwd=ROOT, timeout_s=function.timeout_s
    )
    document: dict[str, Any] = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    return document


def cur_disagreements(cost_explorer: Mapping[str, Any], cur: Mapping[str, Any]) -> list[str]:
    """Where the CUR-path report differs from the Cost Explorer one in a figure (to the cent), else []."""
    problems = []
    for key in ("actual_cost", "baseline_cost", "savings", "instance_hours"):
        if cost_explorer["totals"][key] != cur["totals"][key]:
            problems.append(
                f"totals.{key}: Cost Explorer {cost_explorer['totals'][key]}, CUR {cur['totals'][key]}"
            )
    by_name = {e["endpoint_name"]: e for e in cur["endpoints"]}
    for line in cost_explorer["endpoints"]:
        other = by_name.get(line["endpoint_name"], {})
        if other.get("actual_cost") != line["actual_cost"]:
            problems.append(
                f"{line['endpoint_name']}: Cost Explorer {line['actual_cost']}, CUR {other.get('actual_cost')}"
            )
    return problems
