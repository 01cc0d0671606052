"""Monthly cost estimate before deploy: each endpoint at min and at max instances, on Inferentia2 and on its
GPU baseline, against the project's budget.

Formulas (USD, Decimal, rounded to cents only for display):
  inf2_monthly_usd(n)     = 730 h x inf2_hourly_price_usd x n
  baseline_monthly_usd(n) = 730 h x baseline_hourly_price_usd x capacity_ratio x n
730 h is the AWS convention for a month (8,760 h / 12). Off-hours schedules are not subtracted, so the min
column is an upper bound of a month at minimum capacity; storage and data transfer are not included.

Run ``python -m stacks.estimate [--config PATH]`` (``make estimate``) to print the table.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from lambdas.common.catalog import Catalog, load_catalog
from stacks.config import Config, ConfigError, load_config

HOURS_PER_MONTH = Decimal(730)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class EndpointEstimate:
    """Monthly USD of one endpoint at its min and max instance counts."""

    endpoint_name: str
    instance_type: str
    min_instances: int
    max_instances: int
    inf2_min_usd: Decimal
    inf2_max_usd: Decimal
    baseline_instance_type: str
    baseline_min_usd: Decimal | None
    baseline_max_usd: Decimal | None


@dataclass(frozen=True)
class Estimate:
    """All endpoints and totals; ``budget_usd`` is None when no budget is set."""

    endpoints: list[EndpointEstimate]
    budget_usd: Decimal | None

    @property
    def total_min_usd(self) -> Decimal:
        """Every endpoint at min capacity for a month."""
        return sum((e.inf2_min_usd for e in self.endpoints), Decimal(0))

    @property
    def total_max_usd(self) -> Decimal:
        """Every endpoint at max capacity for a month (the worst case)."""
        return sum((e.inf2_max_usd for e in self.endpoints), Decimal(0))

    def baseline_total(self, attribute: str) -> Decimal | None:
        """Sum of a baseline column; None if any baseline price is unknown."""
        values = [getattr(e, attribute) for e in self.endpoints]
        if any(v is None for v in values):
            return None
        return sum(values, Decimal(0))


def estimate(config: Config, catalog: Catalog) -> Estimate:
    """Compute the estimate from the config and the bundled catalog (us-east-1 on-demand prices)."""
    rows = []
    for endpoint in config.endpoints:
        inf2_price = catalog.instances[endpoint.instance_type].hourly_price_usd
        if inf2_price is None:
            raise ValueError(f"catalog has no price for {endpoint.instance_type}")
        baseline_spec = catalog.instances[endpoint.baseline.instance_type]
        ratio = endpoint.baseline.capacity_ratio
        counts = endpoint.instances

        def baseline(
            n: int, price: Decimal | None = baseline_spec.hourly_price_usd, r: Decimal = ratio
        ) -> Decimal | None:
            return None if price is None else HOURS_PER_MONTH * price * r * n

        rows.append(
            EndpointEstimate(
                endpoint_name=config.endpoint_name(endpoint),
                instance_type=endpoint.instance_type,
                min_instances=counts.min,
                max_instances=counts.max,
                inf2_min_usd=HOURS_PER_MONTH * inf2_price * counts.min,
                inf2_max_usd=HOURS_PER_MONTH * inf2_price * counts.max,
                baseline_instance_type=endpoint.baseline.instance_type,
                baseline_min_usd=baseline(counts.min),
                baseline_max_usd=baseline(counts.max),
            )
        )
    return Estimate(endpoints=rows, budget_usd=config.budget.monthly_limit_usd)


def budget_problems(result: Estimate) -> tuple[list[str], list[str]]:
    """(errors, warnings): min capacity above the budget is an error, max capacity above it a warning."""
    if result.budget_usd is None:
        return [], []
    budget = result.budget_usd
    errors, warnings = [], []
    if result.total_min_usd > budget:
        errors.append(
            f"budget.monthly_limit_usd: {usd(budget)} is below what the endpoints cost at min capacity "
            f"({usd(result.total_min_usd)} a month); raise the budget or lower instances.min"
        )
    elif result.total_max_usd > budget:
        warnings.append(
            f"At max capacity the endpoints cost {usd(result.total_max_usd)} a month, above the budget of "
            f"{usd(budget)}; budget alerts (and the breach switch, if enabled) are what stops that."
        )
    return errors, warnings


def usd(amount: Decimal | None) -> str:
    """Money for display: USD with cents, thousands separated; 'n/a' when unknown."""
    if amount is None:
        return "n/a"
    return f"USD {amount.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def render_table(result: Estimate) -> str:
    """The estimate as a fixed-width text table."""
    header = (
        "endpoint",
        "instance",
        "min..max",
        "inf2 @min",
        "inf2 @max",
        "baseline",
        "baseline @min",
        "baseline @max",
    )
    rows = [
        (
            e.endpoint_name,
            e.instance_type,
            f"{e.min_instances}..{e.max_instances}",
            usd(e.inf2_min_usd),
            usd(e.inf2_max_usd),
            e.baseline_instance_type,
            usd(e.baseline_min_usd),
            usd(e.baseline_max_usd),
        )
        for e in result.endpoints
    ]
    rows.append(
        (
            "total",
            "",
            "",
            usd(result.total_min_usd),
            usd(result.total_max_usd),
            "",
            usd(result.baseline_total("baseline_min_usd")),
            usd(result.baseline_total("baseline_max_usd")),
        )
    )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    budget = f"budget {usd(result.budget_usd)} a month" if result.budget_usd else "no budget set"
    lines.append(
        f"Monthly = 730 h x on-demand hosting price (us-east-1, bundled catalog) x instances; {budget}."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the estimate table for a config file; exit 1 with the problems when it is invalid."""
    parser = argparse.ArgumentParser(
        prog="python -m stacks.estimate", description="Monthly cost estimate before deploy"
    )
    parser.add_argument("--config", type=Path, default=Path("infersave.yaml"))
    args = parser.parse_args(argv)
    try:
        result = estimate(load_config(args.config), load_catalog())
    except ConfigError as exc:
        print(f"infersave: {exc}", file=sys.stderr)
        return 1
    print(render_table(result))
    errors, warnings = budget_problems(result)
    for line in warnings:
        print(f"warning: {line}")
    for line in errors:
        print(f"error: {line}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
