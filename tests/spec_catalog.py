"""SPEC §3 written down as data, in the shape `migrations.ddl.catalog.describe()` returns.

Written by hand from the SPEC (not generated from the DDL code), so that the catalog tests catch
the DDL drifting from the contract. Types are PostgreSQL's `format_type()`, defaults its
`pg_get_expr()` rendering, indexes its `pg_get_indexdef()` without the schema.
Decisions beyond the SPEC's text are documented in migrations/ddl/podium.py and hello_miami.py.
"""

from __future__ import annotations

UUID, TEXT, INT, BOOL, DATE, JSONB = "uuid", "text", "integer", "boolean", "date", "jsonb"
TS = "timestamp without time zone"
NOT_NULL, NULL = True, False
EMPTY_TEXT, EMPTY_VARCHAR = "''::text", "''::character varying"
FALSE, TRUE, NOW = "false", "true", "now()"
RANDOM_ID = "gen_random_uuid()"


def varchar(n: int) -> str:
    return f"character varying({n})"


def table(name: str, columns: list[tuple], pk=("id",), unique=(), fks=(), indexes=()) -> tuple[str, dict]:
    """unique: column tuples (named `<table>_<cols>_key`); fks: (column, referenced table, on delete);
    indexes: (name, `USING ...` part of the definition)."""
    return name, {
        "columns": [tuple(c) for c in columns],
        "primary_key": tuple(pk),
        "unique": {f"{name}_{'_'.join(cols)}_key": tuple(cols) for cols in unique},
        "foreign_keys": {f"{name}_{col}_fkey": ((col,), ref, ("id",), on_delete) for col, ref, on_delete in fks},
        "checks": {},
        "indexes": {ix: f"CREATE INDEX {ix} ON {name} USING {how}" for ix, how in indexes},
    }


def _podium_text(name: str, n: int | None = None) -> tuple:
    return (name, varchar(n) if n else TEXT, NOT_NULL, EMPTY_VARCHAR if n else EMPTY_TEXT)


_AIRTABLE_ID = ("airtable_id", varchar(32), NULL, None)

PODIUM = dict([
    table("users", [
        ("id", UUID, NOT_NULL, None), _AIRTABLE_ID,
        ("email", varchar(255), NOT_NULL, None),
        _podium_text("display_name", 255),
        ("first_name", varchar(50), NOT_NULL, None),
        _podium_text("last_name", 50), _podium_text("phone", 20),
        _podium_text("street_1", 255), _podium_text("street_2", 255),
        _podium_text("city", 100), _podium_text("state", 100),
        _podium_text("zip_code", 20), _podium_text("country", 100),
        ("dob", DATE, NULL, None),
    ], unique=[("airtable_id",), ("email",)],
        indexes=[("users_lower_email_idx", "btree (lower((email)::text))")]),
    table("events", [
        ("id", UUID, NOT_NULL, None), _AIRTABLE_ID,
        ("name", varchar(255), NOT_NULL, None),
        ("slug", varchar(50), NOT_NULL, None),
        _podium_text("description"),
        ("join_code", varchar(20), NOT_NULL, None),
        ("votable", BOOL, NOT_NULL, FALSE), ("leaderboard_enabled", BOOL, NOT_NULL, FALSE),
        ("demo_links_optional", BOOL, NOT_NULL, FALSE), ("ysws_checks_enabled", BOOL, NOT_NULL, FALSE),
        _podium_text("feature_flags_csv", 500),
        ("owner_id", UUID, NOT_NULL, None),
    ], unique=[("airtable_id",), ("slug",), ("join_code",)],
        fks=[("owner_id", "users", "restrict")],
        indexes=[("events_owner_id_idx", "btree (owner_id)")]),
    table("projects", [
        ("id", UUID, NOT_NULL, None), _AIRTABLE_ID,
        ("name", varchar(255), NOT_NULL, None),
        _podium_text("repo"), _podium_text("image_url"), _podium_text("demo"), _podium_text("description"),
        ("join_code", varchar(20), NOT_NULL, None),
        ("hours_spent", INT, NOT_NULL, "0"), ("points", INT, NOT_NULL, "0"),
        ("cached_auto_quality", JSONB, NULL, None),
        ("owner_id", UUID, NOT_NULL, None), ("event_id", UUID, NOT_NULL, None),
    ], unique=[("airtable_id",), ("join_code",)],
        fks=[("owner_id", "users", "restrict"), ("event_id", "events", "cascade")],
        indexes=[("projects_points_idx", "btree (points)"), ("projects_owner_id_idx", "btree (owner_id)"),
                 ("projects_event_id_idx", "btree (event_id)")]),
    table("votes", [
        ("id", UUID, NOT_NULL, None), _AIRTABLE_ID,
        ("voter_id", UUID, NOT_NULL, None), ("project_id", UUID, NOT_NULL, None), ("event_id", UUID, NOT_NULL, None),
    ], unique=[("airtable_id",), ("voter_id", "project_id")],
        fks=[("voter_id", "users", "cascade"), ("project_id", "projects", "cascade"), ("event_id", "events", "cascade")],
        indexes=[("votes_project_id_idx", "btree (project_id)"), ("votes_event_id_idx", "btree (event_id)")]),
    table("referrals", [
        ("id", UUID, NOT_NULL, None), _AIRTABLE_ID,
        _podium_text("content"),
        ("user_id", UUID, NOT_NULL, None), ("event_id", UUID, NOT_NULL, None),
    ], unique=[("airtable_id",)],
        fks=[("user_id", "users", "cascade"), ("event_id", "events", "cascade")],
        indexes=[("referrals_user_id_idx", "btree (user_id)"), ("referrals_event_id_idx", "btree (event_id)")]),
    table("event_attendees", [
        ("id", UUID, NOT_NULL, None), ("event_id", UUID, NOT_NULL, None), ("user_id", UUID, NOT_NULL, None),
    ], unique=[("event_id", "user_id")],
        fks=[("event_id", "events", "cascade"), ("user_id", "users", "cascade")],
        indexes=[("event_attendees_user_id_idx", "btree (user_id)")]),
    table("project_collaborators", [
        ("id", UUID, NOT_NULL, None), ("project_id", UUID, NOT_NULL, None), ("user_id", UUID, NOT_NULL, None),
    ], unique=[("project_id", "user_id")],
        fks=[("project_id", "projects", "cascade"), ("user_id", "users", "cascade")],
        indexes=[("project_collaborators_user_id_idx", "btree (user_id)")]),
])


_ID = ("id", UUID, NOT_NULL, RANDOM_ID)


def _ts(name: str) -> tuple:
    return (name, TS, NOT_NULL, NOW)


def _null_text(*names: str) -> list[tuple]:
    return [(n, TEXT, NULL, None) for n in names]


def _ref(name: str) -> tuple:
    return (name, UUID, NOT_NULL, None)


HELLO_MIAMI = dict([
    table("profiles", [
        _ID,
        ("clerk_user_id", TEXT, NULL, None),
        ("luma_email", TEXT, NOT_NULL, None),
        ("verification_status", TEXT, NOT_NULL, "'pending'::text"),
        ("is_app_admin", BOOL, NOT_NULL, FALSE),
        *_null_text("luma_attendee_id", "bio"),
        ("skills", JSONB, NOT_NULL, "'[]'::jsonb"),
        *_null_text("github_username", "twitter_handle", "website_url", "role"),
        ("seeking_funding", BOOL, NOT_NULL, FALSE), ("open_to_mentoring", BOOL, NOT_NULL, FALSE),
        ("streak_count", INT, NOT_NULL, "0"),
        ("onboarding_dismissed", BOOL, NOT_NULL, FALSE),
        _ts("created_at"), _ts("updated_at"),
    ], unique=[("clerk_user_id",), ("luma_email",)],
        indexes=[("profiles_lower_luma_email_idx", "btree (lower(luma_email))"),
                 ("profiles_skills_gin_idx", "gin (skills)"),
                 ("profiles_luma_attendee_id_idx", "btree (luma_attendee_id)")]),
    table("projects", [
        _ID, _ref("member_id"),
        ("title", TEXT, NOT_NULL, None), ("description", TEXT, NULL, None),
        ("tags", JSONB, NOT_NULL, "'[]'::jsonb"), ("image_urls", JSONB, NOT_NULL, "'[]'::jsonb"),
        *_null_text("github_url", "public_url"),
        _ts("created_at"), _ts("updated_at"),
    ], fks=[("member_id", "profiles", "cascade")],
        indexes=[("projects_member_id_idx", "btree (member_id)"),
                 ("projects_lower_title_idx", "btree (lower(title))"),
                 ("projects_tags_gin_idx", "gin (tags)")]),
    table("badges", [
        _ID, ("name", TEXT, NOT_NULL, None), ("icon_ascii", TEXT, NOT_NULL, None), ("criteria", TEXT, NOT_NULL, None),
        _ts("created_at"),
    ], unique=[("name",)]),
    table("member_badges", [
        _ref("member_id"), _ref("badge_id"), _ts("awarded_at"),
    ], pk=("member_id", "badge_id"),
        fks=[("member_id", "profiles", "cascade"), ("badge_id", "badges", "cascade")],
        indexes=[("member_badges_badge_id_idx", "btree (badge_id)")]),
    table("events", [
        _ID,
        ("luma_event_id", TEXT, NOT_NULL, None), ("name", TEXT, NOT_NULL, None),
        *_null_text("description", "cover_url"),
        ("url", TEXT, NOT_NULL, None),
        ("start_at", TS, NOT_NULL, None), ("end_at", TS, NULL, None),
        ("timezone", TEXT, NOT_NULL, None),
        ("location", JSONB, NULL, None),
        ("stats", JSONB, NOT_NULL, """'{"checkedIn": 0, "registered": 0}'::jsonb"""),
        ("is_canceled", BOOL, NOT_NULL, FALSE),
        _ts("last_synced_at"), _ts("created_at"), _ts("updated_at"),
    ], unique=[("luma_event_id",)],
        indexes=[("events_upcoming_idx", "btree (start_at) WHERE (NOT is_canceled)")]),
    table("attendance", [
        _ID, _ref("member_id"),
        ("luma_event_id", TEXT, NOT_NULL, None),
        ("status", TEXT, NOT_NULL, "'registered'::text"),
        ("checked_in_at", TS, NULL, None), _ts("created_at"),
    ], unique=[("member_id", "luma_event_id")],
        fks=[("member_id", "profiles", "cascade")],  # luma_event_id has no foreign key (SPEC)
        indexes=[("attendance_status_checked_in_at_idx", "btree (status, checked_in_at)"),
                 ("attendance_luma_event_id_status_idx", "btree (luma_event_id, status)")]),
    table("pending_users", [
        _ID, ("email", TEXT, NOT_NULL, None), ("name", TEXT, NOT_NULL, None),
        ("luma_attendee_id", TEXT, NOT_NULL, None),
        _ts("subscribed_at"), ("approved_at", TS, NULL, None), _ts("created_at"), _ts("updated_at"),
    ], unique=[("email",), ("luma_attendee_id",)],
        indexes=[("pending_users_lower_email_idx", "btree (lower(email))"),
                 ("pending_users_unapproved_idx", "btree (created_at) WHERE (approved_at IS NULL)")]),
    table("luma_webhooks", [
        _ID, ("type", TEXT, NOT_NULL, None), ("payload", JSONB, NOT_NULL, None), ("signature", TEXT, NULL, None),
        _ts("received_at"),
    ], indexes=[("luma_webhooks_type_received_at_idx", "btree (type, received_at)")]),
    table("surveys", [
        _ID, ("slug", TEXT, NOT_NULL, None),
        ("title", TEXT, NOT_NULL, None), ("description", TEXT, NOT_NULL, None), ("type", TEXT, NOT_NULL, None),
        ("is_active", BOOL, NOT_NULL, TRUE), ("questions", JSONB, NOT_NULL, None),
        _ts("created_at"), _ts("updated_at"),
    ], unique=[("slug",)]),
    table("survey_responses", [
        _ID, _ref("survey_id"), _ref("member_id"),
        ("responses", JSONB, NOT_NULL, "'{}'::jsonb"), ("is_complete", BOOL, NOT_NULL, FALSE),
        _ts("submitted_at"), _ts("created_at"), _ts("updated_at"),
    ], unique=[("survey_id", "member_id")],
        fks=[("survey_id", "surveys", "cascade"), ("member_id", "profiles", "cascade")],
        indexes=[("survey_responses_member_id_idx", "btree (member_id)")]),
    table("demo_slots", [
        _ID, _ref("member_id"), _ref("event_id"),
        ("title", TEXT, NOT_NULL, None), *_null_text("description", "requested_time"),
        ("duration_minutes", INT, NOT_NULL, "5"),
        ("status", TEXT, NOT_NULL, "'pending'::text"),
        ("confirmed_by_organizer", BOOL, NOT_NULL, FALSE),
        _ts("created_at"), _ts("updated_at"),
    ], fks=[("member_id", "profiles", "cascade"), ("event_id", "events", "cascade")],
        indexes=[("demo_slots_member_id_idx", "btree (member_id)"),
                 ("demo_slots_event_id_status_idx", "btree (event_id, status)"),
                 ("demo_slots_pending_idx", "btree (event_id, created_at) WHERE (status = 'pending'::text)")]),
])

EXPECTED = {"podium": PODIUM, "hello_miami": HELLO_MIAMI}

# schema `migration`: column names in order (COMMON.md), plus 0003's additions for cutover and sync
MIGRATION_COLUMNS = {
    "runs": ["run_id", "job", "started_at", "finished_at", "status", "snapshot_dir", "captured_at", "passed", "report_dir", "operator",
             "pid", "host", "notes"],
    "count_ledger": ["run_id", "source", "source_table", "source_count", "landed", "migrated", "merged", "quarantined",
                     "target_table", "candidate_count"],
    "id_lineage": ["source", "source_table", "source_id", "target_table", "target_id", "run_id"],
    "merges": ["run_id", "source", "source_table", "source_id", "into_source_id", "into_target_id", "rule"],
    "quarantine": ["run_id", "source", "source_table", "source_id", "reason", "detail", "record"],
    "value_fixes": ["run_id", "source", "source_table", "source_id", "field", "original_value", "stored_value", "reason"],
    "conflicts": ["run_id", "kind", "source_table", "key", "field", "left_value", "right_value"],
    "gate_results": ["run_id", "phase", "application", "name", "severity", "passed", "failed_count", "message", "examples", "checked_at"],
    "cutovers": ["cutover_id", "run_id", "applied_at", "operator", "counts", "status", "rolled_back_at", "detail"],
    "luma_syncs": ["sync_id", "started_at", "finished_at", "window_start", "window_end", "requests", "events_upserted",
                   "attendance_upserted", "status", "error", "target_schema", "run_id"],
    "live_writes": ["cutover_id", "schema_name", "table_name", "writer", "inserted", "updated", "deleted", "truncated", "last_write_at"],
}
MIGRATION_PRIMARY_KEYS = {
    "runs": ("run_id",), "count_ledger": ("run_id", "source", "source_table"),
    "id_lineage": ("source", "source_table", "source_id", "target_table"),
    "cutovers": ("cutover_id",), "luma_syncs": ("sync_id",),
    "live_writes": ("cutover_id", "schema_name", "table_name", "writer"),
}
