"""SPEC §4 Podium rules, one test each: given these raw Airtable records, these target rows and
these migration rows (SQLMesh-style model tests on real PostgreSQL through real Dagster)."""

from __future__ import annotations

from tests.model_fixtures import airtable, rows, run_transform


def rec(rid, created, **fields):
    return {"id": rid, "createdTime": f"2024-01-{created:02d}T00:00:00.000Z", "fields": fields}


def sid(url, table, key):
    return rows(url, "select migration.stable_id('podium', %s, %s)", (table, key))[0][0]


def quarantine(url, run_id, table):
    return rows(url, "select source_id, reason from migration.quarantine where run_id = %s and source_table = %s order by source_id", (run_id, table))


def merges(url, run_id, table):
    return rows(url, "select source_id, into_source_id, rule from migration.merges where run_id = %s and source_table = %s order by source_id", (run_id, table))


def owner_event(rid, owner, created=1, slug=None, join_code=None, **fields):
    return rec(rid, created, name=f"Event {rid}", slug=slug or rid.lower(), join_code=join_code or rid.upper(), owner=[owner], **fields)


def test_rule_user_duplicate_emails_merge_into_most_complete(db_url):
    airtable(db_url, "users", [
        rec("recU1", 1, email=" Ada@Example.com ", first_name="Ada"),
        rec("recU2", 5, email="ada@example.com", first_name="Ada", last_name="L", phone="555"),
        rec("recU3", 3, email="ADA@example.com", first_name="A", last_name="Lovelace", city="London"),
        rec("recU4", 2, first_name="No email"),
    ])
    airtable(db_url, "events", [owner_event("recE1", "recU1")])
    run_id = run_transform(db_url)
    # U2 and U3 tie on completeness (3 fields); U3 is older, so U3 is the primary
    assert rows(db_url, "select id, airtable_id, email, first_name, last_name, phone, city from podium_next.users") == [
        (sid(db_url, "users", "recU3"), "recU3", "ada@example.com", "A", "Lovelace", "", "London")
    ]
    assert merges(db_url, run_id, "users") == [("recU1", "recU3", "duplicate email"), ("recU2", "recU3", "duplicate email")]
    assert quarantine(db_url, run_id, "users") == [("recU4", "missing email")]
    # links to a merged user follow the primary
    assert rows(db_url, "select owner_id from podium_next.events") == [(sid(db_url, "users", "recU3"),)]
    assert rows(db_url, "select migrated, merged, quarantined, source_count from migration.count_ledger where run_id = %s and source_table = 'users'", (run_id,)) == [(1, 2, 1, 4)]
    assert rows(db_url, "select source_id, target_id from migration.id_lineage where source_table = 'users' order by 1") == [
        ("recU1", sid(db_url, "users", "recU3")), ("recU2", sid(db_url, "users", "recU3")), ("recU3", sid(db_url, "users", "recU3"))
    ]


def test_rule_event_owner_checks_in_order(db_url):
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io"), rec("recU2", 1)])
    airtable(db_url, "events", [
        rec("recE1", 1, slug="a", join_code="A", owner=["recU1"]),  # no name
        rec("recE2", 1, name="B", slug="b", join_code="B"),
        rec("recE3", 1, name="C", slug="c", join_code="C", owner=["recGone"]),
        rec("recE4", 1, name="D", slug="d", join_code="D", owner=["recU2"]),
        rec("recE5", 1, name="E", join_code="E", owner=["recU1"]),
        rec("recE6", 1, name="F", slug="f", owner=["recU1"]),
        rec("recE7", 1, name="G", slug="g", join_code="G", owner=["recU1"], feature_flags_csv="daydream", votable=True),
    ])
    run_id = run_transform(db_url)
    assert quarantine(db_url, run_id, "events") == [
        ("recE1", "missing name"), ("recE2", "missing owner"), ("recE3", "owner not found"),
        ("recE4", "owner not migrated"), ("recE5", "missing slug"), ("recE6", "missing join_code"),
    ]
    assert rows(db_url, "select airtable_id, name, slug, join_code, description, votable, leaderboard_enabled, feature_flags_csv from podium_next.events") == [
        ("recE7", "G", "g", "G", "", True, False, "daydream")
    ]
    record = rows(db_url, "select record from migration.quarantine where run_id = %s and source_id = 'recE3'", (run_id,))[0][0]
    assert record["fields"]["owner"] == ["recGone"]


def test_rule_slug_clash_earliest_keeps(db_url):
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io")])
    airtable(db_url, "events", [
        owner_event("recE2", "recU1", created=2, slug="hack", join_code="J1"),
        owner_event("recE1", "recU1", created=1, slug="hack", join_code="J2"),
        owner_event("recE3", "recU1", created=3, slug="other", join_code="J2"),
        owner_event("recE4", "recU1", created=4, slug="fourth", join_code="J1"),  # J1's holder E2 lost its slug
    ])
    airtable(db_url, "projects", [
        rec("recP1", 1, name="P1", join_code="PJ", owner=["recU1"], event=["recE1"]),
        rec("recP2", 2, name="P2", join_code="PJ", owner=["recU1"], event=["recE1"]),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select airtable_id, slug, join_code from podium_next.events order by 1") == [
        ("recE1", "hack", "J2"), ("recE4", "fourth", "J1")
    ]
    assert quarantine(db_url, run_id, "events") == [("recE2", "duplicate slug"), ("recE3", "duplicate join_code")]
    assert quarantine(db_url, run_id, "projects") == [("recP2", "duplicate join_code")]
    assert rows(db_url, "select airtable_id from podium_next.projects") == [("recP1",)]


def test_rule_vote_duplicates_earliest_wins(db_url):
    airtable(db_url, "users", [rec("recU1", 1, email="v@x.io", first_name="V"), rec("recU2", 2, email="V@x.io"), rec("recU3", 1, email="o@x.io")])
    airtable(db_url, "events", [owner_event("recE1", "recU3")])
    airtable(db_url, "projects", [rec("recP1", 1, name="P", join_code="PJ", owner=["recU3"], event=["recE1"])])
    airtable(db_url, "votes", [
        rec("recV2", 3, voter=["recU2"], project=["recP1"], event=["recE1"]),  # U2 merges into U1
        rec("recV1", 4, voter=["recU1"], project=["recP1"], event=["recE1"]),
        rec("recV3", 1, voter=["recU1"], project=["recPgone"], event=["recE1"]),
        rec("recV4", 1, project=["recP1"], event=["recE1"]),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select id, airtable_id, voter_id, project_id, event_id from podium_next.votes") == [
        (sid(db_url, "votes", "recV2"), "recV2", sid(db_url, "users", "recU1"), sid(db_url, "projects", "recP1"), sid(db_url, "events", "recE1"))
    ]
    assert merges(db_url, run_id, "votes") == [("recV1", "recV2", "duplicate vote")]
    assert quarantine(db_url, run_id, "votes") == [("recV3", "project not found"), ("recV4", "missing voter")]


def test_rule_referral_needs_user_and_event(db_url):
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io")])
    airtable(db_url, "events", [owner_event("recE1", "recU1")])
    airtable(db_url, "referrals", [
        rec("recR1", 1, content="a friend", user=["recU1"], event=["recE1"]),
        rec("recR2", 1, user=["recU1"], event=["recEgone"]),
        rec("recR3", 1, event=["recE1"]),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select airtable_id, content from podium_next.referrals") == [("recR1", "a friend")]
    assert quarantine(db_url, run_id, "referrals") == [("recR2", "event not found"), ("recR3", "missing user")]


def test_rule_dangling_attendee_quarantined_as_link(db_url):
    airtable(db_url, "users", [
        rec("recU1", 1, email="a@x.io", first_name="A", attending_events=["recE1"]),
        rec("recU2", 2, email="A@x.io"),
        rec("recU3", 1),  # quarantined: no email
    ])
    airtable(db_url, "events", [
        owner_event("recE1", "recU1", attendees=["recU1", "recGone", "recU2", "recU3"]),
        rec("recE2", 1, name="No owner", slug="x", join_code="X", attendees=["recU1"]),
    ])
    airtable(db_url, "projects", [rec("recP1", 1, name="P", join_code="PJ", owner=["recU1"], event=["recE1"], collaborators=["recU2", "recNope"])])
    run_id = run_transform(db_url)
    assert rows(db_url, "select event_id, user_id from podium_next.event_attendees") == [
        (sid(db_url, "events", "recE1"), sid(db_url, "users", "recU1"))
    ]
    assert quarantine(db_url, run_id, "events.attendees") == [
        ("recE1:recGone", "attendee not found"), ("recE1:recU3", "attendee not migrated"), ("recE2:recU1", "event not migrated"),
    ]
    assert merges(db_url, run_id, "events.attendees") == [("recE1:recU2", "recE1:recU1", "duplicate link")]
    assert rows(db_url, "select user_id from podium_next.project_collaborators") == [(sid(db_url, "users", "recU1"),)]
    assert quarantine(db_url, run_id, "projects.collaborators") == [("recP1:recNope", "collaborator not found")]
    record = rows(db_url, "select record from migration.quarantine where run_id = %s and source_id = 'recE1:recGone'", (run_id,))[0][0]
    assert record == {"event": "recE1", "attendee": "recGone"}
    ledger = rows(db_url, "select source_count, migrated, merged, quarantined from migration.count_ledger where run_id = %s and source_table = 'events.attendees'", (run_id,))
    assert ledger == [(5, 1, 1, 3)]


def test_rule_reverse_link_disagreement_reported(db_url):
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io", attending_events=["recE1"]), rec("recU2", 1, email="b@x.io")])
    airtable(db_url, "events", [owner_event("recE1", "recU1", attendees=["recU2"])])
    run_id = run_transform(db_url)
    assert rows(db_url, "select kind, key, left_value, right_value from migration.conflicts where run_id = %s order by key", (run_id,)) == [
        ("reverse_link", "recE1:recU1", "absent", "listed"), ("reverse_link", "recE1:recU2", "listed", "absent"),
    ]
    # events.attendees is the truth
    assert rows(db_url, "select user_id from podium_next.event_attendees") == [(sid(db_url, "users", "recU2"),)]


def test_rule_text_too_long_recorded(db_url):
    long_city = "C" * 150
    airtable(db_url, "users", [
        rec("recU1", 1, email="a@x.io", city=long_city, first_name="F" * 60),
        rec("recU2", 1, email="x" * 300 + "@x.io"),
    ])
    airtable(db_url, "events", [owner_event("recE1", "recU1", slug="s" * 51)])
    run_id = run_transform(db_url)
    assert rows(db_url, "select city, first_name, last_name from podium_next.users") == [("C" * 100, "F" * 50, "")]
    assert rows(db_url, "select source_id, field, original_value, stored_value, reason from migration.value_fixes where run_id = %s order by field", (run_id,)) == [
        ("recU1", "city", long_city, "C" * 100, "truncated to 100"),
        ("recU1", "first_name", "F" * 60, "F" * 50, "truncated to 50"),
    ]
    assert quarantine(db_url, run_id, "users") == [("recU2", "email too long")]
    assert quarantine(db_url, run_id, "events") == [("recE1", "slug too long")]


def test_rule_dob_unparseable(db_url):
    airtable(db_url, "users", [
        rec("recU1", 1, email="a@x.io", dob="1990-02-30"),
        rec("recU2", 1, email="b@x.io", dob="1990-02-03"),
        rec("recU3", 1, email="c@x.io", dob="03/02/1990"),
    ])
    run_id = run_transform(db_url)
    assert [(r[0], str(r[1]) if r[1] else None) for r in rows(db_url, "select airtable_id, dob from podium_next.users order by 1")] == [
        ("recU1", None), ("recU2", "1990-02-03"), ("recU3", None)
    ]
    assert rows(db_url, "select source_id, original_value, stored_value, reason from migration.value_fixes where run_id = %s order by 1", (run_id,)) == [
        ("recU1", "1990-02-30", None, "unparseable date"), ("recU3", "03/02/1990", None, "unparseable date")
    ]


def test_rule_invalid_json_null(db_url):
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io")])
    airtable(db_url, "events", [owner_event("recE1", "recU1")])
    airtable(db_url, "projects", [
        rec("recP1", 1, name="Ok", join_code="P1", owner=["recU1"], event=["recE1"], cached_auto_quality='{"score": 3}', hours_spent=5),
        rec("recP2", 2, name="Bad", join_code="P2", owner=["recU1"], event=["recE1"], cached_auto_quality="{score: 3"),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select airtable_id, cached_auto_quality, hours_spent, points, repo from podium_next.projects order by 1") == [
        ("recP1", {"score": 3}, 5, 0, ""), ("recP2", None, 0, 0, "")
    ]
    assert rows(db_url, "select source_id, field, original_value, reason from migration.value_fixes where run_id = %s", (run_id,)) == [
        ("recP2", "cached_auto_quality", "{score: 3", "invalid JSON")
    ]


def test_rule_project_checks_in_order(db_url):
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io")])
    airtable(db_url, "events", [owner_event("recE1", "recU1"), rec("recE2", 1, name="no owner", slug="z", join_code="Z")])
    airtable(db_url, "projects", [
        rec("recP1", 1, name="A", join_code="A", owner=["recU1"]),
        rec("recP2", 1, name="B", join_code="B", owner=["recU1"], event=["recE2"]),
        rec("recP3", 1, name="C", owner=["recU1"], event=["recE1"]),
        rec("recP4", 1, name="D", join_code="D", event=["recE1"]),
    ])
    run_id = run_transform(db_url)
    assert quarantine(db_url, run_id, "projects") == [
        ("recP1", "missing event"), ("recP2", "event not migrated"), ("recP3", "missing join_code"), ("recP4", "missing owner")
    ]
