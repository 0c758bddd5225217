"""Issue 18: `cutover snapshot --app` captures one application's sources with only its settings, and
a missing setting names itself and, when the command covers both applications, `--app`."""

from __future__ import annotations

import json
import shutil

import pytest

from pipelines import snapshot
from pipelines.database import connect
from pipelines.airtable import client as airtable_client
from pipelines.errors import CutoverError
from pipelines.mongo.collections import COLLECTIONS
from tests.standins.airtable import AirtableStandIn, podium_tables
from tests.standins.luma import LumaStandin
from tests.test_config_errors import NO_CREDENTIALS, one_line, with_password
from tests.test_foundation import cutover
from tests.test_luma_live import make_events, make_guests
from tests.test_mongo_source import sample_documents

AIRTABLE_SETTINGS = ("AIRTABLE_API_KEY", "AIRTABLE_BASE_ID", "AIRTABLE_ENDPOINT_URL")
HELLO_MIAMI_SETTINGS = ("MONGO_URI", "LUMA_API_KEY", "LUMA_BASE_URL")


@pytest.fixture
def no_source_settings(monkeypatch):
    for name in AIRTABLE_SETTINGS + HELLO_MIAMI_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(airtable_client, "_limiters", {})


def test_hello_miami_snapshot_needs_and_holds_only_mongodb_and_luma(tmp_path, monkeypatch, no_source_settings):
    import mongomock

    monkeypatch.setenv("MONGO_DB", "hm_snap")
    mongo = mongomock.MongoClient()
    expected = {}
    for i, name in enumerate(COLLECTIONS):
        docs = sample_documents(name, i + 1)
        mongo["hm_snap"][name].insert_many(docs)
        expected[f"mongo.{name}"] = len(docs)
    events = make_events(4)
    guests = make_guests(events, 3)
    with LumaStandin(events, guests, shape="mixed", page_size=2) as luma:
        monkeypatch.setenv("LUMA_API_KEY", luma.api_key)
        monkeypatch.setenv("LUMA_BASE_URL", luma.url)
        manifest = snapshot.capture(tmp_path / "hm", ["hello_miami"], options={"mongo": {"client": mongo}})
    expected.update({"luma.events": 4, "luma.guests": 12})
    written = json.loads((tmp_path / "hm" / "manifest.json").read_text())
    assert written["applications"] == ["hello_miami"] == manifest["applications"]
    assert written["counts"] == expected == manifest["counts"]
    assert sorted(p.name for p in (tmp_path / "hm").iterdir()) == ["luma", "manifest.json", "mongo"]
    # what it holds is what it counts
    assert sum(1 for _ in open(tmp_path / "hm" / "luma" / "guests.jsonl")) == 12
    assert sorted(p.stem for p in (tmp_path / "hm" / "mongo").glob("*.bson")) == sorted(COLLECTIONS)


def test_podium_snapshot_needs_and_holds_only_airtable(tmp_path, monkeypatch, no_source_settings):
    tables = podium_tables(7)
    with AirtableStandIn(tables) as standin:
        for key, value in standin.env().items():
            monkeypatch.setenv(key, value)
        manifest = snapshot.capture(tmp_path / "podium", ["podium"])
    written = json.loads((tmp_path / "podium" / "manifest.json").read_text())
    assert written["applications"] == ["podium"]
    assert written["counts"] == {f"airtable.{t}": 7 for t in tables} == manifest["counts"]
    assert sorted(p.name for p in (tmp_path / "podium").iterdir()) == ["airtable", "manifest.json"]


def test_combined_snapshot_without_a_setting_names_it_and_app_and_writes_nothing(tmp_path, monkeypatch, no_source_settings):
    tables = podium_tables(3)
    with AirtableStandIn(tables) as standin:
        for key, value in standin.env().items():
            monkeypatch.setenv(key, value)
        with pytest.raises(CutoverError) as caught:
            snapshot.capture(tmp_path / "both")
    message = str(caught.value)
    assert message.startswith("MONGO_URI is not set: it is needed to read Hello Miami's MongoDB"), message
    assert "--app podium to capture Podium alone" in message, message
    assert not (tmp_path / "both").exists()  # checked before anything was read


def test_scoped_snapshot_without_its_setting_does_not_offer_app(tmp_path, no_source_settings):
    with pytest.raises(CutoverError) as caught:
        snapshot.capture(tmp_path / "podium", ["podium"])
    assert str(caught.value) == "AIRTABLE_API_KEY is not set: it is needed to read Podium's Airtable base."


def test_scoped_snapshot_refuses_a_directory_holding_the_other_application(tmp_path, monkeypatch, no_source_settings):
    (tmp_path / "snap" / "mongo").mkdir(parents=True)
    with AirtableStandIn(podium_tables(3)) as standin:
        for key, value in standin.env().items():
            monkeypatch.setenv(key, value)
        with pytest.raises(CutoverError, match=r"holds mongo/, Hello Miami's part"):
            snapshot.capture(tmp_path / "snap", ["podium"])
    assert not (tmp_path / "snap" / "airtable").exists()


def test_snapshot_command_app_flag(tmp_path):
    """`cutover snapshot --app podium` with no Airtable setting: one line naming it, no --app hint."""
    line = one_line(cutover("snapshot", "--out", str(tmp_path / "s"), "--app", "podium", env=NO_CREDENTIALS))
    assert line == "cutover snapshot: AIRTABLE_API_KEY is not set: it is needed to read Podium's Airtable base.", line
    result = cutover("snapshot", "--out", str(tmp_path / "s"), "--app", "podio", env=NO_CREDENTIALS)
    assert result.returncode == 2 and "invalid choice: 'podio'" in result.stderr


# --- the same sentences from the land step ---------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from tests.sample.generate import generate

    out = tmp_path_factory.mktemp("perapp") / "snap"
    generate(out, 0.01, 3)
    return out


def test_combined_land_without_a_setting_names_it_and_app(db_url, tmp_path):
    env = {**NO_CREDENTIALS, "DATABASE_URL": with_password(db_url), "DAGSTER_HOME": str(tmp_path / "dh")}
    line = one_line(cutover("land", env=env))
    # the sources land at once; whichever missing setting comes first, it names --app for the other
    # the snapshot way named for the command line, the Launchpad and the environment (issue 16)
    snapshot = ("(or read a snapshot: `--snapshot DIR` on the command line, the `sources` resource's `snapshot_dir` "
                "in the Dagster Launchpad, or CUTOVER_SNAPSHOT_DIR; or pass")
    assert (f"AIRTABLE_API_KEY is not set: it is needed to read Podium's Airtable base {snapshot} "
            "--app hello_miami to run Hello Miami alone)." in line
            or f"{snapshot} --app podium to run Podium alone)." in line), line


def test_a_snapshot_without_a_source_is_named_with_the_source(db_url, sample, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(sample / "airtable", partial / "airtable")
    shutil.copy(sample / "manifest.json", partial / "manifest.json")
    env = {**NO_CREDENTIALS, "DATABASE_URL": with_password(db_url), "DAGSTER_HOME": str(tmp_path / "dh")}
    line = one_line(cutover("land", "--snapshot", str(partial), env=env))
    assert f"snapshot {partial} holds no " in line, line
    assert "capture it with `cutover snapshot --app hello_miami`" in line, line
    assert "pass --app podium to run Podium alone" in line, line


def test_a_podium_landing_from_a_snapshot_of_both_reads_only_airtable(db_url, sample, tmp_path, no_source_settings):
    """Podium's raw assets alone (what `podium_land` selects), from a snapshot holding both
    applications whose Hello Miami part is unreadable and with no setting of any source: only
    airtable/ is read, and Podium's landing and land gate pass."""
    import dagster as dg

    from assets.definitions import defs
    from pipelines import registry

    snap = tmp_path / "both"
    shutil.copytree(sample, snap)
    for path in (snap / "mongo").iterdir():
        path.write_bytes(b"\x05\x00\x00\x00garbage")  # any read of it fails, naming the file
    (snap / "luma" / "events.jsonl").write_text("not json\n")
    manifest = json.loads((snap / "manifest.json").read_text())
    keys = [dg.AssetKey(["raw_airtable", table]) for table in registry.table_names("airtable")]
    result = defs.get_implicit_global_asset_job_def().execute_in_process(
        asset_selection=keys, run_config={"resources": {"sources": {"config": {"snapshot_dir": str(snap)}}}},
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    with connect(db_url) as conn:
        landed = dict(conn.execute("select source_table, landed from migration.count_ledger where run_id = %s", (result.run_id,)).fetchall())
        assert {f"airtable.{t}": n for t, n in landed.items() if "." not in t} == {
            k: v for k, v in manifest["counts"].items() if k.startswith("airtable.")}
        assert conn.execute("select count(*) from migration.count_ledger where run_id = %s and source <> 'airtable'",
                            (result.run_id,)).fetchone()[0] == 0
