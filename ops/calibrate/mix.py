"""The request mix: (input tokens, output tokens) pairs drawn from a trace, deterministic under a seed.

The default trace is the Azure LLM inference trace 2023, conversation service (CC-BY 4.0; shipped in
``data/traces/azure-llm-inference-2023/`` with its attribution). A user's CSV with the same columns
(``TIMESTAMP`` optional, ``ContextTokens``, ``GeneratedTokens``) is accepted; every bad row is reported as
``file:line: problem; fix``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_TRACE = ROOT / "data" / "traces" / "azure-llm-inference-2023" / "AzureLLMInferenceTrace_conv.csv"
DEFAULT_TRACE_LABEL = "Azure LLM inference trace 2023 (CC-BY 4.0)"
COLUMNS = ("ContextTokens", "GeneratedTokens")
#: Rows accepted from one file (the default trace has 19,366).
MAX_ROWS = 1_000_000
MAX_TOKENS = 10_000_000


class MixError(ValueError):
    """The trace cannot be used; the message lists ``file:line: problem; fix`` lines."""


@dataclass(frozen=True)
class RequestShape:
    """One request of the mix: prompt and output length in tokens."""

    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class RequestMix:
    """The rows of a trace that fit the endpoint, with provenance (label, SHA-256 of the file)."""

    source: str
    sha256: str
    rows: tuple[RequestShape, ...]
    skipped_too_long: int

    def sample(self, count: int, seed: int) -> list[RequestShape]:
        """``count`` requests drawn with replacement, the same for the same seed."""
        if not self.rows:
            raise MixError(f"{self.source}: no request fits the endpoint's sequence length")
        chooser = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
        return [chooser.choice(self.rows) for _ in range(count)]


def load_mix(path: Path | None = None, *, max_input_tokens: int, max_total_tokens: int) -> RequestMix:
    """Read and validate a trace; rows longer than the endpoint serves are skipped (and counted)."""
    path = path or DEFAULT_TRACE
    label = DEFAULT_TRACE_LABEL if path == DEFAULT_TRACE else str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MixError(f"{path}: cannot be read ({exc.strerror}); give the path of a CSV file") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MixError(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or not all(column in header for column in COLUMNS):
        raise MixError(
            f"{path}:1: header {header!r} lacks {', '.join(COLUMNS)}; use the trace's columns "
            "(TIMESTAMP,ContextTokens,GeneratedTokens)"
        )
    index = [header.index(column) for column in COLUMNS]
    problems: list[str] = []
    rows: list[RequestShape] = []
    skipped = 0
    for line, record in enumerate(reader, start=2):
        if not record or not any(cell.strip() for cell in record):
            continue
        if line - 1 > MAX_ROWS:
            problems.append(f"{path}:{line}: more than {MAX_ROWS} rows; sample the file down")
            break
        try:
            tokens_in, tokens_out = (int(record[i]) for i in index)
        except (IndexError, ValueError):
            problems.append(
                f"{path}:{line}: {record!r} has no whole numbers in {', '.join(COLUMNS)}; fix the row"
            )
            continue
        if not (1 <= tokens_in <= MAX_TOKENS and 1 <= tokens_out <= MAX_TOKENS):
            problems.append(
                f"{path}:{line}: token counts {tokens_in}, {tokens_out} outside 1..{MAX_TOKENS}; fix the row"
            )
            continue
        if tokens_in > max_input_tokens or tokens_in + tokens_out > max_total_tokens:
            skipped += 1
            continue
        rows.append(RequestShape(tokens_in, tokens_out))
        if len(problems) >= 20:
            break
    if problems:
        raise MixError("\n".join(problems))
    return RequestMix(label, hashlib.sha256(data).hexdigest(), tuple(rows), skipped)
