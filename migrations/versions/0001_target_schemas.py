"""Target schemas podium and hello_miami (SPEC §3), and their empty candidates *_next.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from alembic import op

from migrations.ddl import APPS, candidate_schema, create_app_schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    for app in APPS:
        create_app_schema(op, app, app)
        create_app_schema(op, app, candidate_schema(app))


def downgrade() -> None:
    # `_prev` schemas are what a cutover leaves behind for rollback; they hold the same tables.
    for app in APPS:
        for schema in (candidate_schema(app), f"{app}_prev", app):
            op.execute(f'drop schema if exists "{schema}" cascade')
