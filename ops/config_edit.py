"""Set one endpoint's ``precompiled_artifacts_s3_uri`` (``make compile``) or ``baseline`` fields (``make calibrate``)
in the YAML config file, keeping its comments and layout.

A text edit of the endpoint's block (``- name: <name>`` and the lines indented under it), then the whole file is
validated again with ``stacks.config.parse_config``; the file is written only if it still validates and the
endpoint now carries the values.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from stacks.config import Config, ConfigError, parse_config

FIELD = "precompiled_artifacts_s3_uri"


class ConfigEditError(ValueError):
    """The file cannot be edited safely; the message says what to change by hand."""


def set_artifacts_uri(text: str, endpoint_name: str, uri: str) -> str:
    """``text`` with the endpoint's ``precompiled_artifacts_s3_uri`` set to ``uri`` (replaced or inserted)."""
    lines = text.splitlines(keepends=True)
    start, end, key_indent = _endpoint_block(lines, endpoint_name, f"{FIELD}: {uri}")
    new_line = f"{' ' * key_indent}{FIELD}: {uri}\n"
    field = re.compile(rf"^\s{{{key_indent}}}{FIELD}:")
    for index in range(start + 1, end):
        if field.match(lines[index]):
            lines[index] = new_line
            return "".join(lines)
    lines.insert(start + 1, new_line)
    return "".join(lines)


def write_artifacts_uri(path: Path, endpoint_name: str, uri: str) -> None:
    """Edit ``path`` in place; raises ConfigEditError (file untouched) if the result would not validate."""
    edited = set_artifacts_uri(path.read_text(encoding="utf-8"), endpoint_name, uri)
    config = _validated(edited, path)
    values = [e.precompiled_artifacts_s3_uri for e in config.endpoints if e.name == endpoint_name]
    if values != [uri]:
        raise ConfigEditError(
            f"the edit did not land on endpoint {endpoint_name!r}; set {FIELD}: {uri} by hand"
        )
    path.write_text(edited, encoding="utf-8")


def _validated(edited: str, path: Path) -> Config:
    """The edited text parsed and validated as a config; ConfigEditError (nothing written) if it is not one."""
    try:
        return parse_config(yaml.safe_load(edited), source=str(path))
    except ConfigError as exc:
        raise ConfigEditError(f"the edited file would not validate, left unchanged:\n{exc}") from None


def _endpoint_block(lines: list[str], endpoint_name: str, what: str) -> tuple[int, int, int]:
    """(first line, end line exclusive, key indent) of the endpoint's ``- name:`` block."""
    head = re.compile(rf"^(\s*)-(\s+)name:\s*[\"']?{re.escape(endpoint_name)}[\"']?\s*(#.*)?$")
    found = [(i, m) for i, line in enumerate(lines) if (m := head.match(line.rstrip("\n")))]
    if len(found) != 1:
        raise ConfigEditError(
            f"expected one block line '- name: {endpoint_name}', found {len(found)}; set {what} under that "
            "endpoint by hand"
        )
    start, match = found[0]
    dash_indent = len(match.group(1))
    end = start + 1
    while end < len(lines):
        stripped = lines[end].strip()
        indent = len(lines[end]) - len(lines[end].lstrip())
        if stripped and not stripped.startswith("#") and indent <= dash_indent:
            break
        end += 1
    return start, end, dash_indent + 1 + len(match.group(2))


def set_baseline_fields(text: str, endpoint_name: str, fields: dict[str, str]) -> str:
    """``text`` with ``baseline.<field>: <value>`` set for each of ``fields`` under the endpoint (replaced or
    inserted; a ``baseline:`` block is added when there is none). A flow-style ``baseline: {...}`` is refused."""
    lines = text.splitlines(keepends=True)
    what = ", ".join(f"baseline.{k}: {v}" for k, v in fields.items())
    start, end, key_indent = _endpoint_block(lines, endpoint_name, what)
    block = re.compile(rf"^\s{{{key_indent}}}baseline:\s*(#.*)?$")
    heads = [i for i in range(start + 1, end) if block.match(lines[i].rstrip("\n"))]
    if not heads:
        if any(re.match(rf"^\s{{{key_indent}}}baseline:", lines[i]) for i in range(start + 1, end)):
            raise ConfigEditError(
                f"baseline of {endpoint_name} is on one line; write it as a block or set {what} by hand"
            )
        lines.insert(end, f"{' ' * key_indent}baseline:\n")
        heads, end = [end], end + 1
    head = heads[0]
    child_end = head + 1  # one past the block's last child line (blank lines after it stay after it)
    child_indent = None
    scan = head + 1
    while scan < end:
        line = lines[scan]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped and not stripped.startswith("#"):
            if indent <= key_indent:
                break
            child_indent = child_indent or indent
            child_end = scan + 1
        scan += 1
    indent = child_indent or key_indent + 2
    for key, value in fields.items():
        new_line = f"{' ' * indent}{key}: {value}\n"
        pattern = re.compile(rf"^\s{{{indent}}}{re.escape(key)}:")
        existing = [i for i in range(head + 1, child_end) if pattern.match(lines[i])]
        if existing:
            comment = re.search(r"\s+#.*$", lines[existing[0]].rstrip("\n"))
            lines[existing[0]] = new_line if not comment else new_line.rstrip("\n") + comment.group(0) + "\n"
        else:
            lines.insert(child_end, new_line)
            child_end += 1
    return "".join(lines)


def write_baseline_fields(path: Path, endpoint_name: str, fields: dict[str, str]) -> None:
    """Edit ``path`` in place; raises ConfigEditError (file untouched) if the result would not validate or the
    values did not land on the endpoint."""
    edited = set_baseline_fields(path.read_text(encoding="utf-8"), endpoint_name, fields)
    config = _validated(edited, path)
    baseline = next((e.baseline for e in config.endpoints if e.name == endpoint_name), None)
    landed = baseline is not None and all(str(getattr(baseline, k)) == str(v) for k, v in fields.items())
    if not landed:
        raise ConfigEditError(f"the edit did not land on endpoint {endpoint_name!r}; set {fields} by hand")
    path.write_text(edited, encoding="utf-8")
