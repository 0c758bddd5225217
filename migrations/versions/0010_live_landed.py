"""The live target as a source (issue 14, SPEC §4 "Rows already live"): what each dry-run found in
an application's live tables, per table (rows and a checksum of their contents), so `cutover apply`
can tell whether the application wrote to them since (and refuse, naming the tables).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SCHEMA = "migration"


def upgrade() -> None:
    op.create_table(
        "live_landed",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("application", sa.Text(), nullable=False),
        sa.Column("target_table", sa.Text(), nullable=False),
        sa.Column("live_before", sa.BigInteger(), nullable=False),
        sa.Column("checksum", sa.Text(), nullable=False),
        sa.Column("landed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "application", "target_table"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("live_landed", schema=SCHEMA)
