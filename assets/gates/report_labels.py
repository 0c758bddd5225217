"""A masked human label beside every example id the report lists (issue 16): quarantined records,
conflicts, gate failures, value fixes. `rec0AbC…` or an ObjectId means nothing to a stakeholder;
`rec0AbC… (j***@example.com)` or `… (Demo night)` does, without personal data in clear.

Decisions:
- The label is read from the raw tables the run landed (the record as the source holds it), so
  quarantined records, which have no candidate row, get one too. Which fields label a table is
  said once, in LABELS, with their kind for `pipelines.masking.mask_label`: emails masked as
  j***@example.com, people's names as initials, names of things (projects, events, badges,
  surveys) as they are. A table not in LABELS (votes, referrals, attendance, …) has nothing a
  person would recognise; its ids stay bare.
- The ids are found in the example texts themselves (any word-like token), whatever the gate's
  wording, and looked up in the labelled raw tables of the run's applications: one query per
  table, only when the report lists examples, keys compared lower-cased.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipelines import registry
from pipelines.masking import mask_label

HERE = Path(__file__).resolve().parent
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{4,}")

# (source, table) -> the record fields that name it, first non-empty wins, with their kind
LABELS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("airtable", "users"): (("email", "email"), ("display_name", "person"), ("first_name", "person")),
    ("airtable", "events"): (("name", "thing"),),
    ("airtable", "projects"): (("name", "thing"),),
    ("mongo", "profiles"): (("lumaEmail", "email"),),
    ("mongo", "projects"): (("title", "thing"),),
    ("mongo", "badges"): (("name", "thing"),),
    ("mongo", "events"): (("name", "thing"),),
    ("mongo", "pending_users"): (("email", "email"), ("name", "person")),
    ("mongo", "surveys"): (("title", "thing"),),
    ("mongo", "demo_slots"): (("title", "thing"),),
    ("luma", "events"): (("name", "thing"),),
    ("luma", "guests"): (("email", "email"), ("user_email", "email"), ("name", "person")),
}


def _query(table: registry.Table):
    from psycopg import sql

    record = sql.SQL("r.{}").format(sql.Identifier(table.record_column))
    if table.wrapper:
        record = sql.SQL("coalesce({r} -> {w}, {r})").format(r=record, w=sql.Literal(table.wrapper))
    fields = sql.SQL(", ").join(sql.SQL("{} ->> {}").format(record, sql.Literal(name)) for name, _ in LABELS[(table.source, table.name)])
    schema, name = table.raw.split(".")
    return sql.SQL((HERE / "report_labels.sql").read_text()).format(
        key=sql.Identifier(table.keys[-1]), fields=fields, raw=sql.Identifier(schema, name))


def labels(conn, apps: list[str], texts) -> dict[str, str]:
    """{lower-cased id: masked label} of the ids found in `texts`."""
    keys = sorted({token.lower() for text in texts if text for token in TOKEN.findall(str(text))})
    found: dict[str, str] = {}
    if not keys:
        return found
    for table in registry.TABLES:
        kinds = LABELS.get((table.source, table.name))
        if not kinds or table.application not in apps:
            continue
        if conn.execute("select to_regclass(%s) is null", (table.raw,)).fetchone()[0]:
            continue  # the run stopped before this table landed
        for key, values in conn.execute(_query(table), {"keys": keys}):
            label = next((mask_label(v, kind) for v, (_, kind) in zip(values, kinds) if v and v.strip()), None)
            if label:
                found.setdefault(key, label)
    return found


def beside(text, found: dict[str, str]):
    """`text` with each labelled id followed by its label in parentheses."""
    if not text or not found:
        return text
    return TOKEN.sub(lambda m: f"{m.group(0)} ({found[m.group(0).lower()]})" if m.group(0).lower() in found else m.group(0), str(text))


def label_examples(conn, apps: list[str], part: dict) -> None:
    """Put the labels beside the example ids of one database's part of the report (report_data)."""
    places = ([(q, "examples") for q in part["quarantine"]] + [(g, "failed") for g in part["gates"]])
    singles = [(c, "key") for c in part["conflict_examples"]] + [(f, "example_id") for f in part["value_fixes"]]
    texts = [t for row, k in places for t in row[k] or []] + [row[k] for row, k in singles]
    found = labels(conn, apps, texts)
    for row, k in places:
        row[k] = [beside(t, found) for t in row[k] or []]
    for row, k in singles:
        row[k] = beside(row[k], found)
