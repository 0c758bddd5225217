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


def _key(name: bytes) -> bytes:
    return rb'"' + name + rb'"' + _WS + rb":" + _WS


# The API's key order: id, createdTime, fields (fields last).
API_PREFIX = re.compile(rb"\{" + _WS + _key(b"id") + _STRING + _WS + rb"," + _WS + _key(b"createdTime") + _STRING + _WS + rb"," + _WS + _key(b"fields"))
# Sorted keys (json.dumps(sort_keys=True), e.g. `cutover sample`): createdTime, fields, id (id last).
SORTED_PREFIX = re.compile(rb"\{" + _WS + _key(b"createdTime") + _STRING + _WS + rb"," + _WS + _key(b"fields"))
SORTED_SUFFIX = re.compile(rb"," + _WS + _key(b"id") + _STRING + _WS + rb"\}" + _WS + rb"$")


def split(line: bytes) -> tuple[str, str, bytes] | None:
    """(id, createdTime, fields JSON text) when the line has one of the canonical shapes, else None.

    The line is P + S + T with P and T matched exactly, so it is valid JSON if and only if S (the
    slice) is a valid JSON value; PostgreSQL checks that when it reads S as jsonb."""
    body = line.rstrip(b" \t\r\n")
    match = API_PREFIX.match(body)
    if match is not None:
        if not body.endswith(b"}"):
            return None
        record_id, created, fields = match.group(1), match.group(2), body[match.end():-1]
    else:
        match = SORTED_PREFIX.match(body)
        tail = SORTED_SUFFIX.search(body, match.end()) if match is not None else None
        if tail is None:
            return None
        record_id, created, fields = tail.group(1), match.group(1), body[match.end():tail.start()]
    fields = fields.strip(b" \t\r\n")
    if fields[:1] != b"{" or fields[-1:] != b"}" or not record_id:
        return None
    return record_id.decode(), created.decode(), fields
