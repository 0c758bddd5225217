"""The live hop in the report (SPEC §6 reconciliation.json, issue 14): per table that held rows
before the cutover, {live_before, kept, merged}, and a sentence per table in report.html."""

from __future__ import annotations

import json

from tests.model_fixtures import mongo, oid, rows, run_transform


def test_report_shows_the_live_hop_per_table_in_plain_words(db_url, tmp_path):
    from assets.gates import report

    mongo(db_url, "profiles", [{"_id": {"$oid": oid(1)}, "lumaEmail": "a@x.io"}])
    run_id = run_transform(db_url)
    kept = rows(db_url, "select id from hello_miami_next.profiles")[0][0]
    rows(db_url, "insert into hello_miami.profiles (id, luma_email) values (%s, 'a@x.io'), "
                 "('00000000-0000-4000-8000-00000000000a', 'signed-in@x.io') returning 1", (kept,))
    rows(db_url, "insert into hello_miami.events (id, luma_event_id, name, url, start_at, timezone) values "
                 "('00000000-0000-4000-8000-00000000000e', 'evt-live', 'Live', 'https://lu.ma/l', '2026-11-01 18:00', 'UTC') returning 1")
    run_id = run_transform(db_url)
    # the models keep every live row (the live event too); one the candidates lack would be lost
    rows(db_url, "delete from hello_miami_next.events where id = '00000000-0000-4000-8000-00000000000e' returning 1")
    report.write(run_id, tmp_path, True, None)

    data = json.loads((tmp_path / "reconciliation.json").read_text())
    assert data["live"] == [
        {"application": "hello_miami", "table": "events", "live_before": 1, "kept": 0, "merged": 0},
        {"application": "hello_miami", "table": "profiles", "live_before": 2, "kept": 2, "merged": 0},
    ]
    html = (tmp_path / "report.html").read_text()
    section = html.split("<h2>Rows already live</h2>", 1)[1].split("<h2>", 1)[0]
    assert "<td>hello_miami.profiles</td><td class=\"n\">2</td><td class=\"n\">2</td><td class=\"n\">0</td>" in section
    assert "all 2 rows the application already holds stay live with their ids" in section
    assert "1 of the 1 rows the application already holds would be lost" in section  # the live event deleted above
