"""Runs per application: migration.runs.apps (which applications a run covered) and
migration.conflicts.application (whose disagreement a row is), so each application's run writes and
replaces only its own rows when both applications share a database.

A run covering two applications in two databases has a row in each database, both listing the two
applications it covered. Existing rows are left null (before this revision every run covered both).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA = "migration"


def upgrade() -> None:
    op.add_column("runs", sa.Column("apps", postgresql.ARRAY(sa.Text())), schema=SCHEMA)
    op.add_column("conflicts", sa.Column("application", sa.Text()), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("conflicts", "application", schema=SCHEMA)
    op.drop_column("runs", "apps", schema=SCHEMA)
