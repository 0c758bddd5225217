"""The one reading of Luma: migration.luma_events (ddl/luma_events.sql), migration.luma_guests and the
aggregate migration.luma_stats (ddl/luma_guests.sql), and the JSON value readers they use,
staging.txt / ts / utc / num / bool (ddl/json_readers.sql).

The dry-run's models and the incremental Luma sync both read Luma through these (issue 12), where the
sync had its own copy of the event, guest, stats and attendance-status rules. The value readers
moved here from the models' run-time helpers (sql_models/functions.sql) because the sync calls them
too and never loads those.

luma_events / luma_guests are set-returning SQL functions, stable and not strict, one SELECT, no SET
clause: the planner inlines each into the calling query as it would a view, with load_id a
constant, so a sync reads only its load's rows. Not views: dlt creates raw_luma's tables with their
first row (after this migration) and may replace them, which a view's dependency would block. So
their bodies are not checked at creation (check_function_bodies off) and name every object with its
schema (no search_path of their own).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from pathlib import Path

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DDL = Path(__file__).resolve().parents[1] / "ddl"
SQL_FILES = ("json_readers.sql", "luma_events.sql", "luma_guests.sql")
AGGREGATES = ("migration.luma_stats(text)",)
FUNCTIONS = ("migration.luma_stats_of(text[])", "migration.luma_guests(text)", "migration.luma_events(text)",
             "staging.txt(jsonb)", "staging.bool(jsonb)", "staging.num(jsonb)", "staging.utc(timestamptz)",
             "staging.ts(jsonb)")


def upgrade() -> None:
    # the Luma readings name raw_luma's tables, which dlt creates later
    op.execute("set local check_function_bodies = off")
    for name in SQL_FILES:
        op.execute((DDL / name).read_text())


def downgrade() -> None:
    # the models' run-time helpers (sql_models/functions.sql) no longer create the value readers:
    # below 0006 a transform needs the helpers of its own revision
    for signature in AGGREGATES:
        op.execute(f"drop aggregate if exists {signature}")
    for signature in FUNCTIONS:
        op.execute(f"drop function if exists {signature}")
