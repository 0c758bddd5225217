"""migration.cutovers.app: a cutover is one application's (issue 13: apply and rollback per application).

Each application is cut over and rolled back in its own transaction, in its own database, so a
cutover row names the application it replaced the live rows of. A row written before this revision
covered both applications at once (the schema swap): it becomes one row per application, the
original keeping its id for the first application of the registry (`podium`) and a copy for
`hello_miami`, each with its own counts (`<app>.<table>` keys).

Downgrade drops the column after removing those copies (rows of `hello_miami` recorded in the same
instant as a `podium` row of the same dry-run); later single-application rows stay as they are.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SCHEMA = "migration"


def _counts_of(app: str) -> str:
    return f"""(select coalesce(jsonb_object_agg(key, value), '{{}}'::jsonb)
                  from jsonb_each(coalesce(counts, '{{}}'::jsonb)) where split_part(key, '.', 1) = '{app}')"""


def upgrade() -> None:
    op.add_column("cutovers", sa.Column("app", sa.Text()), schema=SCHEMA)
    op.execute(
        f"""insert into migration.cutovers (run_id, applied_at, operator, counts, status, rolled_back_at, detail, app)
            select run_id, applied_at, operator, {_counts_of('hello_miami')}, status, rolled_back_at, detail, 'hello_miami'
              from migration.cutovers where app is null order by cutover_id"""
    )
    op.execute(f"update migration.cutovers set app = 'podium', counts = {_counts_of('podium')} where app is null")
    op.alter_column("cutovers", "app", nullable=False, schema=SCHEMA)
    op.create_index("cutovers_app_idx", "cutovers", ["app", "cutover_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("cutovers_app_idx", table_name="cutovers", schema=SCHEMA)
    op.execute(
        """delete from migration.cutovers h using migration.cutovers p
            where h.app = 'hello_miami' and p.app = 'podium' and p.run_id = h.run_id and p.applied_at = h.applied_at"""
    )
    op.drop_column("cutovers", "app", schema=SCHEMA)
