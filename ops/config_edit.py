"""Set one endpoint's ``precompiled_artifacts_s3_uri`` in the YAML config file, keeping its comments and layout.

A text edit of the endpoint's block (``- name: <name>`` and the lines indented under it), then the whole file is
validated again with ``stacks.config.parse_config``; the file is written only if it still validates and the
endpoint now carries the URI.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from stacks.config import ConfigError, parse_config

FIELD = "precompiled_artifacts_s3_uri"


class ConfigEditError(ValueError):
    """The file cannot be edited safely; the message says what to change by hand."""


def set_artifacts_uri(text: str, endpoint_name: str, uri: str) -> str:
    """``text`` with the endpoint's ``precompiled_artifacts_s3_uri`` set to ``uri`` (replaced or inserted)."""
    lines = text.splitlines(keepends=True)
    head = re.compile(rf"^(\s*)-(\s+)name:\s*[\"']?{re.escape(endpoint_name)}[\"']?\s*(#.*)?$")
    found = [(i, m) for i, line in enumerate(lines) if (m := head.match(line.rstrip("\n")))]
    if len(found) != 1:
        raise ConfigEditError(
            f"expected one block line '- name: {endpoint_name}', found {len(found)}; set {FIELD}: {uri} under "
            "that endpoint by hand"
        )
    start, match = found[0]
    dash_indent = len(match.group(1))
    key_indent = dash_indent + 1 + len(match.group(2))
    end = start + 1
    while end < len(lines):
        stripped = lines[end].strip()
        indent = len(lines[end]) - len(lines[end].lstrip())
        if stripped and not stripped.startswith("#") and indent <= dash_indent:
            break
        end += 1
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
    try:
        config = parse_config(yaml.safe_load(edited), source=str(path))
    except ConfigError as exc:
        raise ConfigEditError(f"the edited file would not validate, left unchanged:\n{exc}") from None
    values = [e.precompiled_artifacts_s3_uri for e in config.endpoints if e.name == endpoint_name]
    if values != [uri]:
        raise ConfigEditError(
            f"the edit did not land on endpoint {endpoint_name!r}; set {FIELD}: {uri} by hand"
        )
    path.write_text(edited, encoding="utf-8")
