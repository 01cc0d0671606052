"""The command ``python -m lambdas.cost_reporter report --start DATE --end DATE --output-dir DIR [--cur-parquet DIR]``.

Runs the same code as the Lambda with the standard AWS credential chain and region (``AWS_ENDPOINT_URL``
honoured by boto3), writes DIR/report.json, .csv, .md, .html and daily.csv and prints the summary table. Exit status 0 on
success, 1 with a one-line reason on failure, 2 on a usage error, 3 when the report was written but is partial
(data that should be there is missing: see its errors).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.cost_reporter.dal.clients import make_clients
from lambdas.cost_reporter.dal.pricing import PriceBook
from lambdas.cost_reporter.logic import render
from lambdas.cost_reporter.logic.period import explicit_period, parse_date
from lambdas.cost_reporter.logic.service import render_files, run_report
from lambdas.cost_reporter.settings import load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lambdas.cost_reporter", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="compute the savings report of a period")
    report.add_argument("--start", required=True, help="first day, YYYY-MM-DD (inclusive)")
    report.add_argument("--end", required=True, help="end day, YYYY-MM-DD (exclusive, as in Cost Explorer)")
    report.add_argument("--output-dir", required=True, type=Path, help="directory for report.{json,csv,md}")
    report.add_argument(
        "--cur-parquet",
        type=Path,
        help="read the bill from CUR 2.0 Parquet files under DIR/data/BILLING_PERIOD=YYYY-MM/ with DuckDB "
        "(the Athena query, run locally) instead of Cost Explorer",
    )
    report.add_argument(
        "--no-tagging",
        action="store_true",
        help="read only: do not add missing tags nor activate cost allocation tags",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        today = datetime.now(UTC).date()
        period = explicit_period(parse_date(args.start, "--start"), parse_date(args.end, "--end"), today)
        settings = load_settings(os.environ, require_outputs=False)
        if args.no_tagging:
            settings = replace(settings, apply_tags=False, activate_cost_allocation_tags=False)
        clients = make_clients(settings.pricing_region)
        source = None
        if args.cur_parquet is not None:
            from lambdas.cost_reporter.dal import cur, cur_duckdb  # noqa: PLC0415 - DuckDB: local only

            run = cur_duckdb.runner(args.cur_parquet)
            source = partial(cur.read_cur, run, cur_duckdb.VIEW, project_name=settings.project_name)
        report = run_report(
            clients, settings, period, PriceBook.from_client(clients.pricing), source, today=today
        )
        args.output_dir.mkdir(parents=True, exist_ok=True)
        for name, text in render_files(report).items():
            (args.output_dir / name).write_text(text, encoding="utf-8")
    except (ValueError, OSError, RuntimeError, ClientError, BotoCoreError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        print(f"error: {reason}", file=sys.stderr)
        return 1
    print(render.summary_table(report), end="")
    print(
        f"wrote {args.output_dir / 'report.html'} (open it in a browser), report.json, report.csv, daily.csv, components.csv, report.md"
    )
    if report.partial:
        print("error: the report is partial (data is missing, see its errors); run it again", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
