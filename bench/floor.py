"""The floor: a bare COPY of the same source records as jsonb into scratch tables, one per file.

The floor's input is prepared before timing (BSON documents turned into Extended JSON lines), so
the timed part is nothing but PostgreSQL ingesting the same records: the fastest any landing could
be on this server. CSV format with quote/delimiter bytes that JSON text never contains unescaped
(0x01, 0x02), so every line goes in verbatim.
"""

from __future__ import annotations

import time
from pathlib import Path

CHUNK = 1 << 20


def floor_inputs(sample_dir: Path, work_dir: Path) -> list[tuple[str, Path, int]]:
    """(scratch table name, JSON-lines file, records) for every record file of the snapshot."""
    from bson import decode_file_iter
    from bson.codec_options import CodecOptions, DatetimeConversion
    from bson.json_util import RELAXED_JSON_OPTIONS, dumps

    codec = CodecOptions(tz_aware=True, datetime_conversion=DatetimeConversion.DATETIME_AUTO)

    out = []
    prepared = work_dir / "floor-input"
    prepared.mkdir(parents=True, exist_ok=True)
    for path in sorted(sample_dir.glob("*/*")):
        source, name = path.parent.name, path.stem
        if path.name == "schema.json" or source not in ("airtable", "mongo", "luma"):
            continue
        if path.suffix == ".bson":
            target = prepared / f"{source}.{name}.jsonl"
            with path.open("rb") as handle, target.open("w") as sink:
                for document in decode_file_iter(handle, codec):
                    sink.write(dumps(document, json_options=RELAXED_JSON_OPTIONS) + "\n")
            path = target
        elif path.suffix not in (".jsonl", ".json"):
            continue
        with path.open("rb") as handle:
            records = sum(1 for line in handle if line.strip())
        out.append((f"{source}__{name}", path, records))
    return out


def copy_floor(url: str, inputs: list[tuple[str, Path, int]], per_source: dict | None = None) -> float:
    """Seconds to COPY every input file into its own fresh `bench_floor.<table>(record jsonb)`;
    `per_source` (if given) receives the seconds per source."""
    from pipelines.database import connect

    with connect(url, autocommit=True) as conn:
        conn.execute("drop schema if exists bench_floor cascade")
        conn.execute("create schema bench_floor")
        for table, _, _ in inputs:
            conn.execute(f'create table bench_floor."{table}" (record jsonb)')
    started = time.perf_counter()
    with connect(url) as conn:
        with conn.cursor() as cur:
            for table, path, _ in inputs:
                t0 = time.perf_counter()
                sql = f"""copy bench_floor."{table}" (record) from stdin with (format csv, quote e'\\x01', delimiter e'\\x02')"""
                with cur.copy(sql) as copy, path.open("rb") as handle:
                    while chunk := handle.read(CHUNK):
                        copy.write(chunk)
                if per_source is not None:
                    source = table.split("__", 1)[0]
                    per_source[source] = round(per_source.get(source, 0.0) + time.perf_counter() - t0, 3)
        conn.commit()
    return time.perf_counter() - started


def count_floor(url: str) -> tuple[float, int]:
    """(seconds, rows) of `count(*)` over every candidate table (podium_next.*, hello_miami_next.*):
    the least any validation of those tables must do, one full read of each."""
    from pipelines.database import connect

    with connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "select schemaname, tablename from pg_tables where schemaname in ('podium_next', 'hello_miami_next') "
            "order by 1, 2").fetchall()
        started = time.perf_counter()
        rows = sum(conn.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables)
        return time.perf_counter() - started, rows
