"""A deterministic generator of a realistic, dirty source snapshot (SPEC §2.4).

`generate.generate(out, scale, seed)` writes the snapshot and `expected.json` beside it;
`tests/oracle.py` `compute(out)` is an independent oracle that recomputes the same numbers from the files.

expected.json:
  captured_at, scale, seed
  targets            {"podium.users": n, ..., "hello_miami.attendance": n}   (7 + 11 target tables)
  classification     {"airtable.users": {"source", "migrated", "merged", "quarantined"}, ...,
                      "airtable.events.attendees", "airtable.projects.collaborators",
                      every "mongo.<collection>", "luma.events", "luma.guests"}
  quarantine_reasons {source table: {reason: n}}
  merge_rules        {source table: {rule: n}}   (e.g. duplicate email, guest not attending)
  value_fixes        {source table: {reason: n}} (truncated to N, unparseable date, invalid JSON,
                      duplicate clerkUserId, missing icon, not a date in years 1-9999)
  conflicts          {"reverse_link": pairs (user record, event record) that disagree between
                      events.attendees and users.attending_events, "mongo_luma": field conflicts,
                      "luma_duplicate": fields that differ where a guest is listed twice}
  dirt               {"<source table>: <rule or defect>": n, "conflict: <kind>": n}
"""
