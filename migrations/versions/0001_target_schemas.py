"""Formerly the live schemas podium / hello_miami and their candidates, from our own DDL.

The applications own their tables (SPEC §3), so no revision creates or drops them any more:
`migrations.upgrade` creates exactly `migrations/targets/*.md` in an EMPTY live schema after the
revisions ran (migrations.ddl.ensure_target) and uses a complete one as it is; the candidates are
clones of the live tables (migrations.ddl.reset_candidate_schema). This revision stays as the
root of the chain, creating nothing. Its downgrade drops only what is ours: the candidate and
previous-rows schemas `<app>_next` / `<app>_prev` (and a `_rolled_back` one an older cutover
left); the live schema and its tables are the application's and stay, rows and all.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    from pipelines import targets

    for target in targets.targets():
        for schema in (target.candidate_schema, target.prev_schema, f"{target.app}_rolled_back"):
            op.execute(f'drop schema if exists "{schema}" cascade')
