"""migration.runs: which process runs a run (pid, host), and the run's notes (notes jsonb).

pid and host let the next run tell a run whose process is gone (killed, the machine rebooted) from
one still running: it is marked failed, in migration.runs and in Dagster's run history
(pipelines/ledger.py `fail_abandoned_runs`). notes holds what a run should tell its reader beyond
its figures (that run X was marked failed; that the snapshot had no manifest.json), shown by the
CLI and the report.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "migration"


def upgrade() -> None:
    op.add_column("runs", sa.Column("pid", sa.Integer()), schema=SCHEMA)
    op.add_column("runs", sa.Column("host", sa.Text()), schema=SCHEMA)
    op.add_column("runs", sa.Column("notes", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
                  schema=SCHEMA)


def downgrade() -> None:
    for column in ("notes", "host", "pid"):
        op.drop_column("runs", column, schema=SCHEMA)
