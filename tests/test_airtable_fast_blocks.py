"""The vectorised fast path (pipelines/airtable/fast_blocks.py) gives exactly the rows the line by
line path gives, and hands every block it cannot take whole back to that path."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from pipelines.airtable import fast_blocks
from pipelines.airtable.source import _fast_rows, _line_tables, _snapshot_batches
from pipelines.errors import CutoverError


def _sorted(record_id, created, fields):
    return json.dumps({"id": record_id, "createdTime": created, "fields": fields}, sort_keys=True)


def _api(record_id, created, fields, separators=(",", ":")):
    return json.dumps({"id": record_id, "createdTime": created, "fields": fields}, separators=separators, ensure_ascii=False)


FIELDS = [
    {},  # 2 bytes: held inline in a string view
    {"a": 1},  # 8 bytes
    {"abcd": 12},  # 12 bytes: the longest inline value
    {"abcde": 12},  # 13 bytes: the shortest value pointing into the block
    {"name": "Zoë ✓", "links": ["recA", "recB"]},
    {"nested": {"id": "recFake", "createdTime": "x"}, "note": 'say "fields": {}'},
    {"x": [{"id": "rec1"}, {"id": "rec2"}]},
]


def _lines(shape, newline="\n"):
    return "".join(shape(f"rec{i:03d}", f"2024-01-0{1 + i % 9}T00:00:0{i % 10}.000Z", f) + newline
                   for i, f in enumerate(FIELDS * 3))


def _line_by_line(path):
    with path.open("rb") as handle:
        return pa.concat_tables(list(_line_tables(path, _fast_rows(path, enumerate(handle, 1)), 5)))


@pytest.mark.parametrize("text", [
    _lines(_sorted),
    _lines(_api),
    _lines(lambda *a: _api(*a, separators=(", ", ": "))),
    _lines(_sorted, newline="\r\n"),
    _lines(_api)[:-1],  # no newline after the last line
], ids=["sorted", "api", "api-spaced", "crlf", "no-final-newline"])
def test_blocks_give_the_same_rows_as_the_line_by_line_path(tmp_path, text):
    path = tmp_path / "users.jsonl"
    path.write_text(text, encoding="utf-8")
    vectorised = [fast_blocks.table(block) for _, block in fast_blocks.blocks(path)]
    assert all(t is not None for t in vectorised)  # taken whole, not handed back
    assert pa.concat_tables(vectorised).equals(_line_by_line(path))


def test_fields_slices_are_the_exact_text_of_each_line(tmp_path):
    path = tmp_path / "users.jsonl"
    path.write_text(_lines(_api), encoding="utf-8")
    (block,) = [b for _, b in fast_blocks.blocks(path)]
    got = fast_blocks.table(block)
    assert got.column("fields").to_pylist() == [json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in FIELDS * 3]
    assert got.column("id").to_pylist()[:2] == ["rec000", "rec001"]
    assert str(got.column("created_time")[3].as_py()) == "2024-01-04 00:00:03+00:00"


@pytest.mark.parametrize("odd_line", [
    "\n",  # blank
    '{"fields": {}, "id": "recZ", "createdTime": "2024-01-01T00:00:00.000Z"}\n',  # another key order
    '{"createdTime": "2024-01-01T00:00:00.000Z", "fields": {}, "id": ""}\n',  # empty id
    '{"createdTime": "yesterday", "fields": {}, "id": "recZ"}\n',  # a createdTime Arrow cannot read
    '{"createdTime": "2024-01-01T00:00:00.000Z", "fields": [], "id": "recZ"}\n',  # fields not an object
    '{"id": "recZ", "createdTime": "2024-01-01T00:00:00.000Z", "fields": {}}\n',  # the other shape, mixed in
])
def test_a_block_with_any_other_line_is_handed_back_and_read_line_by_line(tmp_path, odd_line):
    path = tmp_path / "users.jsonl"
    text = _lines(_sorted)
    path.write_text(text + odd_line + text, encoding="utf-8")
    assert [fast_blocks.table(block) for _, block in fast_blocks.blocks(path)] == [None]
    try:
        expected = _line_by_line(path)
    except CutoverError as exc:
        with pytest.raises(CutoverError, match=f"^{str(exc)[:40]}"):
            list(_snapshot_batches(path, 5))
        return
    assert pa.concat_tables(list(_snapshot_batches(path, 5))).equals(expected)


def test_invalid_utf8_is_handed_back(tmp_path):
    path = tmp_path / "users.jsonl"
    path.write_bytes(_lines(_sorted).encode() + b'{"createdTime": "2024-01-01T00:00:00.000Z", "fields": {"a": "\xff"}, "id": "recZ"}\n')
    assert [fast_blocks.table(block) for _, block in fast_blocks.blocks(path)] == [None]


def test_a_malformed_line_in_a_later_block_is_named_by_its_line_number(tmp_path, monkeypatch):
    monkeypatch.setattr(fast_blocks, "BLOCK_BYTES", 300)
    path = tmp_path / "users.jsonl"
    good = _lines(_sorted).splitlines(keepends=True)
    path.write_text("".join(good[:15]) + "not json\n" + "".join(good[15:]), encoding="utf-8")
    numbered = list(fast_blocks.blocks(path))
    assert len(numbered) > 3 and numbered[0][0] == 1
    assert [n for n, _ in numbered] == sorted({n for n, _ in numbered})
    with pytest.raises(CutoverError, match=r"users\.jsonl:16: malformed JSON"):
        list(_snapshot_batches(path, 5))


def test_small_blocks_cover_every_line_once(tmp_path, monkeypatch):
    monkeypatch.setattr(fast_blocks, "BLOCK_BYTES", 100)
    path = tmp_path / "users.jsonl"
    path.write_text(_lines(_api)[:-1], encoding="utf-8")
    numbered = list(fast_blocks.blocks(path))
    assert b"".join(block for _, block in numbered) == path.read_bytes() + b"\n"
    starts = [n for n, _ in numbered]
    assert starts == [1 + sum(b.count(b"\n") for _, b in numbered[:i]) for i in range(len(numbered))]
    assert pa.concat_tables(list(_snapshot_batches(path, 5))).equals(_line_by_line(path))
