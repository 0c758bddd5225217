"""The project's safe casts (migration.try_timestamptz / try_date / try_numeric / try_jsonb, Alembic
0004): the value, or null where the cast would raise, on every PostgreSQL from 15 on, which has no
pg_input_is_valid()."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.database import connect

ROOT = Path(__file__).resolve().parents[1]

CASES = {
    "timestamptz": ["2024-01-31T10:00:00.123Z", "2024-02-29", "2023-02-29", "2024-13-01", "2024-04-31",
                    " 2024-01-01 ", "2024-01-01 10:00 Europe/Berlin", "2024-01-01 10:00 Mars/Base",
                    "10000-01-01", "0000-01-01", "294277-01-01", "now", "", "x", "2024-01-01T25:00"],
    "date": ["2024-02-29", "2023-02-29", "1999-12-31", "1999-12-32", "31/12/1999", "", "dob", "5874898-01-01"],
    "numeric": ["1", "-1.5e3", " 12 ", "NaN", "Infinity", "1e5000", "1e-5000", "abc", "", "1.2.3", "0x1F", "1_000"],
    "jsonb": ['{"a": 1}', "[1, 2]", '"s"', "null", "12", "{bad", "[1,2", "xyz", "", '"\\u0000"', "{'a': 1}"],
}


def _valid_everywhere(conn, value: str, type_name: str) -> bool | None:
    """pg_input_is_valid where the server has it (16+), the reference the casts must agree with."""
    if conn.info.server_version < 160000:
        return None
    return conn.execute("select pg_input_is_valid(%s, %s)", (value, type_name)).fetchone()[0]


@pytest.mark.parametrize("type_name", sorted(CASES))
def test_a_safe_cast_is_the_cast_or_null_never_an_error(db_url, type_name):
    with connect(db_url) as conn:
        for value in CASES[type_name]:
            got = conn.execute(f"select migration.try_{type_name}(%s)::text", (value,)).fetchone()[0]
            reference = _valid_everywhere(conn, value, type_name)
            if reference is not None:
                assert (got is not None) == reference, (type_name, value, got)
            if got is not None:  # the same value the cast itself gives
                assert got == conn.execute(f"select (%s::{type_name})::text", (value,)).fetchone()[0]
        assert conn.execute(f"select migration.try_{type_name}(null)").fetchone()[0] is None
    # rejected and accepted inputs both occur, so the assertions above judged both paths
    with connect(db_url) as conn:
        results = [conn.execute(f"select migration.try_{type_name}(%s) is null", (v,)).fetchone()[0] for v in CASES[type_name]]
    assert any(results) and not all(results)


def test_the_safe_casts_survive_a_forced_parallel_plan_through_the_model_helpers(db_url):
    """The exception block opens a subtransaction, which a parallel worker may not ("cannot start
    subtransactions during a parallel operation", in the leader too): the casts and the model helpers
    calling them are PARALLEL UNSAFE, so even a forced parallel plan is not taken."""
    with connect(db_url) as conn:
        conn.execute((ROOT / "sql_models" / "functions.sql").read_text())
        conn.execute("create table public.dates_parallel as select jsonb_build_object('$date', case when i % 7 = 0 "
                     "then 'bad' else to_char(date '2024-01-01' + i, 'YYYY-MM-DD') end) as v, to_jsonb(i::text) as n "
                     "from generate_series(1, 2000) i")
        conn.commit()  # a parallel plan only reads committed tables
        setting = "debug_parallel_query" if conn.info.server_version >= 160000 else "force_parallel_mode"
        conn.execute(f"set local {setting} = on")
        conn.execute("set local parallel_setup_cost = 0")
        conn.execute("set local parallel_tuple_cost = 0")
        conn.execute("set local min_parallel_table_scan_size = 0")
        counted, total = conn.execute("select count(staging.ts(v)), sum(staging.num(n)) from public.dates_parallel").fetchone()
    assert counted == 2000 - 2000 // 7 and total == sum(range(1, 2001))


def test_the_model_helpers_calling_safe_casts_are_inlined(db_url):
    """Run as functions of their own, not folded into the query, staging.ts and staging.num cost
    several times more a value (an immutable helper whose body is stable is never inlined)."""
    with connect(db_url) as conn:
        conn.execute((ROOT / "sql_models" / "functions.sql").read_text())
        conn.execute("create temp table docs (v jsonb)")
        plan = "\n".join(r[0] for r in conn.execute("explain verbose select staging.ts(v), staging.num(v) from docs"))
    assert "try_timestamptz" in plan and "try_numeric" in plan and "staging." not in plan


def test_no_project_sql_uses_a_function_newer_than_postgresql_15():
    called = re.compile(r"\b(?:pg_input_is_valid|pg_input_error_info)\s*\([^)]")  # a call, not a mention "()"
    offenders = [str(p.relative_to(ROOT)) for folder in ("sql_models", "assets", "expectations", "pipelines", "migrations")
                 for p in (ROOT / folder).rglob("*") if p.suffix in (".sql", ".py") and called.search(p.read_text())]
    assert offenders == []
