"""Row-level comparison (reconcile gate): for every migrated record, the fields the rules carry
over unchanged are read once from the raw record and once from its candidate row; an md5 of each
side's normalized values must match, and a mismatch is reported by key and field.

Decisions:
- The raw side is computed here from the raw tables with expressions of our own, not from the
  staging models, so a mistake in a model cannot hide itself.
- Values are normalized to text in a jsonb object (keys sorted by jsonb, so its text is canonical);
  a recorded value fix (migration.value_fixes of the run) replaces the raw value: a difference that
  was recorded is expected, one that was not is a failure. Only fixes of compared fields are read:
  a fix of another field has no key to replace (filtered in SQL, not by a per-row subquery, which
  kept the filter out of the planner's reach: Podium users at scale 100 5.1 s -> 3.3 s).
- References are compared through the lineage (the raw link's source id -> its target id), which
  also proves that links to merged records were re-pointed to the primary.
- Only the hashes are compared for all rows; fields are unpacked for the mismatched rows only.
- A candidate row the application already held (landed into raw_live_<app>) is not compared: its
  fields follow the table's live/source rule (SPEC §4 "Rows already live"), judged by the live hop,
  and each field where it and the source differ is a recorded `live_source` conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from expectations.gates import Gate, literal, rule


@dataclass(frozen=True)
class Ref:
    """A link's expected target: the lineage row of (source, table, the raw link's source id).
    Compiled to a left join, not a scalar subquery per row: a hash join over the lineage is one
    scan, where 300k votes x 3 links were 900k index probes (bench/, scale 100)."""

    source: str
    table: str
    source_id_sql: str


def _ref(source: str, table: str, source_id_sql: str) -> Ref:
    return Ref(source, table, source_id_sql)


def _text(field: str) -> str:
    return f"coalesce(r.fields->>'{field}', '')"


def _bool(doc: str, field: str) -> str:
    return f"coalesce(case jsonb_typeof(r.{doc}->'{field}') when 'boolean' then r.{doc}->>'{field}' end, 'false')"


def _at(field: str) -> str:
    return f"(r.fields->'{field}'->>0)"


def _oid(field: str) -> str:
    return f"staging.oid(r.document->'{field}')"


# target table -> (raw table, source table, {column: raw expression}, {value_fixes field: column})
PODIUM = {
    "users": ("raw_airtable.users", "users", {
        "email": "lower(trim(r.fields->>'email'))",
        **{c: _text(c) for c in ("display_name", "first_name", "last_name", "phone", "street_1", "street_2",
                                  "city", "state", "zip_code", "country")},
        "dob": "r.fields->>'dob'",
    }, {}),
    "events": ("raw_airtable.events", "events", {
        **{c: _text(c) for c in ("name", "slug", "description", "join_code", "feature_flags_csv")},
        **{c: f"coalesce(case jsonb_typeof(r.fields->'{c}') when 'boolean' then r.fields->>'{c}' end, 'false')"
           for c in ("votable", "leaderboard_enabled", "demo_links_optional", "ysws_checks_enabled")},
        "owner_id": _ref("airtable", "users", _at("owner")),
    }, {}),
    "projects": ("raw_airtable.projects", "projects", {
        **{c: _text(c) for c in ("name", "repo", "image_url", "demo", "description", "join_code")},
        "cached_auto_quality": "migration.try_jsonb(r.fields->>'cached_auto_quality')::text",
        "owner_id": _ref("airtable", "users", _at("owner")),
        "event_id": _ref("airtable", "events", _at("event")),
    }, {}),
    "votes": ("raw_airtable.votes", "votes", {
        "voter_id": _ref("airtable", "users", _at("voter")),
        "project_id": _ref("airtable", "projects", _at("project")),
        "event_id": _ref("airtable", "events", _at("event")),
    }, {}),
    "referrals": ("raw_airtable.referrals", "referrals", {
        "content": _text("content"),
        "user_id": _ref("airtable", "users", _at("user")),
        "event_id": _ref("airtable", "events", _at("event")),
    }, {}),
}
HELLO_MIAMI = {
    "profiles": ("raw_mongo.profiles", "profiles", {
        "luma_email": "lower(trim(r.document->>'lumaEmail'))",
        "clerk_user_id": "nullif(r.document->>'clerkUserId', '')",
        "bio": "r.document->>'bio'",
        "github_username": "r.document->>'githubUsername'",
        "twitter_handle": "r.document->>'twitterHandle'",
        "website_url": "r.document->>'websiteUrl'",
        "role": "r.document->>'role'",
        "is_app_admin": _bool("document", "isAppAdmin"),
    }, {"clerkUserId": "clerk_user_id"}),
    "projects": ("raw_mongo.projects", "projects", {
        "title": "r.document->>'title'",
        "description": "r.document->>'description'",
        "github_url": "r.document->>'githubUrl'",
        "public_url": "r.document->>'publicUrl'",
        "member_id": _ref("mongo", "profiles", _oid("memberId")),
    }, {}),
    "badges": ("raw_mongo.badges", "badges", {
        "name": "r.document->>'name'",
        "criteria": "r.document->>'criteria'",
        "icon_ascii": "coalesce(r.document->>'iconAscii', r.document->>'icon')",
    }, {"iconAscii": "icon_ascii"}),
    "surveys": ("raw_mongo.surveys", "surveys", {
        "slug": "r.document->>'slug'", "title": "r.document->>'title'", "type": "r.document->>'type'",
    }, {}),
    "luma_webhooks": ("raw_mongo.luma_webhooks", "luma_webhooks", {
        "type": "r.document->>'type'", "signature": "r.document->>'signature'",
    }, {}),
    "demo_slots": ("raw_mongo.demo_slots", "demo_slots", {
        "title": "r.document->>'title'",
        "description": "r.document->>'description'",
        "requested_time": "r.document->>'requestedTime'",
        "member_id": _ref("mongo", "profiles", _oid("memberId")),
    }, {}),
}


_KEY = "the row's identity: judged by the lineage and the anti-joins"
_TIME = "a timestamp: UTC and the ObjectId fallback are rules with tests of their own"
_DEFAULTED = "defaulted or coerced by the model without a recorded value fix: not the raw value as it is"
_GAP = "not compared yet"
_NO_SOURCE = "no source field: the table's default fills it (SPEC §3.2, the application's migration 0001)"
# Every other column of a compared candidate table, and why the hash leaves it out: a column in
# neither list fails tests/test_rule_pins_gates.py, so dropping a compared column cannot pass unseen.
NOT_COMPARED = {
    ("podium", "users"): {"id": _KEY, "airtable_id": _KEY},
    ("podium", "events"): {"id": _KEY, "airtable_id": _KEY},
    ("podium", "projects"): {"id": _KEY, "airtable_id": _KEY, "hours_spent": _DEFAULTED, "points": _DEFAULTED},
    ("podium", "votes"): {"id": _KEY, "airtable_id": _KEY},
    ("podium", "referrals"): {"id": _KEY, "airtable_id": _KEY},
    ("hello_miami", "profiles"): {
        "id": _KEY, "created_at": _TIME, "updated_at": _TIME, "luma_attendee_id": _GAP,
        **dict.fromkeys(("verification_status", "skills", "seeking_funding", "open_to_mentoring", "streak_count",
                         "onboarding_dismissed"), _DEFAULTED),
        **dict.fromkeys(("linkedin_url", "looking_for_cofounder", "want_product_feedback", "seeking_accelerator_intros",
                         "want_to_give_back", "specialties", "interested_experiences"), _NO_SOURCE),
    },
    ("hello_miami", "projects"): {"id": _KEY, "created_at": _TIME, "updated_at": _TIME, "tags": _DEFAULTED, "image_urls": _DEFAULTED},
    ("hello_miami", "badges"): {"id": _KEY, "created_at": _TIME},
    ("hello_miami", "surveys"): {"id": _KEY, "created_at": _TIME, "updated_at": _TIME, "description": _DEFAULTED,
                                 "is_active": _DEFAULTED, "questions": _GAP},
    ("hello_miami", "luma_webhooks"): {"id": _KEY, "received_at": _TIME, "payload": "Extended JSON made plain: a rule test's subject"},
    ("hello_miami", "demo_slots"): {
        "id": _KEY, "created_at": _TIME, "updated_at": _TIME,
        "event_id": "resolved through the MongoDB event's lumaEventId: a rule test's subject",
        **dict.fromkeys(("duration_minutes", "status", "confirmed_by_organizer"), _DEFAULTED),
    },
}


def _object(pairs: dict[str, str], alias: str | None = None) -> str:
    args = ", ".join(f"'{column}', ({expr})::text" if alias is None else f"'{column}', {alias}.{column}::text"
                     for column, expr in pairs.items())
    return f"jsonb_build_object({args})"


def _expected(fields: dict, raw: str, source_id: str) -> str:
    """select (source id, jsonb of the expected values) from the raw table, one left join per link."""
    columns, joins = {}, []
    for column, expr in fields.items():
        if isinstance(expr, Ref):
            alias = f"l_{column}"
            joins.append(f"left join migration.id_lineage as {alias} on {alias}.source = '{expr.source}' "
                         f"and {alias}.source_table = '{expr.table}' and {alias}.source_id = {expr.source_id_sql}")
            columns[column] = f"{alias}.target_id"
        else:
            columns[column] = expr
    return f"select {source_id} as source_id, {_object(columns)} as v from {raw} as r " + " ".join(joins)


def _values(app: str, table: str, run_id: str, landed_live: str | None = None) -> dict[str, str]:
    """The placeholders of rules/reconcile/row_hash.sql for one candidate table (`landed_live`: the
    table holding its rows already live, whose candidate rows are not compared)."""
    raw, source_table, fields, fix_fields = (PODIUM if app == "podium" else HELLO_MIAMI)[table]
    if app == "podium":
        source_id, join = "r.id", "t.airtable_id = e.source_id"
    else:
        source_id, join = "lower(r._id)", f"t.id = migration.stable_id('hello_miami', '{table}', e.source_id)"
    if landed_live:
        join += f" and not exists (select 1 from {landed_live} as v where v.id = t.id)"
    fix_column = "case f.field " + " ".join(f"when {literal(k)} then {literal(v)}" for k, v in fix_fields.items()) + " else f.field end" \
        if fix_fields else "f.field"
    return {"expected": _expected(fields, raw, source_id), "fix_column": fix_column, "run": literal(run_id),
            "source": "airtable" if app == "podium" else "mongo", "source_table": source_table,
            "got": _object(fields, "t"), "join": join, "compared": ", ".join(literal(c) for c in fields)}


def compared_tables(app: str) -> list[str]:
    """The candidate tables of `app` whose values are compared with their source records."""
    return list(PODIUM if app == "podium" else HELLO_MIAMI)


def row_compare_gates(app: str, run_id: str, existing_tables: set[str]) -> list[Gate]:
    gates = []
    for table in compared_tables(app):
        raw = (PODIUM if app == "podium" else HELLO_MIAMI)[table][0]
        candidate = f"{app}_next.{table}"
        landed_live = f"raw_live_{app}.{table}"
        if raw in existing_tables and candidate in existing_tables:
            gates.append(rule("reconcile", "row_hash").gate(
                app, candidate, candidate, ("migration", "id_lineage"), instance=table,
                **_values(app, table, run_id, landed_live if landed_live in existing_tables else None)))
    return gates
