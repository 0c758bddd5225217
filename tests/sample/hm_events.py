"""Hello Miami events in MongoDB and Luma, Luma's guests, and MongoDB attendance.

Luma is the truth for matched events; the MongoDB copy disagrees on purpose (a renamed event, a
moved start), keeps wrong stats (checkedIn = approval count), and misses or duplicates ids.
"""

from __future__ import annotations

import datetime as dt

from . import names
from .common import Ctx, dumps, iso_z
from .hm_profiles import Profiles
from .podium_events import spread

TM, TL, TG, TAT = "mongo.events", "luma.events", "luma.guests", "mongo.attendance"
MONGO_KINDS = (("renamed", 2), ("moved", 2), ("old", 2), ("missing id", 1), ("duplicate", 1))
NOT_ATTENDING = ("declined", "waitlist", "invited", "pending_approval", "session")


class Event:
    __slots__ = ("api_id", "kind", "name", "start", "end", "oid", "created", "venue", "canceled",
                 "cover", "guests_reg", "guests_in", "approved", "in_luma", "in_mongo")

    def __init__(self, ctx: Ctx, kind: str, i: int) -> None:
        self.kind = kind
        self.api_id = ctx.luma_id("evt")
        self.name = f"{ctx.pick(names.EVENT_WORDS)} Miami #{i + 1}"
        self.start = ctx.when(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)).replace(second=0, microsecond=0, minute=0)
        self.end = self.start + dt.timedelta(hours=3)
        self.created = self.start - dt.timedelta(days=ctx.ri(7, 40))
        self.venue = ctx.pick(names.VENUES) if ctx.rng.random() < 0.85 else None
        self.canceled = ctx.rng.random() < 0.03
        self.cover = f"https://images.lumacdn.com/event-covers/{self.api_id.lower()}.png" if ctx.rng.random() < 0.8 else None
        self.guests_reg = self.guests_in = self.approved = 0
        self.in_luma = kind not in ("old", "missing id")
        self.in_mongo = kind != "luma only"
        self.oid = ctx.object_id(self.created)


def build_events(ctx: Ctx) -> list[Event]:
    kinds = [k for k, base in MONGO_KINDS for _ in range(ctx.d(base))]
    n_mongo = max(ctx.n(60), len(kinds) + 2)
    kinds += ["matched"] * (n_mongo - len(kinds))
    ctx.rng.shuffle(kinds)
    kinds = [k for k in kinds if k != "duplicate"] + [k for k in kinds if k == "duplicate"]
    matched = sum(k not in ("old", "missing id", "duplicate") for k in kinds)
    kinds += ["luma only"] * max(ctx.d(1), ctx.n(70) - matched)
    events: list[Event] = []
    for i, k in enumerate(kinds):
        e = Event(ctx, k, i)
        if k == "duplicate":  # the same Luma event synced twice into MongoDB, later
            src = ctx.pick([x for x in events if x.kind == "matched"])
            e.api_id, e.name, e.start, e.end, e.venue = src.api_id, src.name, src.start, src.end, src.venue
            e.canceled, e.cover = src.canceled, src.cover
            e.created = src.created + dt.timedelta(days=1)
            e.oid = ctx.object_id(e.created)
        events.append(e)
    return events


def _location(e: Event):
    if e.venue is None:
        return None
    name, address, lat, lng = e.venue
    return {"type": "offline", "name": name, "address": address, "lat": lat, "lng": lng}


def luma_event(ctx: Ctx, e: Event, i: int) -> dict:
    ev = {"api_id": e.api_id, "name": e.name, "description": f"Monthly build night: {e.name}.",
          "cover_url": e.cover, "url": f"https://lu.ma/{e.api_id[4:12].lower()}",
          "start_at": iso_z(e.start), "end_at": iso_z(e.end), "timezone": "America/New_York",
          "guest_count": e.guests_reg, "is_canceled": e.canceled}
    if e.venue:
        name, address, lat, lng = e.venue
        ev["geo_address_info"] = {"type": "offline", "place_name": name, "address": address,
                                  "city": "Miami", "latitude": lat, "longitude": lng}
    if e.kind == "renamed":
        ev["name"] = e.name + ": AI Edition"
        ctx.tally.conflict("mongo_luma")
        ctx.tally.note(f"{TL}: renamed in Luma")
    if ctx.rng.random() < 0.6:
        ev["created_at"] = iso_z(e.created)
        ev["updated_at"] = iso_z(e.created + dt.timedelta(days=2))
    if i % 2:
        return {"api_id": e.api_id, "event": ev}
    if e.kind == "luma only" and ctx.tally.dirt[f"{TL}: flat entry keyed by id"] < 1:
        ev["id"] = ev.pop("api_id")
        ctx.tally.note(f"{TL}: flat entry keyed by id")
    return ev


def mongo_event(ctx: Ctx, e: Event) -> dict:
    start = e.start
    if e.kind == "moved":
        start = e.start - dt.timedelta(hours=1)
        ctx.tally.conflict("mongo_luma")
        ctx.tally.note(f"{TM}: start differs from Luma")
    doc = {"_id": e.oid}
    if e.kind != "missing id":
        doc["lumaEventId"] = e.api_id
    if e.in_luma and e.kind != "duplicate":
        # the application stored Luma's approval count as the check-in count
        stats = {"registered": e.approved, "checkedIn": e.approved}
        if (e.approved, e.approved) != (e.guests_reg, e.guests_in):
            ctx.tally.note(f"{TM}: stats differ from Luma's guest list")
    else:
        stats = {"registered": ctx.ri(10, 60), "checkedIn": ctx.ri(0, 10)}
    doc.update(name=e.name, description=f"Monthly build night: {e.name}.", coverUrl=e.cover,
               url=f"https://lu.ma/{e.api_id[4:12].lower()}", startAt=start, endAt=e.end,
               timezone="America/New_York", location=_location(e), stats=stats, isCanceled=e.canceled,
               lastSyncedAt=e.created + dt.timedelta(days=5), createdAt=e.created,
               updatedAt=e.created + dt.timedelta(days=5))
    return doc
