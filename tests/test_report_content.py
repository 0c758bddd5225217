"""What the dry-run report says, read from the files of real `cutover dry-run` runs (real Dagster,
real PostgreSQL) of one small sample on one database:

- no email, phone number or street address of the sample appears unmasked in report.html or
  reconciliation.json;
- a second dry-run on a changed snapshot (two users fewer) states the change against the first;
- a reconcile-phase defect (a quarantine ceiling the data exceeds) exits 3, names the failing gate
  on stderr, and the page says not ready, naming the table and the rule;
- a dry-run that errors (a manifest.json that is not JSON) exits 1 with one sentence on stderr.
"""

from __future__ import annotations

import contextlib
import html as htmllib
import io
import json
import re
import shutil
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tests.conftest import _create_database, _drop_database
from tests.model_fixtures import rows

# two whole CLI dry-runs of the sample (~45 s on one worker): .ci/run's slow step; `make test`
# keeps a dry-run's report and its masking (tests/test_dry_run_cli.py)
pytestmark = pytest.mark.slow

SCALE = "0.02"
REMOVED_USERS = 2
# the reconcile defect of the second run: one table of each application over its own ceiling
CEILINGS = "airtable.users=0.001,mongo.profiles=0.001"
CEILING_RULE = "migration.count_ledger: quarantine under its ceiling"


@pytest.fixture(scope="module")
def database(admin_url, template_db):
    """One database for the module's runs, Dagster's storage in it (DAGSTER_PG_URL unset)."""
    from pipelines.database import engine

    name = f"t_{uuid.uuid4().hex[:10]}"
    url = _create_database(admin_url, name, template=template_db)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        mp.delenv("DAGSTER_PG_URL", raising=False)
        # a tiny dirty sample quarantines a larger share than the real base (the operator's setting)
        mp.setenv("CUTOVER_QUARANTINE_CEILING", "0.9")
        mp.delenv("CUTOVER_QUARANTINE_CEILINGS", raising=False)
        yield url
    engine(url).dispose()
    _drop_database(admin_url, name)


@pytest.fixture(scope="module")
def sample(database, tmp_path_factory) -> Path:
    from assets.cli import main

    out = tmp_path_factory.mktemp("sample") / "snap"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["sample", "--out", str(out), "--scale", SCALE]) == 0
    return out


def _dry_run(snapshot: Path, report: Path) -> dict:
    from assets.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["dry-run", "--snapshot", str(snapshot), "--report-dir", str(report)])
    data = json.loads((report / "reconciliation.json").read_text())
    return {"exit": code, "out": out.getvalue(), "err": err.getvalue(), "data": data, "report": report,
            "html": (report / "report.html").read_text(), "json_text": (report / "reconciliation.json").read_text()}


@pytest.fixture(scope="module")
def first(database, sample, tmp_path_factory) -> dict:
    run = _dry_run(sample, tmp_path_factory.mktemp("first") / "report")
    # the personal data that landed from the sample (read now: the second run re-lands)
    run["personal"] = {
        kind: {v for (v,) in rows(database, sql) if v and v.strip()}
        for kind, sql in {
            "users.email": "select fields->>'email' from raw_airtable.users",
            "users.phone": "select fields->>'phone' from raw_airtable.users",
            "users.street_1": "select fields->>'street_1' from raw_airtable.users",
            "profiles.lumaEmail": "select document->>'lumaEmail' from raw_mongo.profiles",
            "pending_users.email": "select document->>'email' from raw_mongo.pending_users",
            "guests.email": "select coalesce(record->'guest'->>'email', record->>'email') from raw_luma.guests",
        }.items()
    }
    return run


def _unreferenced_users(snapshot: Path) -> list[dict]:
    """Users that migrate as they are (one per email, already normalized) and that no record links
    to nor link to any record: removing them changes airtable.users only."""
    records = {f.stem: [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
               for f in (snapshot / "airtable").glob("*.jsonl")}
    referenced: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            referenced.add(value.strip())
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    for table, recs in records.items():
        if table != "users":
            for r in recs:
                walk(r["fields"])
    emails = [(u["fields"].get("email") or "").strip().lower() for u in records["users"]]
    return [
        u for u in records["users"]
        if u["id"] not in referenced and not any(isinstance(v, list) for v in u["fields"].values())
        and (e := u["fields"].get("email")) and e == e.strip().lower() and emails.count(e) == 1 and len(e) < 100
    ]


@pytest.fixture(scope="module")
def second(database, sample, first, tmp_path_factory) -> dict:
    """The same sample less two users, dry-run with quarantine ceilings the data exceeds."""
    snap = tmp_path_factory.mktemp("second") / "snap"
    shutil.copytree(sample, snap)
    removed = _unreferenced_users(snap)[:REMOVED_USERS]
    assert len(removed) == REMOVED_USERS
    gone = {u["id"] for u in removed}
    users = snap / "airtable" / "users.jsonl"
    kept = [line for line in users.read_text().splitlines() if line.strip() and json.loads(line)["id"] not in gone]
    users.write_text("".join(line + "\n" for line in kept))
    manifest = json.loads((snap / "manifest.json").read_text())
    manifest["counts"]["airtable.users"] -= REMOVED_USERS
    (snap / "manifest.json").write_text(json.dumps(manifest))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CUTOVER_QUARANTINE_CEILINGS", CEILINGS)
        run = _dry_run(snap, tmp_path_factory.mktemp("second") / "report")
    run["removed"] = removed
    return run


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}</h2>")
    ends = [i for i in (page.find("<h2>", start + 1), page.find('<p class="meta">Personal data', start)) if i > 0]
    return page[start:min(ends)]


def _table_rows(fragment: str) -> list[list[str]]:
    """The data rows (not the header) of the tables in `fragment`, as visible cell texts."""
    out = []
    for tr in re.findall(r"<tr>(.*?)</tr>", fragment, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        if cells:
            out.append([_text(c) for c in cells])
    return out


def _ceiling_detail(table: dict, ceiling: str) -> str:
    """The ceiling gate's example for one ledger row, as PostgreSQL formats it (round half up)."""
    share = (Decimal(100 * table["quarantined"]) / Decimal(table["source_count"])).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{table['source']}.{table['table']}: {table['quarantined']} of {table['source_count']} quarantined ({share}%), ceiling {ceiling}%"


def _ledger_row(run: dict, key: str) -> dict:
    [table] = [t for t in run["data"]["tables"] if f"{t['source']}.{t['table']}" == key]
    return table


def test_report_shows_no_email_phone_or_street_address_of_the_sample(first, second):
    personal = first["personal"]
    # a concrete set of values that exist in the sample
    sizes = {kind: len(values) for kind, values in personal.items()}
    assert sizes["users.email"] >= 60 and sizes["profiles.lumaEmail"] >= 35, sizes
    assert sizes["users.phone"] >= 20 and sizes["users.street_1"] >= 10 and sizes["guests.email"] >= 30, sizes
    assert all(re.fullmatch(r"\(\d{3}\) 555-\d{4}", p) or p.startswith("+1 (305) 555-0142") for p in personal["users.phone"])
    assert all(re.match(r"\d+ \w", s) for s in personal["users.street_1"])

    assert first["exit"] == 0 and first["data"]["passed"] is True
    assert {app: v["passed"] for app, v in first["data"]["apps"].items()} == {"podium": True, "hello_miami": True}
    for run in (first, second):
        page = htmllib.unescape(run["html"])
        document = json.dumps(run["data"], ensure_ascii=False)
        for where, text in (("report.html", page), ("reconciliation.json", document), ("reconciliation.json file", run["json_text"])):
            lowered = text.lower()
            leaked = sorted(f"{kind}: {value}" for kind, values in personal.items() for value in values
                            if value.strip() in text or value.strip().lower() in lowered)
            assert leaked == [], (where, run["data"]["run_id"])
            # and no unmasked email of any kind (masked ones read j***@example.com)
            assert re.findall(r"[A-Za-z0-9._%+-]{2,}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", text.replace("***@", "")) == [], where


def test_second_run_report_states_the_change_since_the_previous_run(first, second):
    assert second["data"]["previous_run_id"] == first["data"]["run_id"]
    users_before, users_after = _ledger_row(first, "airtable.users"), _ledger_row(second, "airtable.users")
    assert users_after["source_count"] == users_before["source_count"] - REMOVED_USERS
    assert users_after["migrated"] == users_before["migrated"] - REMOVED_USERS

    change = _section(second["html"], "Change since the previous dry-run")
    podium, hello_miami = change.split("<h3>Hello Miami")
    # each application is compared with the previous run that covered it (here both: the first)
    assert {app: v["previous_run_id"] for app, v in second["data"]["apps"].items()} == {
        "podium": first["data"]["run_id"], "hello_miami": first["data"]["run_id"]}
    assert f"Compared with run <code>{first['data']['run_id']}</code>." in podium
    # one table changed: two users fewer at the source, landed, migrated and in podium.users
    assert _table_rows(podium) == [["airtable.users", "-2", "-2", "-2", "·", "·", "-2"]]
    assert "No count changed." not in podium
    assert "No count changed." in hello_miami and _table_rows(hello_miami) == []


def test_reconcile_defect_exits_3_names_the_gate_on_stderr_and_the_page_says_not_ready(database, second):
    data = second["data"]
    assert second["exit"] == 3 and data["passed"] is False
    detail = _ceiling_detail(_ledger_row(second, "airtable.users"), "0.1")
    message = f"{CEILING_RULE}: 1 failing (e.g. {detail})"

    # stderr: one line per failing blocking gate, then the CLI's sentence
    err = second["err"].strip().splitlines()
    gate_lines = [line for line in err if line.startswith("gate failed: ")]
    assert f"gate failed: reconcile: {message}" in gate_lines
    assert err == gate_lines + [f"cutover dry-run: dry-run {data['run_id']}: {len(gate_lines)} blocking gate(s) failed; "
                                f"see {second['report'] / 'report.html'}."]

    # reconciliation.json: the reconcile gate failed with the table as its example; land and transform passed
    failing = [g for g in data["gates"] if g["severity"] == "error" and not g["passed"]]
    assert {"phase": "reconcile", "application": "podium", "name": CEILING_RULE, "failed_count": 1, "failed": [detail]} in [
        {k: g[k] for k in ("phase", "application", "name", "failed_count", "failed")} for g in failing]
    assert [g["name"] for g in failing if g["phase"] != "reconcile"] == []
    assert rows(database, "select passed from migration.runs where run_id = %s", (data["run_id"],)) == [(False,)]

    # report.html: not ready, why (table and rule), and the failing check in the reconcile checks
    verdict = re.search(r'<div class="verdict ko" id="verdict-podium">(.*?)</div>', second["html"], re.S)
    assert verdict is not None
    assert _text(verdict.group(1)).startswith("Podium: not ready to cut over. Why:")
    assert data["apps"]["podium"]["passed"] is False and message in data["apps"]["podium"]["reasons"]
    assert message in [_text(li) for li in re.findall(r"<li>(.*?)</li>", verdict.group(1), re.S)]
    reconcile_checks = second["html"][second["html"].index("<h3>reconcile</h3>"):second["html"].index("<h2>Quarantine by reason</h2>")]
    assert ["FAIL", CEILING_RULE, "podium", "1", detail] in _table_rows(reconcile_checks)


def test_reconcile_defect_of_hello_miami_is_reported_too(second):
    detail = _ceiling_detail(_ledger_row(second, "mongo.profiles"), "0.1")
    message = f"{CEILING_RULE}: 1 failing (e.g. {detail})"
    assert f"gate failed: reconcile: {message}" in second["err"].splitlines()
    failing = [(g["application"], g["name"], g["failed"]) for g in second["data"]["gates"] if g["severity"] == "error" and not g["passed"]]
    assert ("hello_miami", CEILING_RULE, [detail]) in failing
    assert detail in _text(second["html"])
    # its own verdict, with its own reason only
    assert second["data"]["apps"]["hello_miami"]["passed"] is False and message in second["data"]["apps"]["hello_miami"]["reasons"]
    assert all("mongo." not in reason for reason in second["data"]["apps"]["podium"]["reasons"])
    verdict = re.search(r'<div class="verdict ko" id="verdict-hello_miami">(.*?)</div>', second["html"], re.S)
    assert verdict is not None and _text(verdict.group(1)).startswith("Hello Miami: not ready to cut over. Why:")


def test_dry_run_that_errors_exits_1_with_one_sentence(database, sample, tmp_path, capfd):
    from assets.cli import main

    snap = tmp_path / "snap"
    shutil.copytree(sample, snap)
    (snap / "manifest.json").write_text('{"captured_at": "2026-01-15T12:00:00Z", "counts": {')
    report = tmp_path / "report"
    capfd.readouterr()
    assert main(["dry-run", "--snapshot", str(snap), "--report-dir", str(report)]) == 1
    out, err = capfd.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    [sentence] = lines
    assert sentence.startswith("cutover dry-run: ") and sentence.endswith(".")
    assert f"{snap / 'manifest.json'} is not valid JSON" in sentence and "rewrite the snapshot" in sentence
    assert "Traceback" not in out + err
    # the report of the errored run exists and says why it is not ready
    page = (report / "report.html").read_text()
    assert "Podium: not ready to cut over" in page and "manifest.json is not valid JSON" in _text(page)
    assert json.loads((report / "reconciliation.json").read_text())["passed"] is False
