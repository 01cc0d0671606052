"""The Lambda handler and the command, end to end against moto: tags, bill, invocations, outputs, metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cost_helpers import (
    ACCOUNT,
    BUCKET,
    OCT_5,
    REGION,
    TOPIC,
    calibration_document,
    ce_group,
    ce_page,
    count_calls,
    create_endpoint,
    create_endpoints,
    full_tags,
    put_invocations,
    put_invocations_bulk,
    queue_cost_results,
)

from lambdas.cost_reporter import __main__ as cli
from lambdas.cost_reporter import handler
from lambdas.cost_reporter.dal.clients import Clients, make_clients
from lambdas.cost_reporter.dal.pricing import PriceBook
from lambdas.cost_reporter.logic.period import PeriodError
from lambdas.cost_reporter.logic.render import ENDPOINT_FIELDS
from lambdas.cost_reporter.logic.service import run_report
from lambdas.cost_reporter.models import ReportPeriod
from lambdas.cost_reporter.settings import Settings, SettingsError

OCTOBER_EVENT = {"start": "2025-10-01", "end": "2025-11-01"}
PREFIX = "reports/2025-10-01_2025-11-01"
OCTOBER = ReportPeriod(date(2025, 10, 1), date(2025, 11, 1), "custom")


@dataclass
class FakeContext:
    """The attributes of a Lambda context that Powertools reads."""

    function_name: str = "cost-reporter"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:cost-reporter"
    aws_request_id: str = "req-1"


@pytest.fixture
def lambda_env(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Bucket, topic (with an SQS subscriber to read the e-mail) and the Lambda's environment; yields the queue URL."""
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    boto3.client("s3", region_name=REGION).put_bucket_versioning(
        Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"}
    )
    topic_arn = boto3.client("sns", region_name=REGION).create_topic(Name=TOPIC)["TopicArn"]
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="mail")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("sns", region_name=REGION).subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    monkeypatch.setenv("REPORTS_BUCKET", BUCKET)
    monkeypatch.setenv("SUMMARY_TOPIC_ARN", topic_arn)
    monkeypatch.setenv("REPORT_LINK_ROLE_ARN", f"arn:aws:iam::{ACCOUNT}:role/report-link")
    handler.settings.cache_clear()
    yield queue_url
    handler.settings.cache_clear()


def seed_october() -> None:
    """Two endpoints (one needing tags), a two-page bill with untagged cost, and invocations."""
    create_endpoint("chat", full_tags("chat", ratio="1.5"))
    create_endpoint("rag", {"infersave:project": "demo"}, instance_type="ml.inf2.8xlarge")
    queue_cost_results(
        ce_page(
            [
                ce_group("chat", "USE1-Host:ml.inf2.xlarge", "712.80", "720"),
                ce_group("", "USE1-Notebk:ml.t3.medium", "4.99", "100"),
            ],
            next_token="page-2",
        ),
        ce_page(
            [
                ce_group("chat", "USE1-Host:VolumeUsage.gp2", "3.20", "30"),
                ce_group("rag", "USE1-Host:ml.inf2.8xlarge", "236.00", "100"),
                ce_group("rag", "USE1-Host:ml.inf2.8xlarge", "not-a-number", "1"),
            ]
        ),
    )
    put_invocations("chat", 1_000_000, OCT_5)
    put_invocations("chat", 200_000, OCT_5.replace(day=20))
    put_invocations("rag", 5_000, OCT_5)


def emf_lines(out: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [line for line in lines if "_aws" in line]


def test_handler_tags_reports_stores_announces_and_emits_metrics(
    lambda_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: the scheduled report of the closed month, run on 5 November
    seed_october()
    monkeypatch.setattr(handler, "utc_today", lambda: date(2025, 11, 5))

    # Act
    result = handler.lambda_handler({"period": "previous_month"}, FakeContext())

    # Assert: the S3 report follows the contract
    s3 = boto3.client("s3", region_name=REGION)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == [
        f"{PREFIX}/{name}"
        for name in (
            "components.csv", "daily.csv", "manifest.json", "report.csv", "report.html", "report.json", "report.md"
        )
    ]  # fmt: skip
    page = s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/report.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert b'id="chart-cost"' in page["Body"].read()
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/manifest.json")["Body"].read())
    assert sorted(manifest["files"]) == [
        "components.csv", "daily.csv", "report.csv", "report.html", "report.json", "report.md"
    ]  # fmt: skip
    report = json.loads(s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/report.json")["Body"].read())
    assert list(report) == [
        "schema_version", "status", "period", "currency", "cost_metric", "cost_source", "endpoints",
        "untagged_cost", "non_usage_cost", "non_usage_total", "totals", "daily", "warnings", "errors", "cold_starts",
    ]  # fmt: skip
    assert (report["schema_version"], report["status"], report["cost_source"]) == (
        4,
        "complete",
        "cost_explorer",
    )
    # schema 3: the days (the queued bill is one bucket starting 2025-10-01; invocations on the 5th and 20th)
    assert [(d["date"], d["actual_cost"], d["invocations"]) for d in report["daily"]] == [
        ("2025-10-01", 952.0, 0),
        ("2025-10-05", 0.0, 1_005_000),
        ("2025-10-20", 0.0, 200_000),
    ]
    chat = report["endpoints"][0]
    assert [(d["date"], d["baseline_cost"], d["savings"]) for d in chat["daily"]] == [
        ("2025-10-01", 1639.4, 923.4),
        ("2025-10-05", 0.0, 0.0),
        ("2025-10-20", 0.0, 0.0),
    ]
    daily_csv = s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/daily.csv")["Body"].read().decode().splitlines()
    assert daily_csv[0] == "date,endpoint_name,instance_hours,actual_cost,baseline_cost,savings,invocations"
    assert daily_csv[1] == "2025-10-01,chat,720.0,716.0,1639.4,923.4,0"
    assert daily_csv[-1] == "2025-10-20,(total),0.0,0.0,0.0,0.0,200000"
    assert report["cold_starts"] == {}  # no inference component refused a request
    assert report["period"] == {"start": "2025-10-01", "end": "2025-11-01"}
    assert (report["currency"], report["cost_metric"]) == ("USD", "UnblendedCost")
    chat, rag = report["endpoints"]
    assert tuple(chat) == (*ENDPOINT_FIELDS, "daily", "components")
    assert (chat["idle_source"], chat["capacity_coverage"], chat["components"]) == ("spread", 0.0, [])
    # chat: the hand-computed example (see test_cost_savings): 720 h x 1.5 x 1.515 + 3.20 = 1639.40
    assert (chat["actual_cost"], chat["baseline_cost"], chat["savings"]) == (716.0, 1639.4, 923.4)
    assert (chat["invocations"], chat["cost_per_1k_invocations"]) == (1_200_000, 0.5967)
    # rag: tagged with the defaults; one of its rows is unreadable, so its bill is incomplete and its
    # savings are left out (its readable 236.00 still counts as actual cost)
    assert (rag["endpoint_name"], rag["instance_type"], rag["capacity_ratio"]) == (
        "rag",
        "ml.inf2.8xlarge",
        1.0,
    )
    assert (rag["actual_cost"], rag["baseline_cost"], rag["savings"], rag["savings_pct"]) == (
        236.0,
        None,
        None,
        None,
    )
    assert report["untagged_cost"] == 4.99
    assert (report["non_usage_cost"], report["non_usage_total"]) == ({}, 0.0)
    # totals: baseline and savings over the endpoints compared (chat): 923.40 / 1639.40 = 56.33 %
    assert report["totals"] == {
        "actual_cost": 952.0,
        "baseline_cost": 1639.4,
        "savings": 923.4,
        "savings_pct": 56.33,
        "instance_hours": 820.0,
        "invocations": 1_205_000,
        # idle: the whole bill sits in the 2025-10-01 bucket, the invocations on other days, so every
        # instance-hour is idle: chat 716.00 - 3.20 other = 712.80, rag 236.00; 712.80 + 236.00 = 948.80
        "idle_cost": 948.8,
        "idle_instance_hours": 820.0,
    }
    assert (chat["idle_instance_hours"], chat["idle_cost"], chat["idle_share"]) == (720.0, 712.8, 1.0)
    assert chat["hours_at_zero"] is None  # no cold start: it never scaled to zero
    messages = [w["message"] for w in report["warnings"]]
    assert any(w["endpoint_name"] == "rag" and "savings left out" in w["message"] for w in report["warnings"])
    assert any("untagged_cost" in m for m in messages)
    assert any("could not activate cost allocation tags" in m for m in messages)
    assert [(e["endpoint_name"], "unreadable" in e["message"]) for e in report["errors"]] == [("rag", True)]
    # the missing tags were added, through the Tagging API
    tags = boto3.client("sagemaker", region_name=REGION).list_tags(
        ResourceArn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/rag"
    )["Tags"]
    assert {t["Key"]: t["Value"] for t in tags}["infersave:endpoint"] == "rag"
    # the e-mail summary
    sqs = boto3.client("sqs", region_name=REGION)
    mail = json.loads(sqs.receive_message(QueueUrl=lambda_env)["Messages"][0]["Body"])
    assert mail["Subject"] == "infersave 2025-10-01..2025-11-01: saved 923.40 USD (56.33%)"
    body = mail["Message"].splitlines()
    assert f"S3: s3://{BUCKET}/{PREFIX}/report.html" in body
    # the presigned link, its stated expiry (the link role's one-hour session), the durable console link
    opened = next(
        i for i, line in enumerate(body) if line.startswith("Open the page (presigned link, valid until")
    )
    assert body[opened + 1].startswith(f"https://{BUCKET}.s3.amazonaws.com/{PREFIX}/report.html?")
    assert "X-Amz-Expires=" in body[opened + 1] and "X-Amz-Security-Token=" in body[opened + 1]
    assert "Durable link (AWS console, sign-in needed):" in body
    assert len(body) < 30
    # EMF metrics: one line per endpoint, totals from log_metrics
    emf = emf_lines(capsys.readouterr().out)
    per_endpoint = [m for m in emf if "EndpointName" in m]
    assert sorted(m["EndpointName"] for m in per_endpoint) == ["chat", "rag"]
    chat_metrics = next(m for m in per_endpoint if m["EndpointName"] == "chat")
    directive = chat_metrics["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "infersave"
    assert [sorted(d) for d in directive["Dimensions"]] == [["EndpointName", "ReportType", "service"]]
    assert chat_metrics["Savings"] == [pytest.approx(923.4)]
    assert chat_metrics["ReportType"] == "previous_month"
    totals = next(m for m in emf if "EndpointName" not in m)
    assert [sorted(d) for d in totals["_aws"]["CloudWatchMetrics"][0]["Dimensions"]] == [
        ["ReportType", "service"]
    ]
    assert totals["ActualCost"] == [pytest.approx(952.0)]
    assert totals["UntaggedCost"] == [pytest.approx(4.99)]
    assert {m["Name"]: m["Unit"] for m in totals["_aws"]["CloudWatchMetrics"][0]["Metrics"]}[
        "SavingsPercent"
    ] == "Percent"
    assert sorted(result["report_keys"]) == keys
    assert result["totals"] == report["totals"]


def test_custom_period_emits_totals_but_no_per_endpoint_metrics(
    lambda_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each EndpointName x ReportType is a custom metric of its own (USD 0.30/month): only scheduled reports.
    seed_october()

    handler.lambda_handler(OCTOBER_EVENT, FakeContext())

    emf = emf_lines(capsys.readouterr().out)
    assert [m for m in emf if "EndpointName" in m] == []
    (totals,) = emf
    assert totals["ReportType"] == "custom"
    assert totals["ActualCost"] == [pytest.approx(952.0)]
    assert totals["EndpointsReported"] == [2.0]


def test_a_measured_ratio_and_its_calibration_reach_every_output(lambda_env: str) -> None:
    # Arrange: chat's ratio measured on 2026-11-20 with 1,000 / 250 tokens per request, its result in the bucket
    seed_october()
    sm = boto3.client("sagemaker", region_name=REGION)
    arn = sm.describe_endpoint(EndpointName="chat")["EndpointArn"]
    sm.add_tags(
        ResourceArn=arn,
        Tags=[
            {"Key": "infersave:capacity-ratio-source", "Value": "measured:2025-10-20"},
            {"Key": "infersave:input-tokens-per-request", "Value": "1000"},
            {"Key": "infersave:output-tokens-per-request", "Value": "250"},
        ],
    )
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=BUCKET,
        Key="calibrations/chat/2025-10-20.json",
        Body=json.dumps(calibration_document("chat", "2025-10-20")).encode(),
    )

    # Act
    handler.lambda_handler(OCTOBER_EVENT, FakeContext())

    # Assert: JSON, CSV, Markdown, HTML and the e-mail say measured (date, objective) or assumed
    s3 = boto3.client("s3", region_name=REGION)
    read = lambda name: s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{name}")["Body"].read().decode()  # noqa: E731
    chat, rag = json.loads(read("report.json"))["endpoints"]
    assert (chat["capacity_ratio_source"], chat["capacity_ratio_measured_on"]) == ("measured", "2025-10-20")
    assert (chat["objective_ttft_p90_s"], chat["objective_itl_p90_s"]) == (2.0, 0.1)
    # 1,200,000 invocations x 250 = 300,000,000 output tokens; 1,000,000 x 716.00 / 300,000,000 = 2.3867
    assert (chat["output_tokens"], chat["cost_per_1m_output_tokens"], chat["tokens_source"]) == (
        300_000_000,
        2.3867,
        "estimate:calibration",
    )
    assert (rag["capacity_ratio_source"], rag["cost_per_1m_output_tokens"]) == ("assumed", None)
    csv_header = read("report.csv").splitlines()[0].split(",")
    assert {"capacity_ratio_source", "cost_per_1m_output_tokens", "tokens_source"} <= set(csv_header)
    words = "measured 2025-10-20 (p90 TTFT <= 2 s, p90 ITL <= 0.1 s)"
    assert words in read("report.md") and "| assumed |" in read("report.md")
    page = read("report.html")
    assert words.replace("<", "&lt;") in page and 'id="chart-calibration-1"' in page
    sqs = boto3.client("sqs", region_name=REGION)
    mail = json.loads(sqs.receive_message(QueueUrl=lambda_env)["Messages"][0]["Body"])["Message"]
    assert f"capacity ratio 1.5 {words}; 2.3867 USD per 1M output tokens (estimate)" in mail
    assert "capacity ratio 1.0 assumed" in mail


def test_rerun_for_the_same_period_overwrites_the_same_keys(lambda_env: str) -> None:
    seed_october()
    handler.lambda_handler(OCTOBER_EVENT, FakeContext())

    handler.lambda_handler(OCTOBER_EVENT, FakeContext())

    versions = boto3.client("s3", region_name=REGION).list_object_versions(Bucket=BUCKET)["Versions"]
    assert sorted({v["Key"] for v in versions}) == [
        f"{PREFIX}/components.csv",
        f"{PREFIX}/daily.csv",
        f"{PREFIX}/manifest.json",
        f"{PREFIX}/report.csv",
        f"{PREFIX}/report.html",
        f"{PREFIX}/report.json",
        f"{PREFIX}/report.md",
    ]
    assert len(versions) == 14


FAILED_RUN = pytest.mark.filterwarnings("ignore:No application metrics to publish")


@FAILED_RUN
@pytest.mark.parametrize(
    "event", [{}, {"period": "last_week"}, {"start": "2025-10-01", "end": "2025-09-01"}, ["x"]]
)
def test_handler_rejects_unknown_events(lambda_env: str, event: Any) -> None:
    with pytest.raises(PeriodError):
        handler.lambda_handler(event, FakeContext())


@FAILED_RUN
def test_handler_fails_at_start_without_its_settings(
    lambda_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REPORTS_BUCKET")
    handler.settings.cache_clear()

    with pytest.raises(SettingsError, match="REPORTS_BUCKET is required"):
        handler.lambda_handler({"period": "previous_month"}, FakeContext())


@FAILED_RUN
def test_a_partial_report_is_written_then_fails_the_run_so_it_is_retried(
    lambda_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_october()

    def unavailable(**_kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "InternalFailure", "Message": "try later"}}, "ListMetrics")

    original = handler.make_clients

    def clients_with_broken_cloudwatch(region: str) -> Any:
        clients = original(region)
        monkeypatch.setattr(clients.cloudwatch, "list_metrics", unavailable)
        return clients

    monkeypatch.setattr(handler, "make_clients", clients_with_broken_cloudwatch)

    with pytest.raises(handler.PartialReportError, match=r"partial: .*CloudWatch invocations unavailable"):
        handler.lambda_handler(OCTOBER_EVENT, FakeContext())

    s3 = boto3.client("s3", region_name=REGION)
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/manifest.json")["Body"].read())
    assert manifest["status"] == "partial"
    report = json.loads(s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/report.json")["Body"].read())
    assert report["status"] == "partial"


@FAILED_RUN
def test_failure_to_write_the_report_fails_the_run(lambda_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTS_BUCKET", "no-such-bucket")
    handler.settings.cache_clear()
    seed_october()

    with pytest.raises(Exception, match="NoSuchBucket"):
        handler.lambda_handler(OCTOBER_EVENT, FakeContext())


@FAILED_RUN
def test_failure_to_publish_the_summary_fails_the_run(
    lambda_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARY_TOPIC_ARN", f"arn:aws:sns:{REGION}:{ACCOUNT}:gone")
    handler.settings.cache_clear()
    seed_october()

    with pytest.raises(Exception, match=r"NotFound|does not exist"):
        handler.lambda_handler(OCTOBER_EVENT, FakeContext())


def test_command_writes_the_three_files_and_prints_the_table(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_october()

    status = cli.main(
        ["report", "--start", "2025-10-01", "--end", "2025-11-01", "--output-dir", str(tmp_path)]
    )

    out = capsys.readouterr().out
    assert status == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "components.csv",
        "daily.csv",
        "report.csv",
        "report.html",
        "report.json",
        "report.md",
    ]
    assert json.loads((tmp_path / "report.json").read_text())["totals"]["savings"] == 923.4
    csv_lines = (tmp_path / "report.csv").read_text().splitlines()
    assert csv_lines[0] == ",".join(ENDPOINT_FIELDS)
    assert [line.split(",")[0] for line in csv_lines[1:]] == ["chat", "rag", "(untagged)", "(total)"]
    assert "| chat | ml.inf2.xlarge |" in (tmp_path / "report.md").read_text()
    assert "TOTAL" in out and "923.40" in out


@pytest.mark.parametrize(
    ("args", "env", "reason"),
    [
        (["--start", "2025-10-01", "--end", "2025-10-01"], {}, "error: end 2025-10-01 must be after start"),
        (["--start", "Oct", "--end", "2025-10-01"], {}, "error: --start='Oct' is not a YYYY-MM-DD date"),
        (["--start", "2025-10-01", "--end", "2025-11-01"], {"COST_METRIC": "x"}, "error: COST_METRIC='x'"),
    ],
)
def test_command_fails_with_a_one_line_reason(
    *,
    aws: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    reason: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    status = cli.main(["report", *args, "--output-dir", str(tmp_path)])

    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith(reason)
    assert err.count("\n") == 1


def test_command_without_region_fails_with_a_one_line_reason(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))

    status = cli.main(
        ["report", "--start", "2025-10-01", "--end", "2025-11-01", "--output-dir", str(tmp_path)]
    )

    assert status == 1
    assert (
        capsys.readouterr().err
        == "error: no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, or a profile region)\n"
    )


def test_command_read_only_mode_touches_no_tags(aws: None, tmp_path: Path) -> None:
    arn = create_endpoint("bare", {"infersave:project": "demo"})
    queue_cost_results(ce_page([]))

    status = cli.main(
        [
            "report",
            "--start",
            "2025-10-01",
            "--end",
            "2025-11-01",
            "--output-dir",
            str(tmp_path),
            "--no-tagging",
        ]
    )

    tags = boto3.client("sagemaker", region_name=REGION).list_tags(ResourceArn=arn)["Tags"]
    assert status == 0
    assert tags == [{"Key": "infersave:project", "Value": "demo"}]


def test_clients_honour_aws_endpoint_url(aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:5000")

    clients = make_clients("us-east-1")

    assert clients.ce.meta.endpoint_url == "http://localhost:5000"
    assert clients.tagging.meta.endpoint_url == "http://localhost:5000"


def test_calls_do_not_grow_with_endpoints_when_tags_are_in_place(
    clients: Clients, settings: Settings, catalog_prices: PriceBook
) -> None:
    # Arrange: 120 tagged endpoints with cost and invocations, on a single bill page.
    names = [f"ep-{i:03d}" for i in range(120)]
    create_endpoints({name: full_tags(name) for name in names})
    put_invocations_bulk(dict.fromkeys(names, 10), OCT_5)
    queue_cost_results(ce_page([ce_group(name, "USE1-Host:ml.inf2.xlarge", "7.92", "8") for name in names]))
    counter = count_calls(clients)

    # Act
    report = run_report(clients, settings, OCTOBER, catalog_prices)

    # Assert
    assert len(report.endpoints) == 120
    assert report.totals.invocations == 1200
    assert report.errors == []
    assert counter.service_total("cost-explorer") <= 3
    assert counter.calls.get("resource-groups-tagging-api.TagResources", 0) == 0
    assert sum(counter.calls.values()) <= 15
