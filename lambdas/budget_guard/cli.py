"""Command line of the breach switch (the documented restore path, and manual or replayed apply).

    python -m lambdas.budget_guard restore --project NAME [--endpoint NAME] [--dry-run]
    python -m lambdas.budget_guard apply --message-file FILE [--dry-run]

``restore`` needs only AWS credentials and region; it publishes a summary when ``--topic-arn`` or
``ALERTS_TOPIC_ARN`` is given. ``apply`` reads the same environment as the Lambda function (PROJECT_NAME,
BUDGET_NAME, ALERTS_TOPIC_ARN, ...) and takes a file holding either the Budgets message text or a whole
SNS Lambda event (JSON with ``Records``). The report is printed as JSON on stdout; exit status 1 when an
endpoint could not be handled, 2 on bad usage or settings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from lambdas.budget_guard import aws
from lambdas.budget_guard.messages import Breach, classify
from lambdas.budget_guard.service import Report, guard_project, restore_project
from lambdas.budget_guard.settings import Settings, SettingsError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    clients = aws.make_clients(args.region)
    if args.command == "restore":
        report = restore_project(
            clients, project=args.project, endpoint_name=args.endpoint, dry_run=args.dry_run
        )
        topic_arn = args.topic_arn or os.environ.get("ALERTS_TOPIC_ARN")
        return _finish(report, clients, topic_arn)

    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        settings = replace(settings, dry_run=True)
    message = _message_from_file(Path(args.message_file))
    decision = classify(
        message,
        budget_name=settings.budget_name,
        breach_threshold_percent=settings.breach_threshold_percent,
        received_at=datetime.now(UTC),
    )
    if not isinstance(decision, Breach):
        print(json.dumps({"ignored": decision.reason.value, "detail": decision.detail}))
        return 0
    report = guard_project(
        clients,
        project=settings.project_name,
        notification=decision.notification,
        floor=settings.floor_instance_count,
        now=datetime.now(UTC),
        dry_run=settings.dry_run,
    )
    return _finish(report, clients, settings.alerts_topic_arn)


def _finish(report: Report, clients: aws.Clients, topic_arn: str | None) -> int:
    print(report.to_message())
    if topic_arn and report.changed and not report.dry_run:
        aws.publish(clients.sns, topic_arn=topic_arn, subject=report.subject(), message=report.to_message())
    for failure in report.failures:
        print(f"error: {failure.endpoint_name}: {failure.detail}", file=sys.stderr)
    return 1 if report.failures else 0


def _message_from_file(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    try:
        body = json.loads(text)
    except json.JSONDecodeError:
        return text
    if isinstance(body, dict) and isinstance(body.get("Records"), list) and body["Records"]:
        return str(body["Records"][0]["Sns"]["Message"])
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lambdas.budget_guard", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--region", help="AWS region of the endpoints (default: from the environment)")
    commands = parser.add_subparsers(dest="command", required=True)

    restore = commands.add_parser("restore", help="put back the capacity recorded by the budget guard")
    restore.add_argument("--project", required=True, help="value of the infersave:project tag")
    restore.add_argument("--endpoint", help="restore only this endpoint of the project")
    restore.add_argument("--topic-arn", help="publish a summary here (default: $ALERTS_TOPIC_ARN if set)")
    restore.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")

    apply = commands.add_parser("apply", help="act on a saved Budgets message, as the Lambda function would")
    apply.add_argument(
        "--message-file", required=True, help="Budgets message text, or an SNS Lambda event (JSON)"
    )
    apply.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    return parser
