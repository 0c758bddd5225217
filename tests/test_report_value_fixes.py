"""The report shows what issue 15 found silent: every value stored otherwise than the source holds
it ("Values changed", with the original masked like every other value in the report, and in
reconciliation.json), and a Luma key listed twice with different values (a disagreement)."""

from __future__ import annotations

import json

from pipelines.database import connect
from tests.model_fixtures import luma_events, luma_guests, mongo, oid, run_transform
from tests.test_rule_hello_miami import date, doc


def test_report_lists_value_fixes_and_luma_duplicates(db_url, tmp_path):
    from assets.gates import report

    mongo(db_url, "profiles", [doc(1, lumaEmail="a@x.io", streakCount={"$numberDecimal": "NaN"},
                                   bio=["sam@private.example"], createdAt=date("2024-01-01T00:00:00Z"))])
    event = {"api_id": "evt-1", "name": "First", "url": "u", "timezone": "UTC", "start_at": "2026-01-10T23:00:00Z"}
    luma_events(db_url, [event])
    luma_guests(db_url, "evt-1", [{"api_id": "gst-1", "email": "a@x.io", "approval_status": "approved"}])
    with connect(db_url, autocommit=True) as conn:
        conn.execute("insert into raw_luma.duplicates (source_table, event_api_id, api_id, occurrence, record, _dlt_load_id)"
                     " values ('guests', 'evt-1', 'gst-1', 2, %s, '1')",
                     (json.dumps({"api_id": "gst-1", "email": "a@x.io", "approval_status": "declined"}),))
    run_id = run_transform(db_url)
    report.write(run_id, tmp_path, True, None)
    html = (tmp_path / "report.html").read_text()
    values_changed = html.split("<h2>Values changed</h2>", 1)[1].split("<h2>", 1)[0]
    assert "mongo.profiles</td><td>streakCount</td><td>not a number in integer range</td><td class=\"n\">1</td>" in values_changed
    assert f"{oid(1)} (a***@x.io): {{&#34;$numberDecimal&#34;: &#34;NaN&#34;}} → 0" in values_changed
    assert "mongo.profiles</td><td>bio</td><td>not text</td>" in values_changed
    assert "sam@private.example" not in html and "s***@private.example" in values_changed  # masked
    disagreements = html.split("<h2>Disagreements between sources</h2>", 1)[1].split("<h2>", 1)[0]
    assert "<td>Luma key listed twice</td><td>luma.guests</td><td>approval_status</td><td class=\"n\">1</td>" in disagreements
    data = json.loads((tmp_path / "reconciliation.json").read_text())
    assert sorted((f["source_table"], f["field"], f["reason"], f["count"]) for f in data["value_fixes"]) == [
        ("profiles", "bio", "not text", 1), ("profiles", "streakCount", "not a number in integer range", 1)]
