"""The header of a `.sql` file: its leading `-- ` comment lines, read the same way for the models
(`sql_models/`, `-- index:` / `-- reads:` ...) and the gate rules (`expectations/rules/`,
`-- name:` / `-- severity:` / `-- description:`). It sits here, the lowest layer, because models
and gates are sibling layers that may not import each other."""

from __future__ import annotations

import re

_COMMENT = re.compile(r"--[^\n]*")


def header_lines(text: str) -> list[str]:
    """Every comment line's text (`-- ` removed), in order."""
    return [line[2:].strip() for line in text.splitlines() if line.startswith("--")]


def header_fields(lines: list[str], keys: tuple[str, ...]) -> tuple[dict[str, list[str]], list[str]]:
    """({key: values of its `key: value` lines}, the other lines: prose)."""
    fields: dict[str, list[str]] = {}
    prose = []
    for line in lines:
        key, _, value = line.partition(":")
        if key in keys and _:
            fields.setdefault(key, []).append(value.strip())
        else:
            prose.append(line)
    return fields, prose


def code(text: str) -> str:
    """The SQL without its comments."""
    return _COMMENT.sub("", text)
