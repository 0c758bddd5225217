"""Alembic environment: the URL comes from the caller or `pipelines.database` (DATABASE_URL or embedded)."""

from alembic import context
from sqlalchemy import create_engine

from pipelines.database import sqlalchemy_url

config = context.config
url = config.attributes.get("sqlalchemy_url") or sqlalchemy_url()

engine = create_engine(url)
with engine.connect() as connection:
    # not Alembic's default `alembic_version`: dagster-postgres keeps its own Alembic revision in
    # public.alembic_version, and with DATABASE_URL set the Dagster instance shares this database
    context.configure(
        connection=connection,
        version_table="cutover_alembic_version",
        version_table_schema="public",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
