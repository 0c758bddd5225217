"""The applications' tables and our candidates of them (SPEC §3).

- `spec.spec(app)`: the application's own tables, parsed from `migrations/targets/<app>.md`.
- `ensure_target(conn, target)`: the live schema gets exactly the md's tables when it has none of
  them, is used as it is when it has all of them, and is an error naming the missing ones otherwise.
- `reset_candidate_schemas(conn)`: what the transform phase calls at the start of every dry-run:
  each `<app>_next` rebuilt empty as a clone of the LIVE tables read from the catalog.
- `catalog.describe(conn, schema)`: the catalog of a schema as plain data, to compare schemas.

Every function takes a psycopg 3 connection and runs inside the caller's transaction.
"""

from __future__ import annotations

from pathlib import Path

from migrations.ddl import spec

HERE = Path(__file__).resolve().parent


def _app_tables(app: str) -> tuple[str, ...]:
    """The tables the migration fills (the registry's); the md may hold more (Podium's version table)."""
    from pipelines import registry

    return registry.APPLICATIONS[app].tables


def existing_tables(conn, schema: str, tables) -> list[str]:
    rows = conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind in ('r', 'p') and c.relname = any(%s)",
        (schema, list(tables)),
    ).fetchall()
    return sorted(r[0] for r in rows)


def create_app_schema(conn, app: str, schema: str) -> None:
    """`create schema if not exists` + exactly the md's tables (and Podium's version row)."""
    conn.execute(f'create schema if not exists "{schema}"')
    for statement in spec.spec(app).statements(schema):
        conn.execute(statement)


def ensure_target(conn, target) -> str:
    """Create the application's tables in an empty live schema, use one with all the tables the
    migration fills as it is.

    Returns "created" or "as is". A schema holding only some of the md's tables is neither the
    application's database nor an empty one: an error sentence names the missing tables, and
    nothing is created (the application's migrations, not ours, complete its schema).
    """
    from pipelines.errors import CutoverError

    present = existing_tables(conn, target.schema, spec.spec(target.app).tables)
    if not present:
        create_app_schema(conn, target.app, target.schema)
        return "created"
    # complete means every table the migration fills; the md's others (Podium's alembic_version)
    # are the application's business once its tables exist
    missing = sorted(set(_app_tables(target.app)) - set(present))
    if missing:
        raise CutoverError(
            f"schema {target.schema} ({target.schema_setting}) holds only some of {target.app}'s tables: "
            f"{', '.join(missing)} missing; let {target.app}'s own migrations complete it, or point "
            f"{target.schema_setting} at an empty schema for the project to create them."
        )
    return "as is"


def reset_candidate_schema(conn, target) -> None:
    """Drop `<app>_next` (cascade) and rebuild it empty as a clone of the live tables' catalog.

    Columns, types, defaults and NOT NULL come from `create table ... (like live)`; primary,
    unique, check and foreign keys and the other indexes by name from pg_get_constraintdef /
    pg_get_indexdef, read while the search path is the live schema (so they name the live tables
    unqualified; an index definition always names its schema, which is replaced) and run while it
    is the candidate schema, then the live one (so they land on the candidate tables).
    An extra column or index the application added is thus in the candidate too; its triggers,
    grants and publications are not (the candidate is ours). Does not commit: a failed dry-run
    leaves the previous candidates in place.
    """
    from migrations.ddl import catalog
    from pipelines.errors import CutoverError

    tables = _app_tables(target.app)
    missing = sorted(set(tables) - set(existing_tables(conn, target.schema, tables)))
    if missing:
        raise CutoverError(
            f"{target.app}'s live schema {target.schema} lacks the tables {', '.join(missing)}: run `cutover migrate` "
            f"(it creates them in an empty schema) or point {target.schema_setting} at the schema that holds them."
        )
    live, candidate = target.schema, target.candidate_schema
    saved = conn.execute("select current_setting('search_path')").fetchone()[0]
    conn.execute("select set_config('search_path', %s, true)", (f'"{live}"',))
    definitions = conn.execute((HERE / "clone_definitions.sql").read_text(), (live, list(tables))).fetchall()
    conn.execute(f'drop schema if exists "{candidate}" cascade')
    conn.execute(f'create schema "{candidate}"')
    for table in tables:
        conn.execute(f'create table "{candidate}"."{table}" (like "{live}"."{table}" including defaults including identity including generated)')
    # the live schema second: a function or table of the application's that a definition names
    # (and that the candidate does not clone) still resolves
    conn.execute("select set_config('search_path', %s, true)", (f'"{candidate}", "{live}"',))
    for (statement,) in definitions:
        conn.execute(catalog.index_on(statement, live, candidate) if statement.startswith("CREATE ") else statement)
    conn.execute("select set_config('search_path', %s, true)", (saved,))


def reset_candidate_schemas(conn, apps: list[str] | None = None) -> None:
    """Every (or the named) application's candidate schema, rebuilt empty from its live tables."""
    from pipelines import targets

    for target in targets.targets() if apps is None else [targets.target(a) for a in apps]:
        reset_candidate_schema(conn, target)


def ensure_targets(url: str, apps: list[str] | None = None) -> None:
    """After our migrations: each application's live tables in place, and its candidate schema
    (a clone of them) when there is none yet. `apps=None`: every application, in this one database."""
    from pipelines import targets
    from pipelines.database import connect

    with connect(url) as conn:
        # two processes migrating one database at once must not both find the schema empty
        conn.execute("select pg_advisory_xact_lock(hashtext('cutover.ensure_targets'))")
        for target in targets.targets() if apps is None else [targets.target(a) for a in apps]:
            ensure_target(conn, target)
            if not conn.execute("select 1 from pg_namespace where nspname = %s", (target.candidate_schema,)).fetchone():
                reset_candidate_schema(conn, target)
        conn.commit()
