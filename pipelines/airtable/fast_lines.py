"""The fast path for snapshot lines: no JSON parsing in Python.

A snapshot line written by Airtable's API shape (and by `cutover snapshot` / `cutover sample`) is
`{"id": "...", "createdTime": "...", "fields": {...}}`. When a line matches that prefix exactly and
ends with `}`, the line is valid JSON if and only if the sliced `fields` text is a valid JSON object,
and PostgreSQL checks exactly that when COPY turns it into jsonb. So the fast path hands the slice
to the load untouched; a line that does not match is parsed by orjson as before.

If COPY rejects a slice (malformed JSON, or an unexpected key after `fields`, which makes the slice
invalid too), the load fails before raw is swapped, and pipelines/land.py reruns the landing on the
safe path, which parses every line and names the malformed one by file and line number.
"""

from __future__ import annotations

import re

_STRING = rb'"([^"\\\x00-\x1f]*)"'
_WS = rb"[ \t\r\n]*"
PREFIX = re.compile(
    rb"\{" + _WS + rb'"id"' + _WS + rb":" + _WS + _STRING + _WS + rb"," + _WS
    + rb'"createdTime"' + _WS + rb":" + _WS + _STRING + _WS + rb"," + _WS + rb'"fields"' + _WS + rb":" + _WS
)


def split(line: bytes) -> tuple[str, str, bytes] | None:
    """(id, createdTime, fields JSON text) when the line has the canonical shape, else None."""
    match = PREFIX.match(line)
    if match is None:
        return None
    body = line.rstrip(b" \t\r\n")
    if not body.endswith(b"}"):
        return None
    fields = body[match.end():-1].rstrip(b" \t\r\n")
    if fields[:1] != b"{" or fields[-1:] != b"}" or not match.group(1):
        return None
    return match.group(1).decode(), match.group(2).decode(), fields
