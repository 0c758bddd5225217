"""migration.source_markers: per live source table, what a dry-run saw of it (issue 20), so that
`cutover apply` can tell the records created, changed or deleted at the source since then
(pipelines/markers.py). One row per (run_id, source, source_table), in the application's database.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SCHEMA = "migration"


def upgrade() -> None:
    op.create_table(
        "source_markers",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("application", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_table", sa.Text(), nullable=False),
        sa.Column("record_count", sa.BigInteger()),
        sa.Column("since", sa.DateTime(timezone=True)),  # Airtable: changed since (landing start minus the skew margin)
        sa.Column("newest_updated_at", sa.DateTime(timezone=True)),  # MongoDB: newest updatedAt
        sa.Column("newest_id", sa.Text()),  # MongoDB: newest ObjectId (hex; its time is the newest creation)
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.PrimaryKeyConstraint("run_id", "source", "source_table"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("source_markers", schema=SCHEMA)
