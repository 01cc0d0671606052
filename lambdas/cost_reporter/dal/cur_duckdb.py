"""The CUR query on DuckDB, over CUR 2.0-shaped Parquet files laid out as a Data Export delivers them
(``<root>/data/BILLING_PERIOD=YYYY-MM/*.parquet``): the local engine of ``make demo`` and the tests.

DuckDB is a development dependency (requirements.in), not part of the Lambda package: this module is imported
only by the command (``--cur-parquet``) and the demo. The view is named like the Glue table and reads every
billing period folder with hive partitioning, so the query's ``billing_period IN (...)`` prunes folders as
Athena's partition projection does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lambdas.cost_reporter.dal.cur import local_table

#: The view's name (the Glue table is named ``data`` too, as the Data Exports folders are).
VIEW = "cur_data"


def runner(root: Path) -> Callable[[str], list[dict[str, str | None]]]:
    """A :data:`lambdas.cost_reporter.dal.cur.QueryRunner` over the Parquet files under ``root``."""
    import duckdb  # noqa: PLC0415 - local engine only, absent from the Lambda package

    files = sorted((root / "data").glob("BILLING_PERIOD=*/*.parquet"))
    if not files:
        raise FileNotFoundError(f"no CUR Parquet files under {root / 'data'}/BILLING_PERIOD=YYYY-MM/")

    def run(sql: str) -> list[dict[str, str | None]]:
        with duckdb.connect(":memory:") as connection:
            pattern = str(root / "data" / "BILLING_PERIOD=*" / "*.parquet").replace("'", "''")
            # A checked view name and a quoted path: nothing of the query comes from outside.
            view = f"CREATE VIEW {local_table(VIEW)} AS SELECT * FROM read_parquet('{pattern}', hive_partitioning = true)"  # noqa: S608
            connection.execute(view)
            result = connection.execute(sql)
            names = [column[0] for column in result.description or []]
            return [
                {name: None if value is None else str(value) for name, value in zip(names, row, strict=True)}
                for row in result.fetchall()
            ]

    return run
