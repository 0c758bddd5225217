"""A replace model (`-- replace: keys`, here migration.id_lineage) swaps the slices it covers and
keeps every other row; when it writes most of the table its indexes are built after the insert
(`models.REBUILD_INDEXES_BELOW`), and the table ends with the same rows, keys and index names
either way."""

from __future__ import annotations

import pytest

from assets.transform.models import Model, insert_rows
from pipelines.database import connect

RUN = "run-2"
A, B = "00000000-0000-5000-8000-00000000000a", "00000000-0000-5000-8000-00000000000b"

# rows the other application's run left (hello_miami's Mongo lineage), and this application's
# lineage of a previous run: users is re-classified by this run, events is not
KEPT = [("mongo", "profiles", f"m{i}", "profiles", A, "run-1") for i in range(3)]
PREVIOUS = [("airtable", "users", "recOld", "users", A, "run-1"), ("airtable", "events", "recE", "events", B, "run-1")]

INDEXES = """
select c.relname, c.oid, pg_get_indexdef(c.oid) from pg_index i join pg_class c on c.oid = i.indexrelid
 where i.indrelid = 'migration.id_lineage'::regclass order by 1
"""
CONSTRAINTS = "select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = 'migration.id_lineage'::regclass order by 1"


def _model(written: list[tuple]) -> Model:
    values = ", ".join(f"('{s}', '{t}', '{i}', '{tt}', '{tid}'::uuid, '{run}')" for s, t, i, tt, tid, run in written)
    sql = f"select * from (values {values}) as v(source, source_table, source_id, target_table, target_id, run_id)"
    return Model("reconcile", "id_lineage", "podium", sql, "", set(), replace_keys=["source", "source_table"])


@pytest.mark.parametrize("written_rows, rebuilt", [(2, False), (8, True)])
def test_replace_model_swaps_its_slices_and_keeps_the_rest(db_url, written_rows, rebuilt):
    written = [("airtable", "users", f"rec{i}", "users", B, RUN) for i in range(written_rows)]
    with connect(db_url, autocommit=True) as conn:
        conn.execute("insert into migration.id_lineage values " + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * 5),
                     [v for row in KEPT + PREVIOUS for v in row])
        before_indexes = conn.execute(INDEXES).fetchall()
        before_constraints = conn.execute(CONSTRAINTS).fetchall()
        with conn.transaction():
            insert_rows(conn, _model(written))
        table = conn.execute("select source, source_table, source_id, target_table, target_id::text, run_id"
                             " from migration.id_lineage order by 1, 2, 3").fetchall()
        after_indexes = conn.execute(INDEXES).fetchall()
        after_constraints = conn.execute(CONSTRAINTS).fetchall()

    assert table == sorted([PREVIOUS[1]] + written + KEPT)
    assert [(n, d) for n, _oid, d in after_indexes] == [(n, d) for n, _oid, d in before_indexes]
    assert after_constraints == before_constraints
    # 8 rows written beside 4 kept: the indexes were dropped and built again (new relations);
    # 2 written beside 4 kept: maintained in place
    assert ({o for _n, o, _d in after_indexes}.isdisjoint({o for _n, o, _d in before_indexes})) is rebuilt
    assert len(before_indexes) == 3


def test_replace_model_refused_leaves_the_table_as_it_was(db_url):
    """A duplicate key in the rows written fails the rebuilt primary key; the transaction rolls back
    with the table, its rows and its indexes as before."""
    import psycopg

    duplicate = [("airtable", "users", "recSame", "users", B, RUN)] * 8
    with connect(db_url, autocommit=True) as conn:
        conn.execute("insert into migration.id_lineage values " + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * 5),
                     [v for row in KEPT + PREVIOUS for v in row])
        before = conn.execute(INDEXES).fetchall(), conn.execute("select count(*) from migration.id_lineage").fetchone()
        with pytest.raises(psycopg.errors.UniqueViolation), conn.transaction():
            insert_rows(conn, _model(duplicate))
        assert (conn.execute(INDEXES).fetchall(), conn.execute("select count(*) from migration.id_lineage").fetchone()) == before
