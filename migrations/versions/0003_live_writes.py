"""Cutover bookkeeping: migration.live_writes (rows written to live tables after a cutover, which a
rollback would lose) and two columns of migration.luma_syncs (which schema a sync wrote, and the
Dagster run that did it).

live_writes is filled by statement-level triggers the cutover installs on the live tables
(assets/cutover/live_writes_function.sql); one row per (cutover, table, writer), writer being
'luma_sync' for the scheduled sync's own writes and 'application' for everything else.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "migration"


def upgrade() -> None:
    op.create_table(
        "live_writes",
        sa.Column("cutover_id", sa.BigInteger(), nullable=False),
        sa.Column("schema_name", sa.Text(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("writer", sa.Text(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False, server_default=sa.text("0")) for name in ("inserted", "updated", "deleted", "truncated")),
        sa.Column("last_write_at", sa.TIMESTAMP(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.PrimaryKeyConstraint("cutover_id", "schema_name", "table_name", "writer", name="live_writes_pkey"),
        schema=SCHEMA,
    )
    op.add_column("luma_syncs", sa.Column("target_schema", sa.Text()), schema=SCHEMA)
    op.add_column("luma_syncs", sa.Column("run_id", sa.Text()), schema=SCHEMA)
    op.create_index("luma_syncs_run_id_idx", "luma_syncs", ["run_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("luma_syncs_run_id_idx", table_name="luma_syncs", schema=SCHEMA)
    op.drop_column("luma_syncs", "run_id", schema=SCHEMA)
    op.drop_column("luma_syncs", "target_schema", schema=SCHEMA)
    op.drop_table("live_writes", schema=SCHEMA)
