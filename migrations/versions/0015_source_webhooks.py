"""migration.source_webhooks: the Airtable webhook a live dry-run created on Podium's base (issue 20),
so `cutover apply` reads the changes since the dry-run from its payloads (one request for the base)
and the next dry-run or a successful apply deletes it (pipelines/airtable/webhooks.py).

One row per (run_id, base_id). `webhook_id` is null when the webhook could not be created, and
`failure` then says why (the apply's fallback to listing names it). `deleted_at` tells what this
project left in the base: a row with a webhook and no `deleted_at` is a webhook still there (until
Airtable expires it at `expires_at`). The webhook's MAC secret is not kept: it only authenticates
notification pings, and this project never receives any (it polls the payloads at apply).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SCHEMA = "migration"


def upgrade() -> None:
    op.create_table(
        "source_webhooks",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("application", sa.Text(), nullable=False),
        sa.Column("base_id", sa.Text(), nullable=False),
        sa.Column("webhook_id", sa.Text()),
        sa.Column("cursor", sa.BigInteger()),  # the first payload's number: every payload since creation
        sa.Column("expires_at", sa.DateTime(timezone=True)),  # as Airtable answered at creation (never the refreshed one)
        sa.Column("failure", sa.Text()),  # why no webhook: one sentence naming the scope or setting to fix
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("run_id", "base_id"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("source_webhooks", schema=SCHEMA)
