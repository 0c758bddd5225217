"""Hello Miami's target DDL (SPEC §3.2), for any schema name (`hello_miami` live, `hello_miami_next`).

Decisions the SPEC leaves open:
- `id` defaults to `gen_random_uuid()` (built into PostgreSQL 13+, no extension), as the
  application inserts rows without choosing ids; the migration always supplies `stable_id`s.
- Timestamps are `timestamp` (UTC) `not null default now()`, except `start_at` (not null, no
  default: an event has no sensible default start) and the ones the SPEC marks null
  (`end_at`, `checked_in_at`, `approved_at`).
- Every foreign key is `on delete cascade` and its column is `not null`.
- "Upcoming events" cannot be a `start_at > now()` predicate (index predicates must be
  immutable), so the partial index covers non-canceled events by `start_at`, which serves the
  application's `where not is_canceled and start_at >= now() order by start_at`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from migrations.ddl import _build

TABLES = (
    "profiles", "projects", "badges", "member_badges", "events", "attendance", "pending_users",
    "luma_webhooks", "surveys", "survey_responses", "demo_slots",
)


def _id() -> sa.Column:
    return sa.Column("id", UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()"))


def _ts(name: str, nullable: bool = False, default: bool = True) -> sa.Column:
    return sa.Column(
        name, sa.TIMESTAMP(timezone=False), nullable=nullable,
        server_default=sa.text("now()") if default and not nullable else None,
    )


def _text(name: str, nullable: bool = False, **kw) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable, **kw)


def _bool(name: str, default: bool) -> sa.Column:
    return sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.text("true" if default else "false"))


def _jsonb(name: str, default: str | None = None, nullable: bool = False) -> sa.Column:
    # colons escaped: sa.text would read `:0` as a bind parameter
    server_default = sa.text(f"'{default}'::jsonb".replace(":", r"\:")) if default is not None else None
    return sa.Column(name, JSONB(), nullable=nullable, server_default=server_default)


def _fk(name: str, target: sa.Table, **kw) -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), sa.ForeignKey(target.c.id, ondelete="CASCADE"), nullable=False, **kw)


def _int(name: str, default: int) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text(str(default)))


def metadata(schema: str) -> sa.MetaData:
    meta = _build.metadata(schema)
    profiles = sa.Table(
        "profiles", meta, _id(),
        _text("clerk_user_id", nullable=True, unique=True),
        _text("luma_email", unique=True),
        _text("verification_status", server_default=sa.text("'pending'")),
        _bool("is_app_admin", False),
        _text("luma_attendee_id", nullable=True), _text("bio", nullable=True),
        _jsonb("skills", "[]"),
        _text("github_username", nullable=True), _text("twitter_handle", nullable=True),
        _text("website_url", nullable=True), _text("role", nullable=True),
        _bool("seeking_funding", False), _bool("open_to_mentoring", False),
        _int("streak_count", 0), _bool("onboarding_dismissed", False),
        _ts("created_at"), _ts("updated_at"),
    )
    sa.Index("profiles_lower_luma_email_idx", sa.func.lower(profiles.c.luma_email))
    sa.Index("profiles_skills_gin_idx", profiles.c.skills, postgresql_using="gin")
    sa.Index(None, profiles.c.luma_attendee_id)
    projects = sa.Table(
        "projects", meta, _id(),
        _fk("member_id", profiles),
        _text("title"), _text("description", nullable=True),
        _jsonb("tags", "[]"), _jsonb("image_urls", "[]"),
        _text("github_url", nullable=True), _text("public_url", nullable=True),
        _ts("created_at"), _ts("updated_at"),
    )
    sa.Index(None, projects.c.member_id)
    sa.Index("projects_lower_title_idx", sa.func.lower(projects.c.title))
    sa.Index("projects_tags_gin_idx", projects.c.tags, postgresql_using="gin")
    badges = sa.Table(
        "badges", meta, _id(),
        _text("name", unique=True), _text("icon_ascii"), _text("criteria"),
        _ts("created_at"),
    )
    member_badges = sa.Table(
        "member_badges", meta,
        _fk("member_id", profiles, primary_key=True), _fk("badge_id", badges, primary_key=True),
        _ts("awarded_at"),
    )
    sa.Index(None, member_badges.c.badge_id)
    events = sa.Table(
        "events", meta, _id(),
        _text("luma_event_id", unique=True), _text("name"),
        _text("description", nullable=True), _text("cover_url", nullable=True),
        _text("url"),
        _ts("start_at", default=False), _ts("end_at", nullable=True),
        _text("timezone"),
        _jsonb("location", nullable=True),
        _jsonb("stats", '{"registered":0,"checkedIn":0}'),
        _bool("is_canceled", False),
        _ts("last_synced_at"), _ts("created_at"), _ts("updated_at"),
    )
    sa.Index("events_upcoming_idx", events.c.start_at, postgresql_where=sa.text("not is_canceled"))
    attendance = sa.Table(
        "attendance", meta, _id(),
        _fk("member_id", profiles),
        _text("luma_event_id"),  # no foreign key (SPEC): attendance may precede the event's sync
        _text("status", server_default=sa.text("'registered'")),
        _ts("checked_in_at", nullable=True), _ts("created_at"),
        sa.UniqueConstraint("member_id", "luma_event_id"),
    )
    sa.Index(None, attendance.c.status, attendance.c.checked_in_at)
    sa.Index(None, attendance.c.luma_event_id, attendance.c.status)
    pending = sa.Table(
        "pending_users", meta, _id(),
        _text("email", unique=True), _text("name"), _text("luma_attendee_id", unique=True),
        _ts("subscribed_at"), _ts("approved_at", nullable=True), _ts("created_at"), _ts("updated_at"),
    )
    sa.Index("pending_users_lower_email_idx", sa.func.lower(pending.c.email))
    sa.Index("pending_users_unapproved_idx", pending.c.created_at, postgresql_where=sa.text("approved_at is null"))
    webhooks = sa.Table(
        "luma_webhooks", meta, _id(),
        _text("type"), _jsonb("payload"), _text("signature", nullable=True), _ts("received_at"),
    )
    sa.Index(None, webhooks.c.type, webhooks.c.received_at)
    surveys = sa.Table(
        "surveys", meta, _id(),
        _text("slug", unique=True), _text("title"), _text("description"), _text("type"),
        _bool("is_active", True), _jsonb("questions"),
        _ts("created_at"), _ts("updated_at"),
    )
    responses = sa.Table(
        "survey_responses", meta, _id(),
        _fk("survey_id", surveys), _fk("member_id", profiles),
        _jsonb("responses", "{}"), _bool("is_complete", False),
        _ts("submitted_at"), _ts("created_at"), _ts("updated_at"),
        sa.UniqueConstraint("survey_id", "member_id"),
    )
    sa.Index(None, responses.c.member_id)
    slots = sa.Table(
        "demo_slots", meta, _id(),
        _fk("member_id", profiles), _fk("event_id", events),
        _text("title"), _text("description", nullable=True), _text("requested_time", nullable=True),
        _int("duration_minutes", 5),
        _text("status", server_default=sa.text("'pending'")),
        _bool("confirmed_by_organizer", False),
        _ts("created_at"), _ts("updated_at"),
    )
    sa.Index(None, slots.c.member_id)
    sa.Index(None, slots.c.event_id, slots.c.status)
    sa.Index("demo_slots_pending_idx", slots.c.event_id, slots.c.created_at, postgresql_where=sa.text("status = 'pending'"))
    return meta


def statements(schema: str) -> list[str]:
    return _build.statements(metadata(schema))


def create(target, schema: str) -> None:
    """Create Hello Miami's tables in the existing `schema` (target: alembic op, SQLAlchemy or psycopg connection)."""
    _build.execute(target, statements(schema))
