"""The one registry of applications, their sources and source tables (SPEC §2, §3).

Everything that lists applications, sources, source tables, the fields the models read or the
application tables is derived from here: the dlt sources' table lists, the land asset and check
specs, the gates (land field contract, reconcile anti-joins and unions), the sample generator's
table lists. Pure data and small accessors, no imports beyond the standard library, so every layer
(sources, models' runner, gates, definitions) can import it downward.

`fields` are exactly the record fields the staging models (`sql_models/staging/stg_<source>__<table>.sql`)
read from the record column, besides `optional` ones (read where present, commonly absent), `key_fields`
(read only to find the key, which the land gate's key rules judge on the key columns) and the
wrapper (Luma's `event`/`guest` object);
tests/test_registry.py parses the SQL and fails when the two differ. The raw contract
(`sql_models/raw_contract.sql`) is SQL and is tested against `TABLES` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Application:
    name: str
    tables: tuple[str, ...]  # its tables, in the target schema's order (SPEC §3)
    # a table whose rows have no `id` (the migration's target id): its natural key, and the
    # intermediate model that relates a target id to it (for the reconcile anti-joins)
    natural_keys: tuple[tuple[str, tuple[str, ...], str], ...] = ()
    # the tables the application already writes itself in PostgreSQL (SPEC §4 "Rows already live"):
    # a source record matched to a live row of one of these keeps the live row's values and only
    # fills the fields it lacks (for every other table the source wins; overridden by
    # CUTOVER_LIVE_WINS), and they are live before any cutover, so a table cut over on its own may
    # reference them (`cutover apply --tables`)
    writes_live: tuple[str, ...] = ()

    def natural_key(self, table: str) -> tuple[tuple[str, ...], str] | None:
        return next(((keys, model) for name, keys, model in self.natural_keys if name == table), None)


@dataclass(frozen=True)
class Source:
    name: str
    application: str
    record_column: str  # the jsonb column of the raw table holding the record as received
    description: str


@dataclass(frozen=True)
class Table:
    source: str
    name: str
    keys: tuple[str, ...]  # the raw table's natural key columns
    source_id: str  # the classification's source_id of a raw row `r` (reconcile anti-joins)
    feeds: tuple[str, ...]  # the application tables its records become
    fields: tuple[str, ...]  # the record fields the staging model reads: the land gate's field contract
    # also read, but commonly absent from every record, so not in the contract: bookkeeping
    # timestamps (MongoDB's createdAt falls back to the ObjectId's time) and older field names
    optional: tuple[str, ...] = ()
    key_fields: tuple[str, ...] = ()  # record fields read only to find the key
    wrapper: str | None = None  # Luma's wrapped shape: {"api_id": …, "<wrapper>": {…}}

    @property
    def application(self) -> str:
        return SOURCES[self.source].application

    @property
    def record_column(self) -> str:
        return SOURCES[self.source].record_column

    @property
    def raw(self) -> str:
        return f"raw_{self.source}.{self.name}"


APPLICATIONS = {
    "podium": Application("podium", ("users", "events", "projects", "votes", "referrals", "event_attendees",
                                     "project_collaborators")),
    "hello_miami": Application("hello_miami", ("profiles", "projects", "badges", "member_badges", "events",
                                               "attendance", "pending_users", "luma_webhooks", "surveys",
                                               "survey_responses", "demo_slots"),
                                 natural_keys=(("member_badges", ("member_id", "badge_id"),
                                                "intermediate.int_hello_miami__member_badges"),),
                                 writes_live=("profiles", "events")),
}

SOURCES = {
    "airtable": Source("airtable", "podium", "fields",
                       "Podium's Airtable base, landed unchanged (id, created_time, fields jsonb)."),
    "mongo": Source("mongo", "hello_miami", "document",
                    "Hello Miami's MongoDB collection, landed unchanged (_id, timestamps, document jsonb)."),
    "luma": Source("luma", "hello_miami", "record",
                   "Hello Miami's Luma API entries (events and their guests), landed unchanged (keys, timestamps, record jsonb); merge."),
}


def _airtable(name: str, feeds: tuple[str, ...], fields: str) -> Table:
    return Table("airtable", name, ("id",), "r.id", feeds, tuple(fields.split()))


def _mongo(name: str, fields: str, optional: str = "createdAt updatedAt") -> Table:
    # every collection feeds the application table of its own name
    return Table("mongo", name, ("_id",), "lower(r._id)", (name,), tuple(fields.split()), tuple(optional.split()))


TABLES: tuple[Table, ...] = (
    _airtable("users", ("users",), "email display_name first_name last_name phone street_1 street_2 city state "
                                   "zip_code country dob attending_events"),
    _airtable("events", ("events", "event_attendees"), "name description slug join_code votable leaderboard_enabled "
                                                       "demo_links_optional ysws_checks_enabled feature_flags_csv owner attendees"),
    _airtable("projects", ("projects", "project_collaborators"), "name repo image_url demo description hours_spent "
                                                                 "points join_code cached_auto_quality event owner collaborators"),
    _airtable("votes", ("votes",), "voter project event"),
    _airtable("referrals", ("referrals",), "content user event"),
    _mongo("profiles", "clerkUserId lumaEmail verificationStatus isAppAdmin lumaAttendeeId bio skills githubUsername "
                       "twitterHandle websiteUrl role seekingFunding openToMentoring streakCount onboardingDismissed"),
    _mongo("projects", "memberId title description tags imageUrls githubUrl publicUrl"),
    # `icon` is the older name of iconAscii; documents carry one or the other
    _mongo("badges", "name iconAscii criteria", "createdAt icon"),
    _mongo("member_badges", "memberId badgeId awardedAt", "createdAt"),
    _mongo("events", "lumaEventId name description coverUrl url startAt endAt timezone location stats isCanceled",
           "lastSyncedAt createdAt updatedAt"),
    _mongo("attendance", "memberId lumaEventId status checkedInAt", "createdAt"),
    _mongo("pending_users", "email name lumaAttendeeId subscribedAt approvedAt"),
    _mongo("luma_webhooks", "type payload signature receivedAt", "createdAt"),
    _mongo("surveys", "slug title description type isActive questions"),
    _mongo("survey_responses", "surveyId memberId responses isComplete submittedAt"),
    _mongo("demo_slots", "memberId eventId title description requestedTime durationMinutes status "
                         "confirmedByOrganizer"),
    Table("luma", "events", ("api_id",), "r.api_id", ("events",),
          ("name", "description", "cover_url", "url", "start_at", "end_at", "timezone", "geo_address_info",
           "is_canceled"), optional=("created_at", "updated_at"), key_fields=("api_id", "id"), wrapper="event"),
    # email, or user_email in older entries
    Table("luma", "guests", ("event_api_id", "api_id"), "r.event_api_id || ':' || r.api_id", ("attendance",),
          ("user_api_id", "email", "name", "approval_status", "registered_at", "checked_in_at", "event_tickets"),
          optional=("user_email",), key_fields=("api_id", "id"), wrapper="guest"),
)


def table(source: str, name: str) -> Table:
    for entry in TABLES:
        if entry.source == source and entry.name == name:
            return entry
    raise KeyError(f"{source}.{name} is not a source table of the registry")


def tables(source: str | None = None, application: str | None = None) -> tuple[Table, ...]:
    """The source tables of `source` and/or `application`, in the registry's order."""
    return tuple(t for t in TABLES if (source is None or t.source == source)
                 and (application is None or t.application == application))


def table_names(source: str) -> tuple[str, ...]:
    return tuple(t.name for t in tables(source))


def mapped_fields(source: str) -> dict[str, list[str]]:
    """Table -> the record fields the models read (the land gate's field contract)."""
    return {t.name: list(t.fields) for t in tables(source)}


def sources_of(application: str) -> tuple[str, ...]:
    return tuple(s.name for s in SOURCES.values() if s.application == application)


def application_of(source: str) -> str:
    return SOURCES[source].application


def title(application: str) -> str:
    """How people name the application in a sentence: `hello_miami` -> Hello Miami."""
    return application.replace("_", " ").title()


def live_wins(environ=None) -> tuple[str, ...]:
    """The tables (`<app>.<table>`) whose live rows win their fields over the matched source
    records (SPEC §4): each application's `writes_live`, or the setting CUTOVER_LIVE_WINS, a comma
    list of `<app>.<table>` that replaces it ("" makes the source win everywhere). The models
    read it through staging.live_wins (the run's setting cutover.live_wins)."""
    import os

    setting = (environ if environ is not None else os.environ).get("CUTOVER_LIVE_WINS")
    if setting is None:
        return tuple(f"{a.name}.{t}" for a in APPLICATIONS.values() for t in a.writes_live)
    named = tuple(n.strip() for n in setting.split(",") if n.strip())
    unknown = [n for n in named if n.partition(".")[0] not in APPLICATIONS or n.partition(".")[2] not in APPLICATIONS[n.partition(".")[0]].tables]
    if unknown:
        raise ValueError(f"CUTOVER_LIVE_WINS names {', '.join(unknown)}, which is not <application>.<table> of an application's table: fix the setting.")
    return named
