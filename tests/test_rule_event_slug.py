"""SPEC §2.1 contract on Podium event slugs (`[-a-z0-9]+`): a slug outside it is quarantined with
its reason, and everything hanging off that event follows it (issue 15, item 6)."""

from __future__ import annotations

from tests.model_fixtures import airtable, rows, run_transform
from tests.test_rule_podium import owner_event, quarantine, rec


def test_rule_slug_outside_the_contract_is_quarantined(db_url):
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io")])
    airtable(db_url, "events", [
        owner_event("recE1", "recU1", slug="café-día-🎉"),
        owner_event("recE2", "recU1", slug="<b>bold</b>"),
        owner_event("recE3", "recU1", slug="Hack-Night"),
        owner_event("recE4", "recU1", slug="hack night"),
        owner_event("recE5", "recU1", slug="hack-night-2024"),
    ])
    airtable(db_url, "projects", [rec("recP1", 1, name="P", join_code="PJ", owner=["recU1"], event=["recE1"])])
    run_id = run_transform(db_url)
    assert quarantine(db_url, run_id, "events") == [
        ("recE1", "slug not [-a-z0-9]+"), ("recE2", "slug not [-a-z0-9]+"),
        ("recE3", "slug not [-a-z0-9]+"), ("recE4", "slug not [-a-z0-9]+"),
    ]
    assert rows(db_url, "select airtable_id, slug from podium_next.events") == [("recE5", "hack-night-2024")]
    assert quarantine(db_url, run_id, "projects") == [("recP1", "event not migrated")]
    record = rows(db_url, "select record from migration.quarantine where run_id = %s and source_id = 'recE1'", (run_id,))[0][0]
    assert record["fields"]["slug"] == "café-día-🎉"  # the raw record kept whole
