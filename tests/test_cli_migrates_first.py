"""A phase command on a database that was never migrated brings it to the latest migration first,
instead of failing deep inside a Dagster step on a missing `migration` table."""

from __future__ import annotations

from pipelines.database import connect
from tests.test_foundation import cutover


def test_land_on_a_fresh_database_migrates_it_and_lands(empty_db_url, tmp_path):
    sample = tmp_path / "sample"
    assert cutover("sample", "--out", str(sample), "--scale", "0.01").returncode == 0
    dagster_home = tmp_path / "dagster"
    result = cutover("land", "--snapshot", str(sample),
                     env={"DATABASE_URL": empty_db_url, "DAGSTER_HOME": str(dagster_home), "DAGSTER_PG_URL": ""})
    assert result.returncode == 0, result.stderr
    with connect(empty_db_url) as conn:
        version = conn.execute("select version_num from public.cutover_alembic_version").fetchone()
        landed = conn.execute("select count(*) from raw_airtable.users").fetchone()[0]
        ledger = conn.execute("select count(*) from migration.count_ledger").fetchone()[0]
    assert version is not None and landed > 0 and ledger > 0
