"""Reading the config file: any file gives a mapping or a ``(file): problem; fix`` line, never a traceback.

Refused: a path that is not a regular file, more than 1 MiB, bytes that are not UTF-8, YAML that does not
parse, and a key written twice in one mapping (PyYAML keeps the last one silently, so a second ``endpoints:``
would drop the first list without a word).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

MAX_FILE_BYTES = 1024 * 1024


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key repeated in one mapping."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
            except TypeError:  # an unhashable key: let SafeLoader report it
                break
            if repeated:
                raise ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice in the same mapping; keep one",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_mapping(loader: _UniqueKeyLoader, node: Node) -> dict[Any, Any]:
    assert isinstance(node, MappingNode)
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> tuple[Any, list[str]]:
    """The parsed document at ``path`` and, when it cannot be read, the ``(file): ...`` problems instead."""
    if not path.exists():
        return None, [f"(file): {path} does not exist; pass -c config=PATH to pick another file"]
    if not path.is_file():
        return None, [f"(file): {path} is not a regular file (a directory?); pass the path of the YAML file"]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [f"(file): {path} cannot be read ({exc.strerror}); check its permissions"]
    if len(data) > MAX_FILE_BYTES:
        return None, [f"(file): {len(data):,} bytes is more than a config needs ({MAX_FILE_BYTES:,} at most)"]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [f"(file): byte {exc.start} is not UTF-8; save the file as UTF-8"]
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader), []  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        return None, [f"(file): not valid YAML: {' '.join(str(exc).split())}"]
    except RecursionError:
        return None, ["(file): nested too deeply to be a config; flatten it"]
