"""migration.source_markers.listing: what a live dry-run listed of a source whose markers are a
list rather than a count (issue 20, Luma: the sync window and each event's `updated_at` in it), so
`cutover apply` can name the events created, changed or deleted since (pipelines/markers.py).

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SCHEMA = "migration"


def upgrade() -> None:
    op.add_column("source_markers", sa.Column("listing", postgresql.JSONB()), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("source_markers", "listing", schema=SCHEMA)
