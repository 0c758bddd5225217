"""Target DDL as code, one definition per application for any schema name.

- `podium.create(target, schema)` / `hello_miami.create(target, schema)`: the SPEC §3 tables in an
  existing schema. `target` is an Alembic `op`, a SQLAlchemy Connection or a psycopg 3 connection.
- `reset_candidate_schemas(conn)`: what the transform phase calls at the start of every dry-run.
- `catalog.describe(conn, schema)`: the catalog of a schema as plain data, to compare schemas.
"""

from __future__ import annotations

from migrations.ddl import hello_miami, podium

# application -> its DDL module; the live schema is the application name, the candidate `<app>_next`
APPS = {"podium": podium, "hello_miami": hello_miami}
CANDIDATE_SUFFIX = "_next"


def candidate_schema(app: str) -> str:
    return f"{app}{CANDIDATE_SUFFIX}"


def create_app_schema(target, app: str, schema: str) -> None:
    """`create schema` + the application's tables; target as in `podium.create`."""
    from migrations.ddl import _build

    _build.execute(target, [f'create schema "{schema}"'])
    APPS[app].create(target, schema)


def reset_candidate_schemas(conn, apps=None) -> None:
    """Drop `podium_next` and `hello_miami_next` (cascade; only `apps`' when given: each
    application's candidates are built in its own database) and rebuild them empty with the live DDL.

    `conn` is a psycopg 3 connection (a SQLAlchemy Connection works too). Runs inside the caller's
    transaction and does not commit, so a failed dry-run leaves the previous candidates in place.
    The candidates are built from the same code as the live schemas (not copied from the live
    catalog), so a live schema changed by hand never leaks into a candidate.
    """
    from migrations.ddl import _build

    for app in apps or APPS:
        schema = candidate_schema(app)
        _build.execute(conn, [f'drop schema if exists "{schema}" cascade'])
        create_app_schema(conn, app, schema)
