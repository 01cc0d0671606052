"""Time of the breach switch's message classifier on adversarial inputs, at its size cap and at SNS's 256 KB.

Not a test (the tests count steps instead of timing): ``python -m benchmarks.guard_parse``. Each input is
classified 20 times; the median is printed in milliseconds with today's date. Inputs: a genuine Budgets alert,
a word followed by a run of spaces without a colon (the old field regex backtracked on it: 1.5 s at 16 KB,
quadratic beyond), a 256 KB budget name, deep JSON, and a message of many short lines.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal

from lambdas.budget_guard.messages import MAX_MESSAGE_CHARS, classify

NOW = datetime(2025, 6, 14, 10, 0, tzinfo=UTC)
KIB = 1024
GENUINE = (
    "AWS Budget Notification June 14, 2025\nAWS Account 123456789012\n\nDear AWS Customer,\n\n"
    "Budget Name: infersave-demo\nBudget Type: Cost\nBudgeted Amount: $1,000.00\nAlert Type: ACTUAL\n"
    "Alert Threshold: > $1,000.00\nACTUAL Amount: $1,012.34\n"
)
INPUTS = {
    "genuine alert (0.3 KB)": GENUINE,
    "word + spaces, at the cap (16 KB)": "Budget Name: x\nBudget" + " " * (MAX_MESSAGE_CHARS - 30) + "x",
    "word + spaces, 256 KB (refused)": "Budget Name: x\nBudget" + " " * (256 * KIB) + "x",
    "256 KB budget name (refused)": "Budget Name: " + "a" * (256 * KIB),
    "many short lines, at the cap": "Budget Name: x\n" + "x: y\n" * (MAX_MESSAGE_CHARS // 5 - 4),
    "deep JSON (2,000 levels)": '{"a":' * 2000 + "1" + "}" * 2000,
}


def median_ms(message: str, runs: int = 20) -> float:
    """Median wall time of one classification, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        classify(
            message,
            budget_name="infersave-demo",
            account_id="123456789012",
            breach_threshold_percent=Decimal(100),
            received_at=NOW,
            now=NOW,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    """Print one line per input."""
    print(f"breach switch message classifier, median of 20 runs, {datetime.now(UTC).date().isoformat()}")
    for label, message in INPUTS.items():
        print(f"{label:40s} {len(message):>8,d} chars {median_ms(message):8.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
