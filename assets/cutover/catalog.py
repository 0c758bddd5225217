"""Catalog reads for the cutover: which tables a schema holds and their exact row counts."""

from __future__ import annotations

from psycopg import sql


def schema_exists(conn, schema: str) -> bool:
    return conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone() is not None


def tables(conn, schema: str) -> list[str]:
    """Ordinary and partitioned tables of `schema`, sorted by name."""
    rows = conn.execute(
        """
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = %s and c.relkind in ('r', 'p') and not c.relispartition
         order by c.relname
        """,
        (schema,),
    ).fetchall()
    return [r[0] for r in rows]


def row_counts(conn, schema: str) -> dict[str, int]:
    """Exact row count of every table of `schema` (count(*), not the planner's estimate)."""
    return {table: row_counts_of(conn, schema, table) for table in tables(conn, schema)}


def row_counts_of(conn, schema: str, table: str) -> int:
    query = sql.SQL("select count(*) from {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    return conn.execute(query).fetchone()[0]


def columns(conn, schema: str, table: str) -> list[str]:
    rows = conn.execute(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s order by ordinal_position",
        (schema, table),
    ).fetchall()
    return [r[0] for r in rows]
