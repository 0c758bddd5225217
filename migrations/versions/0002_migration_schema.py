"""Schema `migration` (run and count ledgers, lineage, quarantine, gates, cutovers, Luma syncs),
the function `migration.stable_id`, and the empty pipeline schemas.

Run-scoped tables are indexed on run_id, since every step deletes and rereads its own run's rows.
The pipeline schemas (raw_airtable, raw_mongo, raw_luma, staging, intermediate) are created empty
so that their existence and grants do not depend on which phase ran first; dlt and the SQL models
fill them. Downgrade drops them too: `downgrade base` leaves the database as it found it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from migrations.ddl.identity import function_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "migration"
PIPELINE_SCHEMAS = ("raw_airtable", "raw_mongo", "raw_luma", "staging", "intermediate")
TS = sa.TIMESTAMP(timezone=True)


def _run_id() -> sa.Column:
    return sa.Column("run_id", sa.Text(), nullable=False)


def _source() -> list[sa.Column]:
    return [
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_table", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
    ]


def _source_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint("source in ('airtable', 'mongo', 'luma')", name=f"{table}_source_check")


def _run_index(table: str) -> None:
    op.create_index(f"{table}_run_id_idx", table, ["run_id"], schema=SCHEMA)


def upgrade() -> None:
    op.execute(f"create schema {SCHEMA}")
    for schema in PIPELINE_SCHEMAS:
        op.execute(f"create schema if not exists {schema}")

    op.create_table(
        "runs",
        sa.Column("run_id", sa.Text(), primary_key=True),
        sa.Column("job", sa.Text(), nullable=False),
        sa.Column("started_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("finished_at", TS),
        sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'running'")),
        sa.Column("snapshot_dir", sa.Text()),
        sa.Column("captured_at", TS),
        sa.Column("passed", sa.Boolean()),
        sa.Column("report_dir", sa.Text()),
        sa.Column("operator", sa.Text()),
        schema=SCHEMA,
    )
    op.create_index("runs_job_started_at_idx", "runs", ["job", "started_at"], schema=SCHEMA)

    # count columns stay null until the hop that fills them has run (land fills the first two)
    op.create_table(
        "count_ledger",
        _run_id(),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_table", sa.Text(), nullable=False),
        *(sa.Column(name, sa.BigInteger()) for name in ("source_count", "landed", "migrated", "merged", "quarantined")),
        sa.Column("target_table", sa.Text()),
        sa.Column("candidate_count", sa.BigInteger()),
        sa.PrimaryKeyConstraint("run_id", "source", "source_table", name="count_ledger_pkey"),
        _source_check("count_ledger"),
        schema=SCHEMA,
    )

    op.create_table(
        "id_lineage",
        *_source(),
        sa.Column("target_table", sa.Text(), nullable=False),
        sa.Column("target_id", UUID(as_uuid=True), nullable=False),
        _run_id(),
        sa.PrimaryKeyConstraint("source", "source_table", "source_id", "target_table", name="id_lineage_pkey"),
        _source_check("id_lineage"),
        schema=SCHEMA,
    )
    _run_index("id_lineage")
    op.create_index("id_lineage_target_idx", "id_lineage", ["target_table", "target_id"], schema=SCHEMA)

    op.create_table(
        "merges",
        _run_id(), *_source(),
        sa.Column("into_source_id", sa.Text()),
        sa.Column("into_target_id", UUID(as_uuid=True)),
        sa.Column("rule", sa.Text(), nullable=False),
        _source_check("merges"),
        schema=SCHEMA,
    )
    _run_index("merges")

    op.create_table(
        "quarantine",
        _run_id(), *_source(),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text()),
        sa.Column("record", JSONB()),
        _source_check("quarantine"),
        schema=SCHEMA,
    )
    _run_index("quarantine")

    op.create_table(
        "value_fixes",
        _run_id(), *_source(),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("original_value", sa.Text()),
        sa.Column("stored_value", sa.Text()),
        sa.Column("reason", sa.Text(), nullable=False),
        _source_check("value_fixes"),
        schema=SCHEMA,
    )
    _run_index("value_fixes")

    op.create_table(
        "conflicts",
        _run_id(),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source_table", sa.Text()),
        sa.Column("key", sa.Text()),
        sa.Column("field", sa.Text()),
        sa.Column("left_value", sa.Text()),
        sa.Column("right_value", sa.Text()),
        schema=SCHEMA,
    )
    _run_index("conflicts")

    op.create_table(
        "gate_results",
        _run_id(),
        sa.Column("phase", sa.Text(), nullable=False),
        sa.Column("application", sa.Text()),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("failed_count", sa.BigInteger()),
        sa.Column("message", sa.Text()),
        sa.Column("examples", JSONB()),
        sa.Column("checked_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("severity in ('error', 'warning')", name="gate_results_severity_check"),
        schema=SCHEMA,
    )
    _run_index("gate_results")

    op.create_table(
        "cutovers",
        sa.Column("cutover_id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        _run_id(),
        sa.Column("applied_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("operator", sa.Text()),
        sa.Column("counts", JSONB()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("rolled_back_at", TS),
        sa.Column("detail", JSONB()),
        schema=SCHEMA,
    )
    _run_index("cutovers")

    op.create_table(
        "luma_syncs",
        sa.Column("sync_id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("started_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("finished_at", TS),
        sa.Column("window_start", TS),
        sa.Column("window_end", TS),
        sa.Column("requests", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("events_upserted", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("attendance_upserted", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'running'")),
        sa.Column("error", sa.Text()),
        schema=SCHEMA,
    )
    op.create_index("luma_syncs_started_at_idx", "luma_syncs", ["started_at"], schema=SCHEMA)

    op.execute(function_sql())


def downgrade() -> None:
    op.execute(f"drop schema if exists {SCHEMA} cascade")
    for schema in PIPELINE_SCHEMAS:
        op.execute(f"drop schema if exists {schema} cascade")
