"""``ConfigError`` and the translation of pydantic's errors into ``field: problem; fix`` lines."""

from __future__ import annotations

from pydantic import ValidationError


class ConfigError(ValueError):
    """The config cannot work; ``problems`` holds one ``field: message`` line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source} has {len(problems)} problem(s):\n{lines}")


def field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def pydantic_problems(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{field_path(tuple(item['loc']))}: {message}")
    return problems
