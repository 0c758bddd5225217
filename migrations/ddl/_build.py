"""Turn a SQLAlchemy `MetaData` into PostgreSQL DDL strings and run them on any connection.

One definition, compiled once per schema, feeds both Alembic (`op.execute`) and the transform
phase's candidate reset (a psycopg 3 connection), so live and candidate DDL cannot drift apart.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

# Constraint names as PostgreSQL itself would choose them, so the catalog reads the same whether a
# table was built here or by hand, and the same in `podium` and `podium_next`.
NAMING = {
    "pk": "%(table_name)s_pkey",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "ix": "%(table_name)s_%(column_0_N_name)s_idx",
}

_DIALECT = postgresql.dialect()


def metadata(schema: str) -> sa.MetaData:
    return sa.MetaData(schema=schema, naming_convention=NAMING)


def statements(meta: sa.MetaData) -> list[str]:
    """`create table` for every table in foreign-key order, then every index."""
    out: list[str] = []
    for table in meta.sorted_tables:
        out.append(str(CreateTable(table).compile(dialect=_DIALECT)).strip())
    for table in meta.sorted_tables:
        for index in sorted(table.indexes, key=lambda i: i.name):
            out.append(str(CreateIndex(index).compile(dialect=_DIALECT)).strip())
    return out


def execute(target, sql_statements: list[str]) -> None:
    """Run statements on an Alembic `op`, a SQLAlchemy Connection or a psycopg 3 connection."""
    if hasattr(target, "get_bind") and not isinstance(target, sa.engine.Connection):  # alembic.op
        # not op.execute(): it parses the text for `:name` binds, which a jsonb default contains
        target = target.get_bind()
    for statement in sql_statements:
        if isinstance(target, sa.engine.Connection):
            target.exec_driver_sql(statement)
        else:  # psycopg 3 connection or cursor
            target.execute(statement)
