"""migration.cutovers.tables: the tables a cutover moved (issue 14, `cutover apply --tables`).

NULL means every table of the application (a whole-application cutover, and every row written
before this revision), so rollback undoes exactly the tables the latest cutover moved, and a table
an applied cutover moved counts as live already for a later cutover of a few tables.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

SCHEMA = "migration"


def upgrade() -> None:
    op.add_column("cutovers", sa.Column("tables", postgresql.ARRAY(sa.Text())), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("cutovers", "tables", schema=SCHEMA)
