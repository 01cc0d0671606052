"""Command line of the breach switch (the documented restore path, and manual or replayed apply).

    python -m lambdas.budget_guard restore --project NAME [--endpoint NAME] [--config FILE] [--dry-run]
    python -m lambdas.budget_guard apply --message-file FILE [--dry-run]

``restore`` needs only AWS credentials and region; it publishes a summary when ``--topic-arn`` or
``ALERTS_TOPIC_ARN`` is given. With ``--config`` (the infersave.yaml that deployed the endpoints) recorded
values outside each endpoint's configured instance bounds are refused. ``apply`` reads the same environment
as the Lambda function (PROJECT_NAME, BUDGET_NAME, ALERTS_TOPIC_ARN, ...) and takes a file holding either the
Budgets message text or a whole SNS Lambda event (JSON with ``Records``); like the function, it lowers
nothing unless AWS Budgets confirms the breach for the current period, in the credentials' own account.
The report is printed as JSON on stdout; exit status 1 when an endpoint could not be handled (or a restore
was refused), 2 on bad usage, settings or input, with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.budget_guard import aws, service
from lambdas.budget_guard.confirm import NotConfirmed
from lambdas.budget_guard.messages import Ignored, classify
from lambdas.budget_guard.planner import Bounds
from lambdas.budget_guard.service import Report, restore_project
from lambdas.budget_guard.settings import Settings, SettingsError
from lambdas.common.paging import PagingError


class UsageError(ValueError):
    """Bad input to the command (file, event, config); the message is the one line printed."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _main(args)
    except (UsageError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError, PagingError) as exc:
        print(f"error: AWS: {' '.join(str(exc).split())[:300]}", file=sys.stderr)
        return 1


def _main(args: argparse.Namespace) -> int:
    clients = aws.make_clients(args.region)
    if args.command == "restore":
        bounds = _config_bounds(Path(args.config)) if args.config else None
        report = restore_project(
            clients, project=args.project, endpoint_name=args.endpoint, dry_run=args.dry_run, bounds=bounds
        )
        topic_arn = args.topic_arn or os.environ.get("ALERTS_TOPIC_ARN")
        return _finish(report, clients, topic_arn)

    settings = Settings.from_env(os.environ)
    if args.dry_run:
        settings = replace(settings, dry_run=True)
    message = _message_from_file(Path(args.message_file))
    account_id = aws.own_account_id(clients.sts)
    now = service.utc_now()
    decision = classify(
        message,
        budget_name=settings.budget_name,
        account_id=account_id,
        breach_threshold_percent=settings.breach_threshold_percent,
        received_at=now,
        now=now,
    )
    if isinstance(decision, Ignored):
        print(json.dumps({"ignored": decision.reason.value, "detail": decision.detail}))
        return 0
    confirmed = service.check_budget(clients, settings, account_id=account_id, now=now)
    if isinstance(confirmed, NotConfirmed):
        print(json.dumps({"not_confirmed": confirmed.reason}))
        return 0
    report = service.guard_confirmed(clients, settings, confirmed, now=now)
    return _finish(report, clients, settings.alerts_topic_arn)


def _finish(report: Report, clients: aws.Clients, topic_arn: str | None) -> int:
    print(report.to_message())
    if topic_arn and report.changed and not report.dry_run:
        aws.publish(clients.sns, topic_arn=topic_arn, subject=report.subject(), message=report.to_message())
    for failure in report.failures:
        print(f"error: {failure.endpoint_name}: {failure.detail}", file=sys.stderr)
    return 1 if report.failures else 0


def _message_from_file(path: Path) -> str:
    """The message text of ``path``: the file itself, or the first record's message of an SNS event."""
    try:
        text = path.read_text(encoding="utf-8")  # an over-size message is refused by classify, unread
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the message file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text; save the message as UTF-8") from None
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        return text
    if not isinstance(body, dict) or "Records" not in body:
        return text
    try:
        message = body["Records"][0]["Sns"]["Message"]
    except (KeyError, IndexError, TypeError):
        raise UsageError(f"{path}: an event with Records but no Records[0].Sns.Message") from None
    if not isinstance(message, str):
        raise UsageError(f"{path}: Records[0].Sns.Message is not a string")
    return message


def _config_bounds(path: Path) -> dict[str, Bounds]:
    """Per endpoint (lower-case name): the instance counts the config allows. Operator machines only: the
    config loader lives with the CDK app, not in the Lambda bundle, so it is imported here."""
    from stacks.config import ConfigError, load_config  # noqa: PLC0415 - CDK-side code, CLI only

    try:
        config = load_config(path)
    except ConfigError as exc:
        raise UsageError(str(exc).splitlines()[0]) from None
    bounds: dict[str, Bounds] = {}
    for endpoint in config.endpoints:
        floor = endpoint.instances.min
        if endpoint.off_hours is not None:
            floor = min(floor, endpoint.off_hours.min_capacity)
        bounds[config.endpoint_name(endpoint).lower()] = Bounds(floor=floor, ceiling=endpoint.instances.max)
    return bounds


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
    restore.add_argument(
        "--config", help="infersave.yaml that deployed the endpoints: refuse values outside its bounds"
    )
    restore.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")

    apply = commands.add_parser("apply", help="act on a saved Budgets message, as the Lambda function would")
    apply.add_argument(
        "--message-file", required=True, help="Budgets message text, or an SNS Lambda event (JSON)"
    )
    apply.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    return parser
