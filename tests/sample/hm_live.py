"""Rows already in Hello Miami's live tables before the demo's first dry-run (SPEC §4 "Rows already
live"): the application writes `profiles` (Clerk sign-ins) and `events` (its Luma sync) itself.

Written to live/hello_miami.json beside the snapshot (the dry-run reads the live tables, not this
file; `cutover demo` puts these rows into them first, assets/demo.py). Some match MongoDB profiles
by email and Luma events by id with differing fields, so the report shows the live hop and the
`live_source` conflicts; others are live only. Drawn from the generated records without the
seeded random stream, so the snapshot and expected.json are the same bytes with or without them.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from .common import dumps, iso_z

MATCHED_PROFILES, LIVE_ONLY_PROFILES = 3, 2


def _id(seed: int, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sample-live/{seed}/{name}"))


def write(out: Path, seed: int, p, events) -> None:
    profiles = []
    for n, i in enumerate(p.plain[:MATCHED_PROFILES]):
        profiles.append({"id": _id(seed, f"profile/{n}"), "luma_email": p.email[i].strip().lower(),
                         "clerk_user_id": f"user_live{n}", "verification_status": "verified",
                         "bio": "Written in the app after signing in.", "linkedin_url": f"https://www.linkedin.com/in/member{n}"})
    for n in range(LIVE_ONLY_PROFILES):
        profiles.append({"id": _id(seed, f"profile/only/{n}"), "luma_email": f"new.member{n}@example.org",
                         "clerk_user_id": f"user_new{n}", "verification_status": "pending",
                         "bio": "Signed in, not yet in MongoDB.", "linkedin_url": None})
    matched = next(e for e in events if e.kind == "matched")
    live_events = [
        {"id": _id(seed, "event/0"), "luma_event_id": matched.api_id, "name": f"{matched.name} (renamed in the app)",
         "url": f"https://lu.ma/{matched.api_id[4:12].lower()}", "start_at": iso_z(matched.start),
         "timezone": "America/New_York"},
        {"id": _id(seed, "event/only"), "luma_event_id": "evt-live-only", "name": "Hello Miami Office Hours",
         "url": "https://lu.ma/office-hours", "start_at": "2026-11-05T23:00:00.000Z", "timezone": "America/New_York"},
    ]
    (out / "live").mkdir(exist_ok=True)
    (out / "live" / "hello_miami.json").write_text(dumps({"profiles": profiles, "events": live_events}) + "\n", encoding="utf-8")
