"""Refresh ``ops/data/optimum_neuron_export_cli.json``: the options of ``optimum-cli export neuron`` as defined
at an optimum-neuron release tag, read from its source without installing it.

    python -m ops.export_cli_snapshot --repo PATH/TO/optimum-neuron --tag v0.4.5 [--tag ...]

``PATH`` is a git clone (a bare one is enough) of https://github.com/huggingface/optimum-neuron. The argument
definitions are ``add_argument`` calls in ``parse_args_neuronx`` of ``optimum/commands/export/neuronx.py``; this
script evaluates only literals (names, ``type``, ``choices``, ``action``, ``default``, ``dest``, ``nargs``) and the
one constant list they use (``SUPPORTED_INSTANCE_TYPES`` of ``optimum/neuron/utils/instance.py``), so the snapshot
is exactly what argparse would enforce. ``required`` that depends on the machine (``--instance_type`` is required
when no Neuron device is present) is recorded as ``"without_neuron_device"``.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SNAPSHOT_PATH = Path(__file__).with_name("data") / "optimum_neuron_export_cli.json"
CLI_SOURCE = "optimum/commands/export/neuronx.py"
INSTANCE_SOURCE = "optimum/neuron/utils/instance.py"
REPOSITORY = "https://github.com/huggingface/optimum-neuron"


def _git(repo: Path, *args: str) -> str:
    # A fixed git command on a clone the operator names; no shell.
    return subprocess.run(  # noqa: S603
        ["git", "-C", str(repo), *args],  # noqa: S607 - git from PATH, as an operator runs it
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _constants(source: str) -> dict[str, Any]:
    """Module-level ``NAME = <literal>`` assignments."""
    values: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return values


def _value(node: ast.expr, constants: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        if node.id in {"str", "int", "float", "Path"}:
            return node.id
        if node.id == "require_instance_type":
            return "without_neuron_device"
        if node.id == "SUPPRESS":
            return "SUPPRESS"
        if node.id in constants:
            return constants[node.id]
        raise ValueError(f"cannot evaluate name {node.id!r}")
    try:
        return ast.literal_eval(node)
    except ValueError:
        return "<computed>"  # help texts built with f-strings; not enforced by argparse


def parse_options(cli_source: str, constants: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ``add_argument`` call of ``parse_args_neuronx``, in order, as plain data (help texts dropped)."""
    tree = ast.parse(cli_source)
    function = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "parse_args_neuronx"
    )
    exclusive: set[str] = set()
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "add_mutually_exclusive_group"
        ):
            exclusive.update(t.id for t in node.targets if isinstance(t, ast.Name))
    options: list[dict[str, Any]] = []
    for node in ast.walk(function):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_argument"
        ):
            continue
        option: dict[str, Any] = {"flags": [_value(a, constants) for a in node.args]}
        for keyword in node.keywords:
            if keyword.arg and keyword.arg != "help":
                option[keyword.arg] = _value(keyword.value, constants)
        owner = node.func.value
        if isinstance(owner, ast.Name) and owner.id in exclusive:
            option["exclusive_group"] = owner.id
        options.append(option)
    options.sort(
        key=lambda o: (o["flags"][0].lstrip("-") if o["flags"][0].startswith("-") else "", o["flags"][0])
    )
    return options


def snapshot(repo: Path, tag: str) -> dict[str, Any]:
    """The options at ``tag`` with the commit they were read from."""
    commit = _git(repo, "rev-parse", f"{tag}^{{commit}}").strip()
    commit_date = _git(repo, "log", "-1", "--format=%cI", commit).strip()
    constants = _constants(_git(repo, "show", f"{commit}:{INSTANCE_SOURCE}"))
    return {
        "tag": tag,
        "commit": commit,
        "commit_date": commit_date,
        "options": parse_options(_git(repo, "show", f"{commit}:{CLI_SOURCE}"), constants),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True, help="git clone of huggingface/optimum-neuron")
    parser.add_argument("--tag", action="append", required=True, help="release tag, e.g. v0.4.5 (repeatable)")
    parser.add_argument("--output", type=Path, default=SNAPSHOT_PATH)
    args = parser.parse_args(argv)
    data: dict[str, Any] = {
        "source": f"{REPOSITORY} {CLI_SOURCE} (parse_args_neuronx) and {INSTANCE_SOURCE}",
        "read": datetime.now(UTC).date().isoformat(),
        "refresh": "python -m ops.export_cli_snapshot --repo PATH --tag vX.Y.Z",
        "versions": {},
    }
    if args.output.is_file():
        data["versions"] = json.loads(args.output.read_text(encoding="utf-8")).get("versions", {})
    for tag in args.tag:
        entry = snapshot(args.repo, tag)
        data["versions"][tag.removeprefix("v")] = entry
        print(f"{tag}: {len(entry['options'])} options from {entry['commit']}", file=sys.stderr)
    args.output.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
