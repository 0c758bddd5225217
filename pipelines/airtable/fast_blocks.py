"""The fast path of fast_lines.py, vectorised: a block of snapshot lines becomes an Arrow table
through pyarrow's RE2 kernels and numpy, with no Python code per line.

The contract is fast_lines.split's: a line of one of the two canonical shapes is cut into id,
createdTime and the `fields` text, which PostgreSQL validates when COPY reads it as jsonb. A block
holding any other line (another key order or shape mix, an escape inside the id, a blank line),
invalid UTF-8 or a createdTime Arrow cannot read gives None, and the caller takes that block line
by line (fast_lines.split, then orjson), which names a bad line by its number.

Why: slicing 860k lines one by one was the slowest part of the Airtable landing and held the
interpreter's lock the other sources' threads need (bench/, scale 100: 3.2 s -> 1.7 s).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

BLOCK_BYTES = 16 << 20

_WS = r"[ \t\r]*"


def _key(name: str) -> str:
    return f'"{name}"{_WS}:{_WS}'


def _string(group: str) -> str:
    return rf'"(?P<{group}>[^"\\\x00-\x1f]*)"'


# Per shape, what precedes the `fields` value and what follows it: each pattern captures its whole
# match (whose length locates the slice) and the strings it carries.
SHAPES = (
    # the API's key order: id, createdTime, fields (last)
    (rf"^(?P<prefix>\{{{_WS}{_key('id')}{_string('id')}{_WS},{_WS}{_key('createdTime')}{_string('created')}{_WS},{_WS}{_key('fields')})",
     rf"(?P<suffix>{_WS}\}}{_WS}\n?)$"),
    # sorted keys (json.dumps(sort_keys=True), e.g. `cutover sample`): createdTime, fields, id
    (rf"^(?P<prefix>\{{{_WS}{_key('createdTime')}{_string('created')}{_WS},{_WS}{_key('fields')})",
     rf"(?P<suffix>{_WS},{_WS}{_key('id')}{_string('id')}{_WS}\}}{_WS}\n?)$"),
)


def blocks(path: Path) -> Iterator[tuple[int, bytes]]:
    """(number of the block's first line, whole lines ending in a newline) through the file; a
    block holds at least one line."""
    line = 1
    carry = b""
    with path.open("rb") as handle:
        while chunk := handle.read(BLOCK_BYTES):
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            yield line, data[:cut]
            line += data.count(b"\n", 0, cut)
            carry = data[cut:]
    if carry:
        yield line, carry + b"\n"


def table(block: bytes):
    """The Arrow table (id, created_time, fields, _dlt_id) of the lines of `block`, or None when a
    line is not canonical, blank lines included (the caller then goes line by line)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    raw = np.frombuffer(block, np.uint8)
    ends = np.flatnonzero(raw == 10) + 1  # each line with its newline (the suffix patterns allow it)
    starts = np.concatenate(([0], ends[:-1]))
    lines = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(np.concatenate(([0], ends)).astype(np.int64)),
                                             pa.py_buffer(block))
    try:
        lines.validate(full=True)  # UTF-8
    except pa.ArrowInvalid:
        return None
    for prefix, suffix in SHAPES:
        head, tail = pc.extract_regex(lines, prefix), pc.extract_regex(lines, suffix)
        if head.null_count == 0 and tail.null_count == 0:
            break
    else:
        return None
    parts = {field.name: pc.struct_field(head, [i]) for i, field in enumerate(head.type)}
    parts |= {field.name: pc.struct_field(tail, [i]) for i, field in enumerate(tail.type)}
    first = starts + _lengths(parts["prefix"])
    last = ends - _lengths(parts["suffix"])
    if np.any(last - first < 2) or np.any(raw[first] != ord("{")) or np.any(raw[last - 1] != ord("}")):
        return None
    if not np.all(_lengths(parts["id"])):
        return None
    try:
        created = parts["created"].cast(pa.timestamp("us", tz="UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    ids = parts["id"].cast(pa.string())
    return pa.table({"id": ids, "created_time": created, "fields": _slices(block, raw, first, last), "_dlt_id": ids})


def _lengths(strings):
    import pyarrow.compute as pc

    return pc.binary_length(strings).to_numpy(zero_copy_only=False)


def _slices(block: bytes, raw, first, last):
    """A string array of block[first[i]:last[i]] for every i, without copying per value: Arrow's
    string view layout points into the block (values up to 12 bytes are held inline), and one cast
    packs them into a plain string array."""
    import numpy as np
    import pyarrow as pa

    lengths = (last - first).astype(np.int32)
    views = np.zeros((len(first), 16), np.uint8)
    views[:, 0:4] = lengths.view(np.uint8).reshape(-1, 4)
    long = lengths > 12
    for k in range(4):  # a long value: its first 4 bytes, buffer 0, its offset in the block
        views[long, 4 + k] = raw[first[long] + k]
    views[long, 12:16] = first[long].astype(np.int32).view(np.uint8).reshape(-1, 4)
    short = np.flatnonzero(~long)
    for k in range(12):  # a short value: its bytes inline, zero-padded
        inside = short[lengths[short] > k]
        views[inside, 4 + k] = raw[first[inside] + k]
    array = pa.Array.from_buffers(pa.string_view(), len(first), [None, pa.py_buffer(views), pa.py_buffer(block)])
    return array.cast(pa.string())
