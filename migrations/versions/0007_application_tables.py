"""The applications' exact tables (migrations/targets/*.md) where ours stood empty.

Before this revision `0001` created podium / hello_miami with our own DDL (other constraint and
index names, other foreign-key actions, Hello Miami's profiles without its migration 0001's seven
columns). For each application, in this database, whose live schema holds exactly the tables our old
DDL made, ALL EMPTY and different from the md, those tables are dropped, so that
`migrations.upgrade` (ensure_target, after the revisions) creates the exact ones; tables holding
rows are left as they are, for the target gate to judge. The candidate schema is ours and rebuilt by
every dry-run: it is dropped when empty, to be cloned again from the live tables.

Downgrade changes nothing: the exact tables are the applications' own, and our old DDL is not
coming back.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _all_empty(conn, schema: str, tables: list[str]) -> bool:
    return not any(conn.execute(f'select exists (select from "{schema}"."{t}")').fetchone()[0] for t in tables)


def upgrade() -> None:
    from migrations.ddl import catalog, existing_tables, spec
    from pipelines import registry, targets

    conn = op.get_bind().connection.driver_connection  # psycopg 3, in Alembic's transaction
    for target in targets.targets():
        wanted = spec.spec(target.app).describe()
        present = existing_tables(conn, target.schema, wanted)
        # our old 0001 made exactly the registry's tables; any other set is not ours to judge
        ours = sorted(registry.APPLICATIONS[target.app].tables)
        if present == ours and _all_empty(conn, target.schema, present):
            found = {t: d for t, d in catalog.describe(conn, target.schema).items() if t in wanted}
            if catalog.differences(wanted, found):
                for table in present:
                    conn.execute(f'drop table "{target.schema}"."{table}" cascade')
        candidate = existing_tables(conn, target.candidate_schema, wanted)
        if candidate and _all_empty(conn, target.candidate_schema, candidate):
            conn.execute(f'drop schema "{target.candidate_schema}" cascade')


def downgrade() -> None:
    pass
