"""Reconcile gate rules of SPEC §4/§5 that an earlier round of one-line mutations showed unpinned
(issue 19): the count identity on a ledger row whose landing is fine but whose outcomes do not add
up (both directions), and the row hash column by column, for every compared column of every table.
Real GX, real PostgreSQL, real transform runs."""

from __future__ import annotations

import pytest

from expectations import runner
from expectations.row_compare import HELLO_MIAMI, NOT_COMPARED, PODIUM, Ref, row_compare_gates
from pipelines.database import connect, engine, sqlalchemy_url
from tests.conftest import _create_database, _drop_database
from tests.gate_helpers import failures, run_phase
from tests.model_fixtures import airtable, luma_events, mongo, oid, rows, run_transform
from tests.test_rule_hello_miami import date, doc
from tests.test_rule_podium import rec

IDENTITY = "source = migrated + merged + quarantined"
ROW_HASH = "migrated values match the source (row hash)"
COMPARED_SPECS = {"podium": PODIUM, "hello_miami": HELLO_MIAMI}
COMPARED = [(app, table, column) for app, spec in COMPARED_SPECS.items()
            for table, (_raw, _source_table, fields, _fixes) in spec.items() for column in fields]


# --- count identity -----------------------------------------------------------------------------

def test_identity_fails_when_outcomes_do_not_add_up_though_landed_equals_source_count(db_url):
    ledger = [  # (table, source_count, landed, migrated, merged, quarantined)
        ("users", 5, 5, 3, 1, 0),  # outcomes short of the source: a record lost
        ("events", 5, 5, 3, 2, 1),  # outcomes beyond the source: a record counted twice
        ("votes", 5, 5, 2, 2, 1),  # balanced
        ("referrals", 5, 4, 3, 1, 1),  # balanced outcomes, but landing lost one
    ]
    with connect(db_url, autocommit=True) as conn:
        conn.cursor().executemany(
            "insert into migration.count_ledger (run_id, source, source_table, source_count, landed, migrated, merged, quarantined)"
            " values ('test-run', 'airtable', %s, %s, %s, %s, %s, %s)", ledger)
    [identity] = [o for o in run_phase(db_url, "reconcile", "test-run", app="podium") if o.gate.rule == IDENTITY]
    assert not identity.passed, f"SPEC §4 count identity: {IDENTITY} must fail on users and events"
    assert identity.failed_count == 3 and sorted(identity.examples) == [
        "airtable.events: source 5, landed 5, but migrated 3 + merged 2 + quarantined 1 = 6",
        "airtable.referrals: source 5, landed 4, but migrated 3 + merged 1 + quarantined 1 = 5",
        "airtable.users: source 5, landed 5, but migrated 3 + merged 1 + quarantined 0 = 4",
    ], f"SPEC §4 count identity: {IDENTITY}, in both directions"


# --- row hash: every compared column is compared ------------------------------------------------

def test_every_candidate_column_is_compared_or_named_as_not_compared():
    from migrations.ddl.spec import spec as target_spec

    for app, spec in COMPARED_SPECS.items():
        for table, (_raw, _source_table, fields, _fixes) in spec.items():
            skipped = NOT_COMPARED[(app, table)]
            for column in (c.name for c in target_spec(app).tables[table].columns):
                assert (column in fields) != (column in skipped), (
                    f"row hash of {app}_next.{table}: column {column} must be either compared (expectations/row_compare.py) "
                    "or listed once in row_compare.NOT_COMPARED with its reason")


def _sources(url: str) -> None:
    """One migrated record per compared table with a value in every compared column, and a second
    record of every table a link points at (so a link can be re-pointed to another real row)."""
    airtable(url, "users", [
        rec("recU1", 1, email="ada@example.com", display_name="Ada L", first_name="Ada", last_name="Lovelace", phone="555",
            street_1="1 Main", street_2="Apt 2", city="London", state="LDN", zip_code="N1", country="UK", dob="1990-02-03"),
        rec("recU2", 2, email="bob@example.com", first_name="Bob"),
    ])
    airtable(url, "events", [
        rec("recE1", 1, name="Hack", slug="hack", description="Build", join_code="HACK", feature_flags_csv="daydream",
            votable=True, leaderboard_enabled=True, demo_links_optional=True, ysws_checks_enabled=True, owner=["recU1"]),
        rec("recE2", 2, name="Other", slug="other", join_code="OTHER", owner=["recU2"]),
    ])
    airtable(url, "projects", [
        rec("recP1", 1, name="Robot", repo="https://git/r", image_url="https://img/r", demo="https://demo/r",
            description="Arm", join_code="ROBOT", cached_auto_quality='{"score": 3}', owner=["recU1"], event=["recE1"]),
        rec("recP2", 2, name="Boat", join_code="BOAT", owner=["recU2"], event=["recE2"]),
    ])
    airtable(url, "votes", [rec("recV1", 1, voter=["recU1"], project=["recP1"], event=["recE1"])])
    airtable(url, "referrals", [rec("recR1", 1, content="a friend", user=["recU1"], event=["recE1"])])
    mongo(url, "profiles", [
        doc(1, lumaEmail="sam@x.io", clerkUserId="user_1", bio="Robots", githubUsername="sam", twitterHandle="@sam",
            websiteUrl="https://sam.dev", role="builder", isAppAdmin=True, createdAt=date("2024-01-01T00:00:00Z")),
        doc(2, lumaEmail="kim@x.io", createdAt=date("2024-01-02T00:00:00Z")),
    ])
    mongo(url, "projects", [doc(10, memberId={"$oid": oid(1)}, title="Robot", description="Arm", githubUrl="https://git/r",
                                publicUrl="https://robot.dev")])
    mongo(url, "badges", [doc(20, name="Builder", criteria="shipped", iconAscii="<*>")])
    mongo(url, "surveys", [doc(30, slug="onboarding", title="Welcome", type="onboarding", questions=[])])
    mongo(url, "luma_webhooks", [doc(40, type="guest.updated", signature="sig", payload={})])
    mongo(url, "events", [doc(60, lumaEventId="evt-1", name="Demo night", url="https://lu.ma/a", timezone="UTC",
                              startAt=date("2024-03-01T23:00:00Z"))])
    luma_events(url, [{"api_id": "evt-1", "name": "Demo night", "url": "https://lu.ma/a", "timezone": "UTC",
                       "start_at": "2024-03-01T23:00:00.000Z"}])
    mongo(url, "demo_slots", [doc(50, memberId={"$oid": oid(1)}, eventId={"$oid": oid(60)}, title="Arm demo",
                                  description="5 minutes", requestedTime="8:30 PM")])


# the record of each table whose row is tampered with (its source id, as the gate reports it)
TAMPERED = {
    ("podium", "users"): "recU1", ("podium", "events"): "recE1", ("podium", "projects"): "recP1",
    ("podium", "votes"): "recV1", ("podium", "referrals"): "recR1",
    ("hello_miami", "profiles"): oid(1), ("hello_miami", "projects"): oid(10), ("hello_miami", "badges"): oid(20),
    ("hello_miami", "surveys"): oid(30), ("hello_miami", "luma_webhooks"): oid(40), ("hello_miami", "demo_slots"): oid(50),
}


@pytest.fixture(scope="module")
def transformed(admin_url, template_db):
    """A database holding `_sources` after one transform run, used as a template: each test clones it."""
    import uuid

    name = f"pins_{uuid.uuid4().hex[:8]}"
    url = _create_database(admin_url, name, template=template_db)
    _sources(url)
    run_id = run_transform(url)
    engine(url).dispose()
    yield name, run_id
    _drop_database(admin_url, name)


@pytest.fixture
def clone(admin_url, transformed):
    import uuid

    template, run_id = transformed
    name = f"t_{uuid.uuid4().hex[:10]}"
    url = _create_database(admin_url, name, template=template)
    yield url, run_id
    engine(url).dispose()
    _drop_database(admin_url, name)


def _row_hash_outcomes(url: str, run_id: str, tables: set[tuple[str, str]]):
    from expectations.phase import existing_tables

    with connect(url, autocommit=True) as conn:
        existing = existing_tables(conn)
    gates = [g for app in COMPARED_SPECS for g in row_compare_gates(app, run_id, existing)
             if (g.application, g.table.split(".", 1)[1]) in tables]
    assert len(gates) == len(tables)
    outcomes, _documents = runner.run_gates(runner.context(sqlalchemy_url(url)), gates)
    return outcomes


def _tamper(url: str, app: str, table: str, column: str) -> None:
    """Change one compared value of the tampered record's candidate row, keeping it valid for the table."""
    expr = COMPARED_SPECS[app][table][2][column]
    [(data_type,)] = rows(url, "select data_type from information_schema.columns where table_schema = %s and table_name = %s"
                               " and column_name = %s", (f"{app}_next", table, column))
    if isinstance(expr, Ref):  # another real row of the linked table
        value, params = ("(select min(l.target_id::text)::uuid from migration.id_lineage as l where l.source = %s"
                         f" and l.source_table = %s and l.target_id <> t.{column})"), [expr.source, expr.table]
    else:
        value, params = {
            "boolean": f"not t.{column}",
            "date": f"t.{column} + 1",
            "jsonb": """'{"tampered": true}'::jsonb""",
        }.get(data_type, f"case when left(t.{column}, 1) = 'x' then 'y' else 'x' end || substr(t.{column}, 2)"), []
    source_id = TAMPERED[(app, table)]
    where = "t.airtable_id = %s" if app == "podium" else f"t.id = migration.stable_id('hello_miami', '{table}', %s)"
    assert rows(url, f"update {app}_next.{table} as t set {column} = {value} where {where} returning 1", [*params, source_id]) == [(1,)]


def test_row_hash_passes_on_the_untampered_rows(clone):
    url, run_id = clone
    outcomes = _row_hash_outcomes(url, run_id, set(TAMPERED))
    assert failures(outcomes) == [] and len(outcomes) == len(TAMPERED)


@pytest.mark.parametrize(("app", "table", "column"), COMPARED, ids=[f"{a}.{t}.{c}" for a, t, c in COMPARED])
def test_row_hash_reports_each_tampered_column(clone, app, table, column):
    url, run_id = clone
    _tamper(url, app, table, column)
    [outcome] = _row_hash_outcomes(url, run_id, {(app, table)})
    source_id = TAMPERED[(app, table)]
    assert not outcome.passed, f"{ROW_HASH}: a changed {app}_next.{table}.{column} must fail the row hash"
    assert (outcome.failed_count, outcome.examples) == (1, [f"{source_id}.{column}: candidate value differs from the source"]), (
        f"{ROW_HASH}: the change is reported as {source_id}.{column}")
