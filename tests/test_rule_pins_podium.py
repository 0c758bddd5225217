"""Podium's width rule of SPEC §4 at its boundary (issue 19): a value exactly as long as its column
is stored as it is, one character longer is cut and recorded (or, for a key, quarantined)."""

from __future__ import annotations

from tests.model_fixtures import airtable, rows, run_transform
from tests.test_rule_podium import quarantine, rec

TOO_LONG = "SPEC §4: a text longer than its column is cut and recorded, or quarantined; one that fits is kept"
USER_WIDTHS = {"display_name": 255, "first_name": 50, "last_name": 50, "phone": 20, "street_1": 255, "street_2": 255,
               "city": 100, "state": 100, "zip_code": 20, "country": 100}


def email(length: int) -> str:
    return "u" * (length - len("@x.io")) + "@x.io"


def test_values_at_their_width_are_kept_and_one_more_character_is_cut_or_quarantined(db_url):
    airtable(db_url, "users", [
        rec("recU1", 1, email=email(255), **{f: "a" * w for f, w in USER_WIDTHS.items()}),
        rec("recU2", 1, email="b@x.io", **{f: "b" * (w + 1) for f, w in USER_WIDTHS.items()}),
        rec("recU3", 1, email=email(256)),
    ])
    airtable(db_url, "events", [
        rec("recE1", 1, name="n" * 255, slug="s" * 50, join_code="j" * 20, feature_flags_csv="f" * 500, owner=["recU1"]),
        rec("recE2", 1, name="m" * 256, slug="e2", join_code="E2", feature_flags_csv="g" * 501, owner=["recU1"]),
        rec("recE3", 1, name="E3", slug="t" * 51, join_code="E3", owner=["recU1"]),
        rec("recE4", 1, name="E4", slug="e4", join_code="k" * 21, owner=["recU1"]),
    ])
    airtable(db_url, "projects", [
        rec("recP1", 1, name="p" * 255, join_code="q" * 20, owner=["recU1"], event=["recE1"]),
        rec("recP2", 1, name="r" * 256, join_code="P2", owner=["recU1"], event=["recE1"]),
        rec("recP3", 1, name="P3", join_code="w" * 21, owner=["recU1"], event=["recE1"]),
    ])
    run_id = run_transform(db_url)
    fixes = rows(db_url, "select source_table, source_id, field, original_value, stored_value, reason from migration.value_fixes"
                         " where run_id = %s order by 1, 2, 3", (run_id,))
    assert fixes == sorted(
        [("users", "recU2", f, "b" * (w + 1), "b" * w, f"truncated to {w}") for f, w in USER_WIDTHS.items()]
        + [("events", "recE2", "name", "m" * 256, "m" * 255, "truncated to 255"),
           ("events", "recE2", "feature_flags_csv", "g" * 501, "g" * 500, "truncated to 500"),
           ("projects", "recP2", "name", "r" * 256, "r" * 255, "truncated to 255")]
    ), TOO_LONG
    user_columns = ", ".join(USER_WIDTHS)
    assert rows(db_url, f"select airtable_id, email, {user_columns} from podium_next.users order by 1") == [
        ("recU1", email(255), *("a" * w for w in USER_WIDTHS.values())),
        ("recU2", "b@x.io", *("b" * w for w in USER_WIDTHS.values())),
    ], TOO_LONG
    assert rows(db_url, "select airtable_id, name, slug, join_code, feature_flags_csv from podium_next.events order by 1") == [
        ("recE1", "n" * 255, "s" * 50, "j" * 20, "f" * 500), ("recE2", "m" * 255, "e2", "E2", "g" * 500),
    ], TOO_LONG
    assert rows(db_url, "select airtable_id, name, join_code from podium_next.projects order by 1") == [
        ("recP1", "p" * 255, "q" * 20), ("recP2", "r" * 255, "P2"),
    ], TOO_LONG
    assert quarantine(db_url, run_id, "users") == [("recU3", "email too long")], TOO_LONG
    assert quarantine(db_url, run_id, "events") == [("recE3", "slug too long"), ("recE4", "join_code too long")], TOO_LONG
    assert quarantine(db_url, run_id, "projects") == [("recP3", "join_code too long")], TOO_LONG
