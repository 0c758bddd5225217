"""Podium's Airtable base: the dlt source (`source.py`), the rate-limited client (`client.py`) and
the live snapshot writer (`snapshot.py`).

`MAPPED_FIELDS` is the schema contract of the land gate (SPEC §4): every field the SQL mapping reads
per table. A field listed here that the base's schema lacks fails the land gate by name; without a
schema, a field found in no landed record is a warning (Airtable omits empty fields).
"""

TABLES = ("users", "events", "projects", "votes", "referrals")

MAPPED_FIELDS: dict[str, list[str]] = {
    "users": [
        "email", "display_name", "first_name", "last_name", "phone", "street_1", "street_2",
        "city", "state", "zip_code", "country", "dob", "attending_events",
    ],
    "events": [
        "name", "description", "slug", "join_code", "votable", "leaderboard_enabled",
        "demo_links_optional", "ysws_checks_enabled", "feature_flags_csv", "owner", "attendees",
    ],
    "projects": [
        "name", "repo", "image_url", "demo", "description", "hours_spent", "points", "join_code",
        "cached_auto_quality", "event", "owner", "collaborators",
    ],
    "votes": ["voter", "project", "event"],
    "referrals": ["content", "user", "event"],
}
