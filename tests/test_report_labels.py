"""Issue 16: every example id the report lists carries a masked label a stakeholder recognises
(a masked email, a person's initials, a project's or an event's name), read from the run's raw
tables; personal data never in clear."""

from __future__ import annotations

import json

from assets.gates import report_data
from assets.gates.report import render_html
from pipelines.database import connect
from pipelines.masking import mask_label

OID = "6553f1000000000000000001"


def _seed(conn) -> None:
    conn.execute(open("sql_models/raw_contract.sql").read())
    conn.execute("""insert into raw_airtable.users (id, fields) values
                    ('recUSER0000000001', '{"email": "jane.doe@example.com", "display_name": "Jane Doe"}'),
                    ('recUSER0000000002', '{"display_name": "Bob Stone"}'),
                    ('recUSER0000000003', '{"email": "not an email", "display_name": "X"}')""")
    conn.execute("insert into raw_airtable.votes (id, fields) values ('recVOTE0000000001', '{}')")
    conn.execute("insert into raw_mongo.projects (_id, document) values (%s, %s)", (OID.upper(), json.dumps({"title": "Solar Boat"})))
    conn.execute("""insert into raw_luma.events (api_id, record) values ('evt-demo', '{"api_id": "evt-demo", "event": {"name": "Demo Night"}}')""")
    conn.execute("""insert into migration.quarantine (run_id, source, source_table, source_id, reason) values
                    ('r1', 'airtable', 'users', 'recUSER0000000001', 'missing email'),
                    ('r1', 'airtable', 'users', 'recUSER0000000002', 'missing email'),
                    ('r1', 'airtable', 'users', 'recUSER0000000003', 'missing email'),
                    ('r1', 'airtable', 'votes', 'recVOTE0000000001', 'voter not migrated'),
                    ('r1', 'mongo', 'projects', %s, 'owner not migrated')""", (OID,))
    conn.execute("""insert into migration.gate_results (run_id, phase, application, name, severity, passed, failed_count, message, examples)
                    values ('r1', 'reconcile', 'podium', 'a rule', 'error', false, 1, 'm', '["airtable.users:recUSER0000000002: 2 classifications"]')""")
    conn.execute("""insert into migration.conflicts (run_id, kind, source_table, key, field, left_value, right_value)
                    values ('r1', 'mongo_luma', 'events', 'evt-demo', 'name', 'A', 'B')""")


def test_example_ids_carry_masked_labels(db_url):
    with connect(db_url, autocommit=True) as conn:
        _seed(conn)
        part = report_data.collect_part(conn, "r1", ["podium", "hello_miami"])
    examples = {(q["source_table"], q["reason"]): q["examples"] for q in part["quarantine"]}
    assert examples[("users", "missing email")] == ["recUSER0000000001 (j***@example.com)", "recUSER0000000002 (B*** S***)",
                                                    "recUSER0000000003 (n*** a*** e***)"]
    assert examples[("projects", "owner not migrated")] == [f"{OID} (Solar Boat)"]
    assert examples[("votes", "voter not migrated")] == ["recVOTE0000000001"]  # a vote names nothing a person knows
    [gate] = part["gates"]
    assert gate["failed"] == ["airtable.users:recUSER0000000002 (B*** S***): 2 classifications"]
    assert [c["key"] for c in part["conflict_examples"]] == ["evt-demo (Demo Night)"]
    html = render_html({**_minimal(), **{k: part[k] for k in ("quarantine", "gates", "conflicts", "conflict_examples")}}, "data_docs/index.html")
    assert "recUSER0000000001 (j***@example.com)" in html and "evt-demo (Demo Night)" in html
    assert "jane.doe" not in html and "Jane Doe" not in html and "Bob Stone" not in html and "not an email" not in html


def _minimal() -> dict:
    return {"run_id": "r1", "passed": False, "previous_run_id": None, "changes": [], "warnings": [], "merges": [], "reasons": [],
            "tables": [], "conflicts": [], "value_fixes": [], "live_hop": [], "run": {},
            "apps": {"podium": {"passed": False, "previous_run_id": None, "changes": [], "warnings": 0, "reasons": ["x"]}}}


def test_mask_label_never_shows_personal_data_in_clear():
    assert mask_label("ada.lovelace@example.com", "email") == "a***@example.com"
    assert mask_label("Ada Lovelace", "email") == "A*** L***"  # not an email: masked as a name
    assert mask_label("  Ada   Lovelace ", "person") == "A*** L***"
    assert mask_label("Pitch night: call 305-555-0199", "thing") == "Pitch night: call ***-99"
    assert len(mask_label("x" * 100, "thing")) == 40
