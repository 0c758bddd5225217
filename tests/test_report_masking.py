"""Masking of personal data in everything the report shows, and the page for a failed run."""

from __future__ import annotations

from assets.gates.masking import mask_text
from assets.gates.report import reconciliation, render_html


def test_mask_text_hides_emails_phones_and_street_addresses_but_keeps_keys():
    text = "ada.lovelace@example.com, +1 305-555-0199, 123 Main Street; rec0123456789ABCD 6553f1000000000000000001 2026-01-15 12:00:00"
    masked = mask_text(text)
    assert "a***@example.com" in masked and "lovelace" not in masked
    assert "305-555-0199" not in masked and "***-99" in masked
    assert "Main" not in masked
    assert "rec0123456789ABCD" in masked and "6553f1000000000000000001" in masked and "2026-01-15 12:00:00" in masked


def _data(passed: bool) -> dict:
    return {
        "run_id": "r1", "passed": passed, "previous_run_id": None, "changes": [], "warnings": [], "merges": [],
        "reasons": [] if passed else ["podium_next.users: every migrated record has its candidate row: 1 failing (e.g. airtable.users:recU2)"],
        "tables": [{"source": "airtable", "table": "users", "application": "podium", "source_count": 3, "landed": 3, "migrated": 1,
                    "merged": 1, "quarantined": 1, "quarantine_reasons": {"missing email": 1}, "target_table": "podium.users",
                    "candidate_count": 1, "balanced": True}],
        "gates": [{"phase": "reconcile", "application": "podium", "name": "podium_next.users: every migrated record has its candidate row",
                   "severity": "error", "passed": passed, "failed_count": 0 if passed else 1, "message": "m",
                   "failed": [] if passed else ["airtable.users:recU2"]}],
        "quarantine": [{"source": "airtable", "source_table": "users", "reason": "missing email", "count": 1,
                        "examples": [mask_text("bob@example.com")]}],
        "conflicts": [{"kind": "mongo_luma", "source_table": "events", "field": "name", "count": 1}],
        "conflict_examples": [{"kind": "mongo_luma", "key": "evt-1", "field": "name", "left_value": mask_text("call 305-555-0100"), "right_value": "B"}],
        "run": {},
        "apps": {"podium": {"passed": passed, "previous_run_id": None, "changes": [], "warnings": 0,
                            "reasons": [] if passed else ["podium_next.users: every migrated record has its candidate row: 1 failing (e.g. airtable.users:recU2)"]}},
    }


def test_failed_run_page_says_not_ready_and_why_without_personal_data():
    html = render_html(_data(False), "data_docs/index.html")
    assert "Podium: not ready to cut over" in html and "airtable.users:recU2" in html
    assert "bob@example.com" not in html and "b***@example.com" in html
    assert "305-555-0100" not in html
    assert 'href="data_docs/index.html"' in html


def test_reconciliation_json_has_the_spec_fields():
    doc = reconciliation(_data(True))
    assert doc["run_id"] == "r1" and doc["passed"] is True
    [table] = doc["tables"]
    assert table == {**table, "source": "airtable", "table": "users", "source_count": 3, "landed": 3, "migrated": 1,
                     "merged": 1, "quarantined": 1, "quarantine_reasons": {"missing email": 1}}
    [gate] = doc["gates"]
    assert {"phase", "name", "passed", "failed"} <= set(gate)
