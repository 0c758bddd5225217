"""The foreign keys of an application's tables, read from the catalog, and the rows that break one,
counted set-based (an anti-join per constraint). The cutover uses them where PostgreSQL's own
per-row checks are off (the copy under `session_replication_role = replica`, assets/cutover/rows.py)
or would only fire once rows move (apply refuses candidates referencing parent rows that are not
there, before any row moves)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ForeignKey:
    name: str
    child: str
    parent: str
    columns: tuple[str, ...]
    parent_columns: tuple[str, ...]


def of_schema(conn, schema: str) -> list[ForeignKey]:
    rows = conn.execute((HERE / "foreign_keys.sql").read_text(), {"schema": schema}).fetchall()
    return [ForeignKey(name, child, parent, tuple(cols), tuple(pcols)) for name, child, parent, cols, pcols in rows]


def dangling(conn, key: ForeignKey, child_schema: str, parent_schema: str) -> int:
    """Rows of child_schema.<child> whose key finds no row in parent_schema.<parent>."""
    def name(schema, table):
        return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))

    query = sql.SQL((HERE / "dangling.sql").read_text()).format(
        child=name(child_schema, key.child),
        parent=name(parent_schema, key.parent),
        present=sql.SQL(" and ").join(sql.SQL("c.{} is not null").format(sql.Identifier(c)) for c in key.columns),
        matches=sql.SQL(" and ").join(
            sql.SQL("p.{} = c.{}").format(sql.Identifier(p), sql.Identifier(c)) for c, p in zip(key.columns, key.parent_columns)
        ),
    )
    return conn.execute(query).fetchone()[0]


def described(broken: list[tuple[ForeignKey, int]], child_schema: str, parent_schema_of) -> str:
    """`schema.child: N row(s) break <constraint> (no such row in schema.parent)`, joined by `; `."""
    return "; ".join(
        f"{child_schema}.{key.child}: {count} row(s) break {key.name} (no such row in {parent_schema_of(key)}.{key.parent})"
        for key, count in broken
    )


def referencing(conn, key: ForeignKey, schema: str) -> int:
    """Rows of schema.<child> that reference a row through `key` (a key with a null column does not)."""
    query = sql.SQL("select count(*) from {}.{} c where {}").format(
        sql.Identifier(schema), sql.Identifier(key.child),
        sql.SQL(" and ").join(sql.SQL("c.{} is not null").format(sql.Identifier(c)) for c in key.columns),
    )
    return conn.execute(query).fetchone()[0]
