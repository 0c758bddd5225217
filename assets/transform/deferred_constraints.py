"""Fill tables first, build their keys, foreign keys and indexes after.

Inserting 1.5 M rows into tables that already carry unique, GIN and foreign-key checks costs a
per-row index insert and trigger each; building the same constraints once over the filled
tables is a sort and a join. Used for the candidate schemas (every table) and for a replace model's
table when the model writes most of it (`models.REBUILD_INDEXES_BELOW`). The statements recreated
are read from the catalog, so the DDL ends exactly as it was (names included), inside the caller's
transaction: nothing is ever visible half-built.
"""

from __future__ import annotations

from contextlib import contextmanager

_CONSTRAINTS = """
select format('alter table %%s drop constraint %%I', c.conrelid::regclass, c.conname),
       format('alter table %%s add constraint %%I %%s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)),
       c.contype = 'f' as is_foreign
  from pg_constraint c
 where (c.connamespace::regnamespace::text = any(%(schemas)s) or c.conrelid = any(%(tables)s::regclass[]))
   and c.contype in ('p', 'u', 'f')
"""

_INDEXES = """
select format('drop index %%s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
  from pg_index i
  join pg_class t on t.oid = i.indrelid
 where (t.relnamespace::regnamespace::text = any(%(schemas)s) or t.oid = any(%(tables)s::regclass[]))
   and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
"""


@contextmanager
def constraints_deferred(conn, schemas: list[str] = (), tables: list[str] = ()):
    """Every table of `schemas`, and the `tables` named (schema-qualified), without their keys and
    indexes inside the block; a key another table's foreign key references cannot be dropped, and
    PostgreSQL's refusal then fails the step instead of leaving it unchecked."""
    params = {"schemas": list(schemas), "tables": list(tables)}
    constraints = conn.execute(_CONSTRAINTS, params).fetchall()
    indexes = conn.execute(_INDEXES, params).fetchall()
    # foreign keys depend on the keys they reference: drop them first, add them last
    for drop, _add, _fk in sorted(constraints, key=lambda c: not c[2]):
        conn.execute(drop)
    for drop, _create in indexes:
        conn.execute(drop)
    yield
    for _drop, add, _fk in sorted(constraints, key=lambda c: c[2]):
        conn.execute(add)
    for _drop, create in indexes:
        conn.execute(create)
