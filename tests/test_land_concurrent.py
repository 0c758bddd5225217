"""The sources land at once (assets/land/concurrent.py): they overlap, one failing leaves the
others landed and recorded, and no landing thread is the first to import a package with import
cycles (the failure mode that made an earlier threaded landing break at random)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.database import connect
from pipelines.errors import CutoverError
from assets.land.concurrent import concurrency, land_each, warm_imports
from tests.test_land_command import raw_table_counts, write_full_snapshot

ROOT = Path(__file__).resolve().parents[1]


def _sleepy(seconds: float, fail: str | None = None):
    started = {}

    def land_one(source):
        started[source] = time.monotonic()
        time.sleep(seconds)
        if source == fail:
            raise CutoverError(f"{source} broke")
        return source.upper()

    return land_one, started


def test_sources_land_at_the_same_time_and_one_failure_stops_none_of_the_others(monkeypatch):
    monkeypatch.setenv("CUTOVER_LAND_CONCURRENCY", "3")
    land_one, started = _sleepy(0.6, fail="mongo")
    warm_imports(["airtable", "mongo", "luma"])  # timed below without the first imports
    t0 = time.monotonic()
    outcomes = land_each(["airtable", "mongo", "luma"], land_one)
    assert time.monotonic() - t0 < 1.5  # one after another would take 1.8 s
    assert max(started.values()) - min(started.values()) < 0.4
    assert [(o.source, o.value, str(o.error) if o.error else None) for o in outcomes] == [
        ("airtable", "AIRTABLE", None), ("mongo", None, "mongo broke"), ("luma", "LUMA", None)]
    assert all(o.seconds >= 0.6 for o in outcomes)


def test_concurrency_1_lands_one_source_after_another(monkeypatch):
    monkeypatch.setenv("CUTOVER_LAND_CONCURRENCY", "1")
    land_one, started = _sleepy(0.3)
    outcomes = land_each(["airtable", "mongo", "luma"], land_one)
    order = sorted(started, key=started.get)
    assert order == ["airtable", "mongo", "luma"]
    assert started["luma"] - started["airtable"] >= 0.6
    assert [o.value for o in outcomes] == ["AIRTABLE", "MONGO", "LUMA"]
    assert {threading.current_thread().name} == {"MainThread"}


def test_the_landing_threads_allocate_from_the_system_pool_which_hands_freed_batches_back():
    import pyarrow as pa

    pa.set_memory_pool(pa.mimalloc_memory_pool())  # pyarrow's default here, which kept the landing's peak
    outcomes = land_each(["airtable", "mongo"], lambda source: pa.default_memory_pool().backend_name)
    assert [o.value for o in outcomes] == ["system", "system"]


def test_by_default_two_sources_land_at_once_and_the_third_takes_the_first_free_slot(monkeypatch):
    monkeypatch.delenv("CUTOVER_LAND_CONCURRENCY", raising=False)
    land_one, started = _sleepy(0.4)
    outcomes = land_each(["airtable", "mongo", "luma"], land_one)
    assert abs(started["mongo"] - started["airtable"]) < 0.2
    assert started["luma"] - min(started["airtable"], started["mongo"]) >= 0.35
    assert [o.value for o in outcomes] == ["AIRTABLE", "MONGO", "LUMA"]


def test_a_bad_concurrency_setting_is_one_sentence(monkeypatch):
    monkeypatch.setenv("CUTOVER_LAND_CONCURRENCY", "many")
    with pytest.raises(CutoverError, match=r"^CUTOVER_LAND_CONCURRENCY='many' is not a whole number of sources\.$"):
        concurrency()


WARM_CHECK = """
import json, sys
from pipelines import land
from assets.land.concurrent import warm_imports
warm_imports(land.SOURCES)
for source in land.SOURCES:  # as assets/land/materialize.py does before the threads start
    land.make_pipeline(source, sys.argv[2])
before = set(sys.modules)
for source in land.SOURCES:
    land.run_source(source, sys.argv[1], sys.argv[2])
print(json.dumps(sorted(set(sys.modules) - before)))
"""
CYCLIC = ("pyarrow", "pandas", "numpy", "dlt", "dagster_dlt", "psycopg2", "sqlalchemy", "orjson", "bson", "pymongo")


def test_after_warm_imports_a_landing_imports_nothing_of_a_package_with_import_cycles(db_url, tmp_path):
    snap = tmp_path / "snap"
    snap.mkdir()
    write_full_snapshot(snap)
    done = subprocess.run([sys.executable, "-c", WARM_CHECK, str(snap), db_url], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = json.loads(done.stdout.strip().splitlines()[-1])
    late = [name for name in imported if name.split(".")[0] in CYCLIC]
    assert late == [], f"add these to WARM_MODULES in assets/land/concurrent.py: {late}"


def test_a_source_that_fails_to_land_fails_the_step_after_the_others_are_landed_and_recorded(db_url, tmp_path):
    from assets.land.definitions import land_assets
    from assets.resources import SourcesResource, application_databases
    from assets.cutover.outcome import first_failure

    snap = tmp_path / "snap"
    snap.mkdir()
    manifest = write_full_snapshot(snap)
    with (snap / "airtable" / "votes.jsonl").open("a") as handle:
        handle.write("not json\n")
    result = dg.materialize(
        [land_assets()],
        resources={"sources": SourcesResource(snapshot_dir=str(snap)), **application_databases(db_url)},
        raise_on_error=False,
    )
    assert not result.success
    assert "votes.jsonl:13: malformed JSON" in first_failure(result)
    landed = {e.event_specific_data.materialization.asset_key.path[0] for e in result.get_asset_materialization_events()}
    assert landed == {"raw_mongo", "raw_luma"}
    counts = raw_table_counts(db_url)
    others = {k: v for k, v in manifest["counts"].items() if not k.startswith("airtable.")}
    assert {k: v for k, v in counts.items() if not k.startswith("airtable.")} == others
    assert not any(k.startswith("airtable.") for k in counts)  # nothing half-written
    with connect(db_url) as conn:
        sources = conn.execute("select distinct source from migration.count_ledger where run_id = %s order by 1",
                               (result.run_id,)).fetchall()
    assert sources == [("luma",), ("mongo",)]


def test_a_subset_selection_lands_only_the_sources_it_names(db_url, tmp_path):
    from assets.land.definitions import land_assets
    from assets.resources import SourcesResource, application_databases

    snap = tmp_path / "snap"
    snap.mkdir()
    write_full_snapshot(snap)
    result = dg.materialize(
        [land_assets()], selection=["raw_luma/events", "raw_luma/guests"],
        resources={"sources": SourcesResource(snapshot_dir=str(snap)), **application_databases(db_url)},
    )
    assert result.success
    assert raw_table_counts(db_url) == {"luma.events": 2, "luma.guests": 4}
