"""Idempotence of `cutover dry-run` from the command line (issue 4, item 6): two full dry-runs (land +
transform + reconcile, real Dagster runs on a real PostgreSQL) of the same small sample, one after
the other on one database as an operator runs them, give byte-identical candidate tables and the
same count ledger; and the second run's report says nothing changed."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.conftest import _create_database, _drop_database
from tests.model_fixtures import rows

# two whole CLI dry-runs (~60 s on one worker): .ci/run's slow step; `make test` keeps the same
# idempotence at the models' level (tests/test_models_e2e.py, two runs byte-identical)
pytestmark = pytest.mark.slow

SCALE = "0.02"
CANDIDATE_TABLES = """
select table_schema || '.' || table_name from information_schema.tables
 where table_schema in ('podium_next', 'hello_miami_next') and table_type = 'BASE TABLE' order by 1
"""
LEDGER_FIELDS = ("source", "table", "source_count", "landed", "migrated", "merged", "quarantined", "quarantine_reasons",
                 "target_table", "candidate_count", "balanced")


def fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of every row's text, one per line, in text order)} of every candidate table."""
    out = {}
    for (table,) in rows(url, CANDIDATE_TABLES):
        out[table] = rows(url, f"select count(*)::int, md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) from {table} t")[0]
    return out


def _older_rows(url: str, tables, xid: int) -> dict[str, int]:
    """{table: rows written by a transaction before `xid`} (the first run's rows a second run left in place)."""
    out = {}
    for table in tables:
        n = rows(url, f"select count(*) from {table} where xmin::text::bigint < %s", (xid,))[0][0]
        if n:
            out[table] = n
    return out


@pytest.fixture(scope="module")
def two_runs(admin_url, template_db, tmp_path_factory):
    """The same sample dry-run twice on one database (Dagster's storage in that database, as the
    project does with DATABASE_URL set and DAGSTER_PG_URL unset)."""
    from assets.cli import main
    from pipelines.database import engine

    name = f"t_{uuid.uuid4().hex[:10]}"
    url = _create_database(admin_url, name, template=template_db)
    base = tmp_path_factory.mktemp("twice")
    snapshot = base / "snap"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        mp.delenv("DAGSTER_PG_URL", raising=False)
        # a tiny dirty sample quarantines a larger share than the real base (the operator's setting)
        mp.setenv("CUTOVER_QUARANTINE_CEILING", "0.9")
        mp.delenv("CUTOVER_QUARANTINE_CEILINGS", raising=False)
        assert main(["sample", "--out", str(snapshot), "--scale", SCALE]) == 0
        exits, reports, prints, after = [], [], [], []
        for i in (1, 2):
            report = base / f"report{i}"
            exits.append(main(["dry-run", "--snapshot", str(snapshot), "--report-dir", str(report)]))
            reports.append(report)
            prints.append(fingerprints(url))
            # the 32-bit xid that row headers (xmin) hold
            after.append(rows(url, "select mod(pg_current_xact_id()::text::bigint, 4294967296)")[0][0])
        yield {"url": url, "snapshot": snapshot, "exits": exits, "reports": reports, "fingerprints": prints, "xid_after": after}
    engine(url).dispose()
    _drop_database(admin_url, name)


def _json(report: Path) -> dict:
    return json.loads((report / "reconciliation.json").read_text())


def test_two_dry_runs_give_byte_identical_candidate_tables(two_runs):
    assert two_runs["exits"] == [0, 0]
    first, second = two_runs["fingerprints"]
    assert len(first) == 18  # 7 podium_next + 11 hello_miami_next tables
    # the comparison is about real content: no candidate table of the sample is empty
    assert sorted(t for t, (n, _) in first.items() if n == 0) == []
    assert second == first
    # ... and the second run did rebuild them: no candidate row is left over from the first run
    assert _older_rows(two_runs["url"], first, two_runs["xid_after"][0]) == {}


def test_second_dry_run_reports_the_same_counts_and_no_change(two_runs):
    one, two = (_json(r) for r in two_runs["reports"])
    assert one["passed"] is True and two["passed"] is True
    assert one["run_id"] != two["run_id"]
    ledger_one = [{k: t[k] for k in LEDGER_FIELDS} for t in one["tables"]]
    ledger_two = [{k: t[k] for k in LEDGER_FIELDS} for t in two["tables"]]
    assert ledger_two == ledger_one
    # the ledger is the sample's: the source-reported counts of the manifest (plus the two link
    # tables, counted from the lists), every table balanced
    manifest = json.loads((two_runs["snapshot"] / "manifest.json").read_text())["counts"]
    counts = {f"{t['source']}.{t['table']}": t["source_count"] for t in two["tables"]}
    assert set(counts) - set(manifest) == {"airtable.events.attendees", "airtable.projects.collaborators"}
    assert {k: v for k, v in counts.items() if k in manifest} == manifest
    assert all(t["balanced"] is True and t["landed"] == t["source_count"] for t in two["tables"])
    # the candidate counts of the ledger are the rows that are in the candidate tables
    rows_now = {table.replace("_next.", "."): n for table, (n, _) in two_runs["fingerprints"][1].items()}
    assert {t["target_table"]: t["candidate_count"] for t in two["tables"]} == {
        t["target_table"]: rows_now[t["target_table"]] for t in two["tables"]}

    assert two["previous_run_id"] == one["run_id"]
    html = (two_runs["reports"][1] / "report.html").read_text()
    change = html[html.index("<h2>Change since the previous dry-run</h2>"):]
    assert f"Compared with run <code>{one['run_id']}</code>." in change
    assert "<p>No count changed.</p>" in change
