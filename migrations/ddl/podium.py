"""Podium's target DDL (SPEC §3.1), for any schema name (`podium` live, `podium_next` candidate).

Decisions the SPEC leaves open:
- Foreign-key columns are `not null` everywhere (a vote, referral or link row without its ends is
  meaningless; the rules quarantine such records before they reach the target).
- `on delete`: rows that only exist for their parent cascade (votes, referrals, attendee and
  collaborator links, an event's projects); an owner cannot be deleted while they own events or
  projects (`restrict`), so deleting a user never silently deletes a whole event.
- `id` has no server default: the application (and the migration, via `migration.stable_id`)
  chooses ids.
- Indexes: `points` (leaderboard), `lower(email)` (case-insensitive login lookup), and every
  foreign-key column that does not lead a unique key, so cascades and joins do not scan.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from migrations.ddl import _build

TABLES = ("users", "events", "projects", "votes", "referrals", "event_attendees", "project_collaborators")


def _text(name: str, length: int | None = None) -> sa.Column:
    """A text column the application never leaves null: not null default ''."""
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, server_default=sa.text("''"))


def _false(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.text("false"))


def _id() -> sa.Column:
    return sa.Column("id", UUID(as_uuid=True), primary_key=True)


def _airtable_id() -> sa.Column:
    return sa.Column("airtable_id", sa.String(32), unique=True)


def _fk(name: str, target: sa.Table, ondelete: str) -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), sa.ForeignKey(target.c.id, ondelete=ondelete), nullable=False)


def metadata(schema: str) -> sa.MetaData:
    meta = _build.metadata(schema)
    users = sa.Table(
        "users", meta, _id(), _airtable_id(),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
        _text("display_name", 255),
        sa.Column("first_name", sa.String(50), nullable=False),
        _text("last_name", 50), _text("phone", 20), _text("street_1", 255), _text("street_2", 255),
        _text("city", 100), _text("state", 100), _text("zip_code", 20), _text("country", 100),
        sa.Column("dob", sa.Date(), nullable=True),
    )
    sa.Index("users_lower_email_idx", sa.func.lower(users.c.email))
    events = sa.Table(
        "events", meta, _id(), _airtable_id(),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("slug", sa.String(50), nullable=False, unique=True),
        _text("description"),
        sa.Column("join_code", sa.String(20), nullable=False, unique=True),
        _false("votable"), _false("leaderboard_enabled"), _false("demo_links_optional"), _false("ysws_checks_enabled"),
        _text("feature_flags_csv", 500),
        _fk("owner_id", users, "RESTRICT"),
    )
    sa.Index(None, events.c.owner_id)
    projects = sa.Table(
        "projects", meta, _id(), _airtable_id(),
        sa.Column("name", sa.String(255), nullable=False),
        _text("repo"), _text("image_url"), _text("demo"), _text("description"),
        sa.Column("join_code", sa.String(20), nullable=False, unique=True),
        sa.Column("hours_spent", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("points", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("cached_auto_quality", JSONB(), nullable=True),
        _fk("owner_id", users, "RESTRICT"),
        _fk("event_id", events, "CASCADE"),
    )
    sa.Index(None, projects.c.points)
    sa.Index(None, projects.c.owner_id)
    sa.Index(None, projects.c.event_id)
    votes = sa.Table(
        "votes", meta, _id(), _airtable_id(),
        _fk("voter_id", users, "CASCADE"), _fk("project_id", projects, "CASCADE"), _fk("event_id", events, "CASCADE"),
        sa.UniqueConstraint("voter_id", "project_id"),
    )
    sa.Index(None, votes.c.project_id)
    sa.Index(None, votes.c.event_id)
    referrals = sa.Table(
        "referrals", meta, _id(), _airtable_id(),
        _text("content"),
        _fk("user_id", users, "CASCADE"), _fk("event_id", events, "CASCADE"),
    )
    sa.Index(None, referrals.c.user_id)
    sa.Index(None, referrals.c.event_id)
    attendees = sa.Table(
        "event_attendees", meta, _id(),
        _fk("event_id", events, "CASCADE"), _fk("user_id", users, "CASCADE"),
        sa.UniqueConstraint("event_id", "user_id"),
    )
    sa.Index(None, attendees.c.user_id)
    collaborators = sa.Table(
        "project_collaborators", meta, _id(),
        _fk("project_id", projects, "CASCADE"), _fk("user_id", users, "CASCADE"),
        sa.UniqueConstraint("project_id", "user_id"),
    )
    sa.Index(None, collaborators.c.user_id)
    return meta


def statements(schema: str) -> list[str]:
    return _build.statements(metadata(schema))


def create(target, schema: str) -> None:
    """Create Podium's tables in the existing `schema` (target: alembic op, SQLAlchemy or psycopg connection)."""
    _build.execute(target, statements(schema))
