"""Check an ``optimum-cli export neuron`` command line against the options of the optimum-neuron version in the
image, as snapshotted from its source (``ops/data/optimum_neuron_export_cli.json``, refreshed by
``python -m ops.export_cli_snapshot``). argparse is rebuilt from the snapshot, so unknown options, wrong types,
values outside ``choices`` and missing required options fail here as they would in the container.
"""

from __future__ import annotations

import argparse
import json
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from ops.export_cli_snapshot import SNAPSHOT_PATH

_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "Path": Path}


class ExportCliError(ValueError):
    """The command line would be refused by the image's ``optimum-cli export neuron``."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ExportCliError(message)


@cache
def _snapshot(path: Path = SNAPSHOT_PATH) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def snapshot_versions() -> list[str]:
    """optimum-neuron versions with a bundled option snapshot."""
    return sorted(_snapshot()["versions"])


def snapshot_commit(version: str) -> str:
    """The optimum-neuron commit the snapshot of ``version`` was read from."""
    return str(_snapshot()["versions"][version]["commit"])


def build_parser(version: str, *, neuron_device: bool) -> argparse.ArgumentParser:
    """argparse as ``parse_args_neuronx`` of ``version`` defines it on a host with or without a Neuron device."""
    entry = _snapshot()["versions"].get(version)
    if entry is None:
        raise ExportCliError(
            f"no export CLI snapshot for optimum-neuron {version} (have {', '.join(snapshot_versions())})"
        )
    parser = _Parser(prog="optimum-cli export neuron", add_help=False)
    groups: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for option in entry["options"]:
        spec = dict(option)
        flags = spec.pop("flags")
        group_name = spec.pop("exclusive_group", None)
        if "type" in spec:
            spec["type"] = _TYPES[spec["type"]]
        if spec.get("required") == "without_neuron_device":
            spec["required"] = not neuron_device
        if spec.get("help") == "SUPPRESS":
            spec.pop("help")
        target: Any = parser
        if group_name:
            target = groups.setdefault(group_name, parser.add_mutually_exclusive_group())
        target.add_argument(*flags, **spec)
    return parser


def check_export_args(version: str, args: list[str], *, neuron_device: bool = False) -> argparse.Namespace:
    """Parse ``args`` (what follows ``optimum-cli export neuron``); raises ExportCliError naming the problem."""
    return build_parser(version, neuron_device=neuron_device).parse_args(args)
