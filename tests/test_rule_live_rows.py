"""SPEC §4 "Rows already live", one test per rule: rows written into the live `hello_miami` tables
(as the application writes them) and MongoDB / Luma records in, the dry-run's live landing and
transform run for real, exact candidate rows and migration rows out."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from pipelines import live, targets
from pipelines.database import connect
from tests.gate_helpers import run_phase
from tests.model_fixtures import luma_events, mongo, oid, rows, run_transform
from tests.test_rule_hello_miami import date, doc

U1, U2, U3, U4, U5 = (f"00000000-0000-4000-8000-00000000000{n}" for n in range(1, 6))
V1 = "00000000-0000-4000-8000-0000000000e1"


def live_profile(url, id_, email, **fields):
    columns = {"id": id_, "luma_email": email, **fields}
    names = ", ".join(columns)
    rows(url, f"insert into hello_miami.profiles ({names}) values ({', '.join(['%s'] * len(columns))}) returning 1",
         [json.dumps(v) if isinstance(v, (dict, list)) else v for v in columns.values()])


def live_conflicts(url, run_id, table):
    return rows(url, "select key, field, left_value, right_value from migration.conflicts"
                     " where run_id = %s and kind = 'live_source' and source_table = %s order by key, field", (run_id, table))


def hop(url, run_id, app="hello_miami"):
    with connect(url) as conn:
        return {h["table"]: (h["live_before"], h["kept"], h["merged"]) for h in live.hop(conn, targets.target(app), run_id)}


def reconcile_failures(url, run_id, app="hello_miami"):
    """The blocking reconcile gates that fail (the live hop, and a live-only row is its own source)."""
    return [o.message for o in run_phase(url, "reconcile", run_id, app=app) if not o.passed and o.gate.severity == "error"]


def podium_user_and_event(url, user, event, backfilled, display_name, name, slug, join_code, votable):
    """A live Podium user (a@x.io) and an event it owns: `backfilled` rows carry the Airtable ids
    recU1 / recE1 (Podium's backfill wrote them), others none (written in the application)."""
    rows(url, "insert into podium.users (id, airtable_id, email, display_name, first_name, last_name, phone, street_1, street_2,"
              " city, state, zip_code, country) values (%s, %s, 'a@x.io', %s, '', '', '', '', '', '', '', '', '') returning 1",
         (user, "recU1" if backfilled else None, display_name))
    rows(url, "insert into podium.events (id, airtable_id, name, slug, description, join_code, votable, leaderboard_enabled,"
              " demo_links_optional, ysws_checks_enabled, feature_flags_csv, owner_id) values"
              " (%s, %s, %s, %s, '', %s, %s, false, false, false, '', %s) returning 1",
         (event, "recE1" if backfilled else None, name, slug, join_code, votable, user))


def test_live_only_profile_kept_and_an_email_match_keeps_the_live_id_and_fields_and_references_follow(db_url):
    live_profile(db_url, U1, "Sam@X.io", clerk_user_id="user_live", verification_status="verified", bio="live bio",
                 linkedin_url="https://li/sam", created_at=datetime(2025, 6, 1))
    live_profile(db_url, U2, "only@live.io", bio="mine")
    mongo(db_url, "profiles", [doc(1, lumaEmail=" sam@x.io", clerkUserId="user_mongo", bio="mongo bio", githubUsername="sam",
                                   twitterHandle="samx", createdAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "projects", [doc(10, memberId={"$oid": oid(1)}, title="T")])
    mongo(db_url, "badges", [doc(5, name="B", iconAscii="*", criteria="c")])
    mongo(db_url, "member_badges", [doc(20, memberId={"$oid": oid(1)}, badgeId={"$oid": oid(5)}, awardedAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "events", [doc(6, lumaEventId="evt-1", name="E", url="u", timezone="UTC", startAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "attendance", [doc(30, memberId={"$oid": oid(1)}, lumaEventId="evt-1", status="registered")])
    mongo(db_url, "surveys", [doc(40, slug="s", title="S", type="annual", questions=[])])
    mongo(db_url, "survey_responses", [doc(41, surveyId={"$oid": oid(40)}, memberId={"$oid": oid(1)}, isComplete=True, responses={})])
    run_id = run_transform(db_url)

    assert rows(db_url, "select id::text, luma_email, clerk_user_id, verification_status, bio, github_username, twitter_handle,"
                        " linkedin_url, created_at from hello_miami_next.profiles order by id") == [
        # the live row's id and every value it holds; the fields it lacked from MongoDB
        (U1, "Sam@X.io", "user_live", "verified", "live bio", "sam", "samx", "https://li/sam", datetime(2025, 6, 1)),
        # live only: kept with its id and values
        (U2, "only@live.io", None, "pending", "mine", None, None, None, rows(db_url, f"select created_at from hello_miami.profiles where id = '{U2}'")[0][0]),
    ]
    for table in ("projects", "member_badges", "attendance", "survey_responses"):
        assert rows(db_url, f"select distinct member_id::text from hello_miami_next.{table}") == [(U1,)], table
    assert rows(db_url, "select target_id::text from migration.id_lineage where run_id = %s and source_table = 'profiles'", (run_id,)) == [(U1,)]
    assert live_conflicts(db_url, run_id, "profiles") == [
        (U1, "bio", "live bio", "mongo bio"),
        (U1, "clerk_user_id", "user_live", "user_mongo"),
        (U1, "luma_email", "Sam@X.io", "sam@x.io"),
        (U1, "verification_status", "verified", "pending"),
    ]
    assert hop(db_url, run_id)["profiles"] == (2, 2, 0)
    assert reconcile_failures(db_url, run_id) == []


def test_clerk_id_match_and_a_live_row_never_merged_into_another(db_url):
    live_profile(db_url, U3, "new@x.io", clerk_user_id="user_7")
    live_profile(db_url, U4, "both@x.io")
    live_profile(db_url, U5, "other@x.io", clerk_user_id="user_9")
    mongo(db_url, "profiles", [
        doc(2, lumaEmail="old@x.io", clerkUserId="user_7", bio="b", createdAt=date("2024-01-01T00:00:00Z")),
        # email matches U4, clerk id matches U5: email first; U5 stays its own row with its clerk id
        doc(3, lumaEmail="both@x.io", clerkUserId="user_9", role="dev", createdAt=date("2024-01-02T00:00:00Z")),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select id::text, luma_email, clerk_user_id, bio, role from hello_miami_next.profiles order by id") == [
        (U3, "new@x.io", "user_7", "b", None),
        (U4, "both@x.io", None, None, "dev"),
        (U5, "other@x.io", "user_9", None, None),
    ]
    assert rows(db_url, "select source_id, field, original_value, reason from migration.value_fixes"
                        " where run_id = %s and source_table = 'profiles'", (run_id,)) == [(oid(3), "clerkUserId", "user_9", "duplicate clerkUserId")]
    assert live_conflicts(db_url, run_id, "profiles") == [(U3, "luma_email", "new@x.io", "old@x.io")]
    assert hop(db_url, run_id)["profiles"] == (3, 3, 0)


def test_a_live_event_luma_and_mongodb_also_have_keeps_its_id_and_values_and_demo_slots_follow(db_url):
    rows(db_url, "insert into hello_miami.events (id, luma_event_id, name, url, start_at, timezone, stats) values"
                 " (%s, 'evt-1', 'Live name', 'https://lu.ma/live', '2024-03-01 23:00', 'America/New_York', '{\"registered\": 1, \"checkedIn\": 0}')"
                 " returning 1", (V1,))
    luma_events(db_url, [{"api_id": "evt-1", "name": "Luma name", "description": "Luma words", "url": "https://lu.ma/a",
                          "timezone": "America/New_York", "start_at": "2024-03-01T23:00:00Z"}])
    mongo(db_url, "profiles", [doc(1, lumaEmail="m@x.io")])
    mongo(db_url, "events", [doc(2, lumaEventId="evt-1", name="Mongo name", url="https://lu.ma/m", timezone="America/New_York",
                                 startAt=date("2024-03-01T23:00:00Z"))])
    mongo(db_url, "demo_slots", [doc(10, memberId={"$oid": oid(1)}, eventId={"$oid": oid(2)}, title="Demo")])
    run_id = run_transform(db_url)
    assert rows(db_url, "select id::text, luma_event_id, name, description, url, stats from hello_miami_next.events") == [
        (V1, "evt-1", "Live name", "Luma words", "https://lu.ma/live", {"registered": 1, "checkedIn": 0}),
    ]
    assert rows(db_url, "select event_id::text from hello_miami_next.demo_slots") == [(V1,)]
    assert rows(db_url, "select distinct target_id::text from migration.id_lineage where run_id = %s and source_table = 'events'", (run_id,)) == [(V1,)]
    assert live_conflicts(db_url, run_id, "events") == [
        (V1, "name", "Live name", "Luma name"),
        (V1, "stats", '{"checkedIn": 0, "registered": 1}', '{"checkedIn": 0, "registered": 0}'),
        (V1, "url", "https://lu.ma/live", "https://lu.ma/a"),
    ]
    assert hop(db_url, run_id)["events"] == (1, 1, 0)
    assert reconcile_failures(db_url, run_id) == []


def test_the_field_rule_is_configuration_source_wins_when_the_setting_says_so(db_url, monkeypatch):
    monkeypatch.setenv("CUTOVER_LIVE_WINS", "")  # no table's live rows win: the source wins every field it holds
    live_profile(db_url, U1, "sam@x.io", bio="live bio", linkedin_url="https://li/sam")
    mongo(db_url, "profiles", [doc(1, lumaEmail="sam@x.io", bio="mongo bio")])
    run_id = run_transform(db_url)
    assert rows(db_url, "select id::text, bio, linkedin_url from hello_miami_next.profiles") == [(U1, "mongo bio", "https://li/sam")]
    assert live_conflicts(db_url, run_id, "profiles") == [(U1, "bio", "live bio", "mongo bio")]


def test_the_field_rule_setting_names_what_to_fix():
    from pipelines import registry

    assert registry.live_wins({}) == ("hello_miami.profiles", "hello_miami.events")
    assert registry.live_wins({"CUTOVER_LIVE_WINS": "hello_miami.events, podium.users"}) == ("hello_miami.events", "podium.users")
    try:
        registry.live_wins({"CUTOVER_LIVE_WINS": "hello_miami.profile"})
    except ValueError as exc:
        assert str(exc) == ("CUTOVER_LIVE_WINS names hello_miami.profile, which is not <application>.<table> of an"
                            " application's table: fix the setting.")
    else:
        raise AssertionError("an unknown table in CUTOVER_LIVE_WINS was accepted")


def test_badges_surveys_and_pending_users_match_by_natural_key_and_the_source_wins(db_url):
    B1, B2, S1, P1 = (f"00000000-0000-4000-8000-0000000000{n}" for n in ("b1", "b2", "c1", "d1"))
    rows(db_url, "insert into hello_miami.badges (id, name, icon_ascii, criteria) values"
                 " (%s, 'Builder', '[live]', 'c'), (%s, 'App only', '!', 'made in the app') returning 1", (B1, B2))
    rows(db_url, "insert into hello_miami.surveys (id, slug, title, description, type, questions) values"
                 " (%s, 'annual', 'Live title', '', 'annual', '[]') returning 1", (S1,))
    rows(db_url, "insert into hello_miami.pending_users (id, email, name, luma_attendee_id) values"
                 " (%s, 'P@x.io', 'Live name', 'usr-1') returning 1", (P1,))
    mongo(db_url, "profiles", [doc(1, lumaEmail="m@x.io")])
    mongo(db_url, "badges", [doc(5, name="Builder", iconAscii="*", criteria="c")])
    mongo(db_url, "member_badges", [doc(20, memberId={"$oid": oid(1)}, badgeId={"$oid": oid(5)}, awardedAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "surveys", [doc(40, slug="annual", title="Mongo title", type="annual", questions=[])])
    mongo(db_url, "survey_responses", [doc(41, surveyId={"$oid": oid(40)}, memberId={"$oid": oid(1)}, isComplete=True, responses={})])
    mongo(db_url, "pending_users", [doc(50, email="p@x.io", name="Mongo name", lumaAttendeeId="usr-1")])
    run_id = run_transform(db_url)

    assert rows(db_url, "select id::text, name, icon_ascii, criteria from hello_miami_next.badges order by id") == [
        (B1, "Builder", "*", "c"), (B2, "App only", "!", "made in the app")]
    assert rows(db_url, "select badge_id::text from hello_miami_next.member_badges") == [(B1,)]
    assert rows(db_url, "select id::text, title from hello_miami_next.surveys") == [(S1, "Mongo title")]
    assert rows(db_url, "select survey_id::text from hello_miami_next.survey_responses") == [(S1,)]
    assert rows(db_url, "select id::text, email, name from hello_miami_next.pending_users") == [(P1, "p@x.io", "Mongo name")]
    assert [(t, k, f) for t, k, f in rows(db_url, "select source_table, key, field from migration.conflicts where run_id = %s"
                                                  " and kind = 'live_source' order by 1, 3", (run_id,))] == [
        ("badges", B1, "icon_ascii"), ("pending_users", P1, "email"), ("pending_users", P1, "name"),
        ("pending_users", P1, "subscribed_at"),  # the live default now() vs the source's date
        ("surveys", S1, "title")]
    assert reconcile_failures(db_url, run_id) == []


def test_podium_reuses_the_ids_of_a_backfill_already_live(db_url):
    """Podium's own backfill reused rows already present: a re-run over a target that holds part of
    it takes each live row's id (users by email, events by airtable_id then join_code), and the
    references (an event's owner) follow."""
    from tests.model_fixtures import airtable
    from tests.test_rule_podium import owner_event, rec

    X, Y, Z = (f"00000000-0000-4000-8000-0000000000{n}" for n in ("f1", "f2", "f3"))
    rows(db_url, "insert into podium.users (id, email, display_name, first_name, last_name, phone, street_1, street_2,"
                 " city, state, zip_code, country) values (%s, 'A@x.io ', '', '', '', '', '', '', '', '', '', '') returning 1", (X,))
    rows(db_url, "insert into podium.events (id, airtable_id, name, slug, description, join_code, votable, leaderboard_enabled,"
                 " demo_links_optional, ysws_checks_enabled, feature_flags_csv, owner_id) values"
                 " (%s, 'recE1', 'Live 1', 'live-1', '', 'LIVE1', false, false, false, false, '', %s),"
                 " (%s, null, 'Live 2', 'live-2', '', 'JC2', false, false, false, false, '', %s) returning 1", (Y, X, Z, X))
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io")])
    airtable(db_url, "events", [owner_event("recE1", "recU1", join_code="LIVE1"), owner_event("recE2", "recU1", join_code="JC2")])
    run_id = run_transform(db_url)
    assert rows(db_url, "select id::text from podium_next.users") == [(X,)]
    assert rows(db_url, "select id::text, owner_id::text from podium_next.events order by id") == [(Y, X), (Z, X)]
    with connect(db_url) as conn:
        assert {h["table"]: (h["live_before"], h["kept"]) for h in live.hop(conn, targets.target("podium"), run_id)} == {
            "events": (2, 2), "users": (1, 1)}


def test_live_only_rows_of_every_other_hello_miami_table_are_kept_and_a_live_attendance_the_source_has_is_one_row(db_url):
    """After `--tables projects` (and so on) the application writes these tables itself: a live-only
    row is carried unchanged with its id, pointing at live profiles/events; a live row the source
    also produces (same id, or the same unique (member, event) / (survey, member) / (member, badge))
    is that row, the source winning each field, every difference a live_source conflict."""
    E1, J1, J2, A1, A2, M1, R1, D1, W1, S1 = (f"00000000-0000-4000-8000-0000000001{n:02d}" for n in range(10))
    live_profile(db_url, U1, "sam@x.io")
    live_profile(db_url, U2, "only@live.io")
    rows(db_url, "insert into hello_miami.events (id, luma_event_id, name, url, start_at, timezone) values"
                 " (%s, 'evt-1', 'E', 'u', '2024-03-01', 'UTC') returning 1", (E1,))
    rows(db_url, "insert into hello_miami.badges (id, name, icon_ascii, criteria) values (%s, 'Live badge', '!', '') returning 1", (M1,))
    rows(db_url, "insert into hello_miami.surveys (id, slug, title, description, type, questions) values"
                 " (%s, 'annual', 'S', '', 'annual', '[]') returning 1", (S1,))
    rows(db_url, "insert into hello_miami.projects (id, member_id, title, created_at, updated_at) values"
                 " (%s, %s, 'Written in the app', '2025-02-01', '2025-02-01') returning 1", (J1, U2))
    rows(db_url, "insert into hello_miami.attendance (id, member_id, luma_event_id, status, created_at) values"
                 " (%s, %s, 'evt-1', 'checked-in', '2025-02-01'), (%s, %s, 'evt-1', 'checked-in', '2025-02-02') returning 1",
         (A1, U2, A2, U1))
    rows(db_url, "insert into hello_miami.member_badges (member_id, badge_id, awarded_at) values"
                 " (%s, %s, '2025-02-03') returning 1", (U2, M1))
    rows(db_url, "insert into hello_miami.survey_responses (id, survey_id, member_id, responses, is_complete) values"
                 " (%s, %s, %s, '{\"q\": \"live\"}', true) returning 1", (R1, S1, U2))
    rows(db_url, "insert into hello_miami.demo_slots (id, member_id, event_id, title) values (%s, %s, %s, 'Live demo') returning 1",
         (D1, U2, E1))
    rows(db_url, "insert into hello_miami.luma_webhooks (id, type, payload, received_at) values"
                 " (%s, 'guest.updated', '{}', '2025-02-04') returning 1", (W1,))
    # MongoDB: the member U1 matched by email, with attendance for the same event the live table has
    mongo(db_url, "profiles", [doc(1, lumaEmail="sam@x.io")])
    mongo(db_url, "attendance", [doc(30, memberId={"$oid": oid(1)}, lumaEventId="evt-1", status="registered",
                                     createdAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "projects", [doc(10, memberId={"$oid": oid(1)}, title="From MongoDB", createdAt=date("2024-01-01T00:00:00Z"))])
    run_id = run_transform(db_url)

    J2 = rows(db_url, "select target_id::text from intermediate.int_hello_miami__projects")[0][0]
    assert rows(db_url, "select id::text, member_id::text, title from hello_miami_next.projects order by title") == [
        (J2, U1, "From MongoDB"), (J1, U2, "Written in the app")]
    assert rows(db_url, "select id::text, member_id::text, luma_event_id, status, created_at from hello_miami_next.attendance order by id") == [
        # live only, kept as the application wrote it
        (A1, U2, "evt-1", "checked-in", datetime(2025, 2, 1)),
        # MongoDB's attendance of the same (member, event): one row, the live id, the source's values
        (A2, U1, "evt-1", "registered", datetime(2024, 1, 1)),
    ]
    assert rows(db_url, "select member_id::text, badge_id::text, awarded_at from hello_miami_next.member_badges") == [
        (U2, M1, datetime(2025, 2, 3))]
    assert rows(db_url, "select id::text, survey_id::text, member_id::text, responses from hello_miami_next.survey_responses") == [
        (R1, S1, U2, {"q": "live"})]
    assert rows(db_url, "select id::text, member_id::text, event_id::text, title from hello_miami_next.demo_slots") == [
        (D1, U2, E1, "Live demo")]
    assert rows(db_url, "select id::text, type from hello_miami_next.luma_webhooks") == [(W1, "guest.updated")]
    assert live_conflicts(db_url, run_id, "attendance") == [(A2, "status", "checked-in", "registered")]
    assert {t: h for t, h in hop(db_url, run_id).items() if t not in ("profiles", "events", "badges", "surveys")} == {
        "projects": (1, 1, 0), "attendance": (2, 2, 0), "member_badges": (1, 1, 0), "survey_responses": (1, 1, 0),
        "demo_slots": (1, 1, 0), "luma_webhooks": (1, 1, 0)}
    assert reconcile_failures(db_url, run_id) == []


def test_a_live_row_whose_parent_is_absent_stays_refused_named(db_url):
    """A live project pointing at a profile no candidate holds cannot be carried: the candidate
    tables' foreign key refuses the candidate step (nothing written), naming the constraint and the
    missing key. (The live foreign key keeps the parent live, and live parents are kept; written
    here past it, as a table without that constraint would hold it.)"""
    J1, P = "00000000-0000-4000-8000-000000000201", "00000000-0000-4000-8000-0000000002ff"
    with connect(db_url, autocommit=True) as conn:
        conn.execute("set session_replication_role = replica")
        conn.execute("insert into hello_miami.projects (id, member_id, title) values (%s, %s, 'Orphan')", (J1, P))
    with pytest.raises(Exception, match=f"projects_member_id_profiles_id_fk(.|\\n)*{P}"):
        run_transform(db_url)
    assert rows(db_url, "select count(*) from hello_miami_next.projects") == [(0,)]


def test_podium_live_rows_are_carried_matched_events_by_slug_and_the_source_wins_recorded_as_conflicts(db_url):
    """Podium (source wins every table): a live user matched by email and a live event matched by
    its slug keep their ids and take Airtable's values, each difference a live_source conflict; a
    project and a vote cast in the application (no airtable_id) are carried with their ids."""
    from tests.model_fixtures import airtable
    from tests.test_rule_podium import owner_event, rec

    X, Y, P, V = (f"00000000-0000-4000-8000-0000000003{n}" for n in ("01", "02", "03", "04"))
    podium_user_and_event(db_url, X, Y, False, "Live Ada", "Live name", "hack-night", "LIVEJC", True)
    rows(db_url, "insert into podium.projects (id, name, repo, image_url, demo, description, join_code, hours_spent, points,"
                 " owner_id, event_id) values (%s, 'App project', 'r', '', '', '', 'APP1', 2, 0, %s, %s) returning 1", (P, X, Y))
    rows(db_url, "insert into podium.votes (id, voter_id, project_id, event_id) values (%s, %s, %s, %s) returning 1", (V, X, P, Y))
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io", display_name="Ada")])
    airtable(db_url, "events", [owner_event("recE1", "recU1", slug="hack-night", join_code="JC1")])
    run_id = run_transform(db_url)

    assert rows(db_url, "select id::text, airtable_id, email, display_name from podium_next.users") == [(X, "recU1", "a@x.io", "Ada")]
    assert rows(db_url, "select id::text, airtable_id, name, slug, join_code, votable, owner_id::text from podium_next.events") == [
        (Y, "recE1", "Event recE1", "hack-night", "JC1", False, X)]  # an unticked Airtable checkbox is false
    assert rows(db_url, "select id::text, airtable_id, name, join_code, owner_id::text, event_id::text from podium_next.projects") == [
        (P, None, "App project", "APP1", X, Y)]
    assert rows(db_url, "select id::text, airtable_id, voter_id::text, project_id::text, event_id::text from podium_next.votes") == [
        (V, None, X, P, Y)]
    assert live_conflicts(db_url, run_id, "users") == [(X, "display_name", "Live Ada", "Ada")]
    assert live_conflicts(db_url, run_id, "events") == [
        (Y, "join_code", "LIVEJC", "JC1"), (Y, "name", "Live name", "Event recE1"), (Y, "votable", "true", "false")]
    assert hop(db_url, run_id, "podium") == {"events": (1, 1, 0), "projects": (1, 1, 0), "users": (1, 1, 0), "votes": (1, 1, 0)}
    assert reconcile_failures(db_url, run_id, "podium") == []


@pytest.mark.slow  # two transforms, ~7 s
def test_a_second_dry_run_after_the_tables_moved_keeps_every_row_once_with_no_conflict(db_url):
    """The plan's next step: once the candidates are live (as `cutover apply` leaves them), a
    second dry-run over the same sources matches each live row to its source record (same id, or
    the same unique key), so every table holds the same rows, no value differs, and no gate refuses."""
    mongo(db_url, "profiles", [doc(1, lumaEmail="m@x.io")])
    mongo(db_url, "projects", [doc(10, memberId={"$oid": oid(1)}, title="T", tags=["a"], imageUrls=["u"])])
    mongo(db_url, "badges", [doc(5, name="B", iconAscii="*", criteria="c")])
    mongo(db_url, "member_badges", [doc(20, memberId={"$oid": oid(1)}, badgeId={"$oid": oid(5)}, awardedAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "events", [doc(6, lumaEventId="evt-1", name="E", url="u", timezone="UTC", startAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "attendance", [doc(30, memberId={"$oid": oid(1)}, lumaEventId="evt-1", status="checked-in",
                                     checkedInAt=date("2024-01-01T10:00:00Z"))])
    mongo(db_url, "surveys", [doc(40, slug="s", title="S", type="annual", questions=[])])
    mongo(db_url, "survey_responses", [doc(41, surveyId={"$oid": oid(40)}, memberId={"$oid": oid(1)}, isComplete=True,
                                           responses={"q": 1}, submittedAt=date("2024-01-02T00:00:00Z"))])
    mongo(db_url, "demo_slots", [doc(50, memberId={"$oid": oid(1)}, eventId={"$oid": oid(6)}, title="Demo",
                                     requestedTime=date("2024-01-03T00:00:00Z"), durationMinutes=5)])
    mongo(db_url, "luma_webhooks", [doc(60, type="event.updated", payload={"a": 1}, receivedAt=date("2024-01-04T00:00:00Z"))])
    run_transform(db_url)
    tables = ("profiles", "events", "badges", "surveys", "pending_users", "projects", "member_badges", "attendance",
              "survey_responses", "demo_slots", "luma_webhooks")
    first = {t: rows(db_url, f"select * from hello_miami_next.{t} order by 1, 2") for t in tables}
    for t in tables:
        rows(db_url, f"insert into hello_miami.{t} select * from hello_miami_next.{t} returning 1")
    run_id = run_transform(db_url)
    assert {t: rows(db_url, f"select * from hello_miami_next.{t} order by 1, 2") for t in tables} == first
    assert rows(db_url, "select source_table, field from migration.conflicts where run_id = %s and kind = 'live_source'", (run_id,)) == []
    assert {t: h for t, h in hop(db_url, run_id).items()} == {t: (1, 1, 0) for t in tables if first[t]}
    assert reconcile_failures(db_url, run_id) == []


def test_podium_a_vote_and_an_attendee_the_application_wrote_are_one_row_with_the_airtable_record_of_the_same_pair(db_url):
    """A vote cast in the application (no airtable_id) for the (voter, project) Airtable also holds,
    and an attendee row for the (event, user) Airtable lists: each is one row with the live id (the
    table's unique pair), the source filling airtable_id."""
    from tests.model_fixtures import airtable
    from tests.test_rule_podium import owner_event, rec

    X, Y, P, V, A = (f"00000000-0000-4000-8000-0000000004{n}" for n in ("01", "02", "03", "04", "05"))
    podium_user_and_event(db_url, X, Y, True, "", "Event recE1", "rece1", "RECE1", False)
    rows(db_url, "insert into podium.projects (id, airtable_id, name, repo, image_url, demo, description, join_code, hours_spent,"
                 " points, owner_id, event_id) values (%s, 'recP1', 'P', '', '', '', '', 'PJ', 0, 0, %s, %s) returning 1", (P, X, Y))
    rows(db_url, "insert into podium.votes (id, voter_id, project_id, event_id) values (%s, %s, %s, %s) returning 1", (V, X, P, Y))
    rows(db_url, "insert into podium.event_attendees (id, event_id, user_id) values (%s, %s, %s) returning 1", (A, Y, X))
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io")])
    airtable(db_url, "events", [owner_event("recE1", "recU1", attendees=["recU1"])])
    airtable(db_url, "projects", [rec("recP1", 1, name="P", join_code="PJ", owner=["recU1"], event=["recE1"])])
    airtable(db_url, "votes", [rec("recV1", 2, voter=["recU1"], project=["recP1"], event=["recE1"])])
    run_id = run_transform(db_url)

    assert rows(db_url, "select id::text, airtable_id, voter_id::text, project_id::text from podium_next.votes") == [(V, "recV1", X, P)]
    assert rows(db_url, "select id::text, event_id::text, user_id::text from podium_next.event_attendees") == [(A, Y, X)]
    assert hop(db_url, run_id, "podium") == {t: (1, 1, 0) for t in ("event_attendees", "events", "projects", "users", "votes")}
    assert reconcile_failures(db_url, run_id, "podium") == []


def test_podium_a_collaborator_the_application_added_is_one_row_with_the_airtable_link_of_the_same_pair(db_url):
    """A collaborator row written in the application for the (project, user) pair Airtable's
    projects.collaborators also links keeps its live id; a pair only Airtable links is a new row."""
    from tests.model_fixtures import airtable
    from tests.test_rule_podium import owner_event, rec

    X, Y, P, X2, C = (f"00000000-0000-4000-8000-0000000005{n}" for n in ("01", "02", "03", "04", "05"))
    podium_user_and_event(db_url, X, Y, True, "", "Event recE1", "rece1", "RECE1", False)
    rows(db_url, "insert into podium.users (id, email, display_name, first_name, last_name, phone, street_1, street_2,"
                 " city, state, zip_code, country) values (%s, 'b@x.io', '', '', '', '', '', '', '', '', '', '') returning 1", (X2,))
    rows(db_url, "insert into podium.projects (id, airtable_id, name, repo, image_url, demo, description, join_code, hours_spent,"
                 " points, owner_id, event_id) values (%s, 'recP1', 'P', '', '', '', '', 'PJ', 0, 0, %s, %s) returning 1", (P, X, Y))
    rows(db_url, "insert into podium.project_collaborators (id, project_id, user_id) values (%s, %s, %s) returning 1", (C, P, X2))
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io"), rec("recU2", 2, email="b@x.io")])
    airtable(db_url, "events", [owner_event("recE1", "recU1")])
    airtable(db_url, "projects", [rec("recP1", 1, name="P", join_code="PJ", owner=["recU1"], event=["recE1"],
                                      collaborators=["recU2", "recU1"])])
    run_id = run_transform(db_url)

    new_pair = rows(db_url, "select migration.stable_id('podium', 'project_collaborators', 'recP1:recU1')::text")[0][0]
    assert sorted(rows(db_url, "select id::text, project_id::text, user_id::text from podium_next.project_collaborators")) == sorted(
        [(C, P, X2), (new_pair, P, X)])
    assert hop(db_url, run_id, "podium")["project_collaborators"] == (1, 1, 0)
    assert hop(db_url, run_id, "podium")["users"] == (2, 2, 0)
    assert reconcile_failures(db_url, run_id, "podium") == []
