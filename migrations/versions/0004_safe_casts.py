"""Safe casts: migration.try_timestamptz, try_date, try_numeric, try_jsonb (text in, null where the
cast would raise; ddl/safe_casts.sql).

They replace pg_input_is_valid() (PostgreSQL 16+) in the SQL models, the Luma sync and the row
comparison gate, so the project runs on PostgreSQL 15. Created here rather than with the models'
run-time helpers (sql_models/functions.sql) because the sync and the gates use them too, and
those never load the models' helpers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from pathlib import Path

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SQL_FILE = Path(__file__).resolve().parents[1] / "ddl" / "safe_casts.sql"
# the target types and the volatility of their casts (ddl/safe_casts.sql says why)
TYPES = {"timestamptz": "stable", "date": "stable", "numeric": "immutable", "jsonb": "immutable"}


def upgrade() -> None:
    template = SQL_FILE.read_text()
    for type_name, volatility in TYPES.items():
        op.execute(template.format(type=type_name, volatility=volatility))


def downgrade() -> None:
    for type_name in TYPES:
        op.execute(f"drop function if exists migration.try_{type_name}(text)")
