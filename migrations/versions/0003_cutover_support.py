"""What the cutover and the Luma sync record beyond COMMON's list: `migration.live_writes` (rows
written to the live tables after a cutover, counted by the cutover's statement triggers so that a
rollback can say what it would lose) and, on `migration.luma_syncs`, the Dagster `run_id` and the
`target_schema` a sync wrote to (hello_miami_next before the first cutover, hello_miami after).

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
    op.add_column("luma_syncs", sa.Column("run_id", sa.Text()), schema=SCHEMA)
    op.add_column("luma_syncs", sa.Column("target_schema", sa.Text()), schema=SCHEMA)
    op.create_index("luma_syncs_run_id_idx", "luma_syncs", ["run_id"], schema=SCHEMA)

    # one counter row per (cutover, live table, writer); the trigger upserts into it
    op.create_table(
        "live_writes",
        sa.Column("cutover_id", sa.BigInteger(), sa.ForeignKey(f"{SCHEMA}.cutovers.cutover_id", ondelete="CASCADE"), nullable=False),
        sa.Column("schema_name", sa.Text(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("writer", sa.Text(), nullable=False),
        *(sa.Column(n, sa.BigInteger(), nullable=False, server_default=sa.text("0")) for n in ("inserted", "updated", "deleted", "truncated")),
        sa.Column("last_write_at", sa.TIMESTAMP(timezone=True)),
        sa.PrimaryKeyConstraint("cutover_id", "schema_name", "table_name", "writer", name="live_writes_pkey"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("live_writes", schema=SCHEMA)
    op.drop_index("luma_syncs_run_id_idx", "luma_syncs", schema=SCHEMA)
    op.drop_column("luma_syncs", "target_schema", schema=SCHEMA)
    op.drop_column("luma_syncs", "run_id", schema=SCHEMA)
