"""Luma guests (luma/guests.jsonl) and MongoDB attendance, with the pairs they produce.

A pair (member, lumaEventId) is one target attendance row. A guest that contributes a pair is
migrated; every other guest is merged into its event's stats (`guest counted in event stats`
for a non-member who attends, `guest not attending` otherwise).
"""

from __future__ import annotations

import datetime as dt

from .common import Ctx, dumps, iso_z
from .hm_events import NOT_ATTENDING, TAT, TG, Event
from .hm_profiles import Profiles
from .podium_events import spread

NEWER_SHAPE = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def _variant(ctx: Ctx, email: str) -> str:
    return ctx.pick((email, email.lower(), email.upper(), f" {email} ", email.capitalize()))


def _repeat(entry: dict, rule: str) -> dict:
    """The entry again, as it was or with another approval_status (one field differs)."""
    if rule == "exact duplicate":
        return entry
    again = {**entry, "guest": dict(entry["guest"])} if "guest" in entry else dict(entry)
    inner = again.get("guest", again)
    inner["approval_status"] = "declined" if inner.get("approval_status") != "declined" else "approved"
    return again


class Guests:
    def __init__(self) -> None:
        self.pairs: dict[tuple[int, str], dict] = {}  # (member, event) -> {status, at, registered}
        self.n = 0


def write_guests(ctx: Ctx, p: Profiles, events: list[Event], fh) -> Guests:
    rng, tally, g = ctx.rng, ctx.tally, Guests()
    luma = [e for e in events if e.in_luma and e.kind != "duplicate"]
    with_usr = [i for i in p.plain if p.attendee[i] and p.attendee[i].startswith("usr-")]
    special = [("by attendee id", None)] * ctx.d(3) + [("by guest api_id", m) for m in p.gst_attendee]
    special += [("unapproved check-in", None)] * ctx.d(1)
    special += [(f"member {s}", None) for s in NOT_ATTENDING] + [(f"stranger {s}", None) for s in NOT_ATTENDING]
    counts = spread(ctx, max(ctx.n(3000), len(special) + len(luma)), len(luma))
    slots = [(e, j) for e, c in zip(luma, counts) for j in range(c)]
    special_at = dict(zip(rng.sample(range(len(slots)), len(special)), special))
    # a guest listed twice (the previous line's key again): once as it was, once with another status
    repeatable = [n for n, (_, j) in enumerate(slots)  # even: never two repeats in a row
                  if j > 0 and n % 2 == 0 and n not in special_at and n - 1 not in special_at]
    repeats = rng.sample(repeatable, min(len(repeatable), ctx.d(1) + ctx.d(1)))
    repeat_at = {n: ("exact duplicate" if k % 2 == 0 else "conflicting duplicate") for k, n in enumerate(repeats)}
    used: dict[str, set[int]] = {}
    by_api_id = set(p.gst_attendee)
    entry: dict = {}
    for n, (e, j) in enumerate(slots):
        if n in repeat_at:
            fh.write(dumps(_repeat(entry, repeat_at[n])) + "\n")
            g.n += 1
            tally.merged(TG, repeat_at[n])  # the line listed first is kept
            if repeat_at[n] == "conflicting duplicate":
                tally.conflict("luma_duplicate")  # approval_status differs
            continue
        kind, who = special_at.get(n, ("random", None))
        taken = used.setdefault(e.api_id, set())
        status = "approved"
        member = None
        email = f"guest.{n}@{ctx.pick(('gmail.com', 'yahoo.com', 'icloud.com'))}"
        user_api_id, api_id = ctx.luma_id("usr"), ctx.luma_id("gst")
        if kind == "random":
            if rng.random() < 0.62:
                member = ctx.pick(p.ok)
                if member in taken or member in by_api_id:  # those appear only by their api_id
                    member = None
            status = rng.choices(("approved",) + NOT_ATTENDING, (80, 5, 4, 4, 4, 3))[0]
        elif kind == "by attendee id":
            member = ctx.pick_where((with_usr,), lambda m: m not in taken)[0]
            user_api_id, email = p.attendee[member], f"work.{n}@startup.example"
            tally.note(f"{TG}: matched only by lumaAttendeeId")
        elif kind == "by guest api_id":
            member, api_id, email = who, p.attendee[who], f"alt.{n}@startup.example"
            tally.note(f"{TG}: matched only by lumaAttendeeId")
        elif kind == "unapproved check-in":
            member = ctx.pick_where((p.plain,), lambda m: m not in taken)[0]
            status = "pending_approval"
            tally.note(f"{TG}: checked in without approval")
        elif kind.startswith("member "):
            member, status = ctx.pick_where((p.plain,), lambda m: m not in taken)[0], kind.split()[1]
        else:
            status = kind.split()[1]
        if member is not None and member in taken:
            member = None
        if member is not None:
            taken.add(member)
            if kind in ("random", "unapproved check-in") or kind.startswith("member "):
                email = _variant(ctx, p.email[member])
                if p.attendee[member] and p.attendee[member].startswith("usr-"):
                    user_api_id = p.attendee[member]
        registered = e.created + dt.timedelta(minutes=ctx.ri(1, 60 * 24 * 6))
        checked = None
        if (status == "approved" and rng.random() < 0.55) or kind == "unapproved check-in":
            checked = e.start + dt.timedelta(minutes=ctx.ri(0, 90))
        guest = {"api_id": api_id, "user_api_id": user_api_id, "name": email.split("@")[0].strip().title(),
                 "approval_status": status, "registered_at": iso_z(registered)}
        guest["user_email" if rng.random() < 0.1 else "email"] = email
        if e.start < NEWER_SHAPE:
            guest["checked_in_at"] = iso_z(checked) if checked else None
        else:
            tickets = [{"api_id": ctx.luma_id("tkt"), "checked_in_at": None}]
            if rng.random() < 0.1:
                tickets.append({"api_id": ctx.luma_id("tkt"), "checked_in_at": None})
            if checked:
                tickets[-1]["checked_in_at"] = iso_z(checked)
            guest["event_tickets"] = tickets
        attending = checked is not None or status == "approved"
        e.approved += status == "approved"
        e.guests_reg += attending
        e.guests_in += checked is not None
        entry = {"api_id": api_id, "guest": guest} if n % 3 else dict(guest)
        entry["event_api_id"] = e.api_id
        fh.write(dumps(entry) + "\n")
        g.n += 1
        if member is not None and attending:
            key = (p.primary[member], e.api_id)
            g.pairs[key] = {"checked": checked, "registered": registered, "luma": True, "start": e.start}
            tally.migrated(TG)
        elif member is None and attending:
            tally.merged(TG, "guest counted in event stats")
        else:
            tally.merged(TG, "guest not attending")
    return g


def write_attendance(ctx: Ctx, p: Profiles, events: list[Event], g: Guests, writer) -> None:
    """MongoDB attendance: mirrors of Luma, local check-ins, old events, duplicates, dangling."""
    rng, tally = ctx.rng, ctx.tally

    def row(member_oid, api_id, status, checked, created):
        doc = {"_id": ctx.object_id(created), "memberId": member_oid, "lumaEventId": api_id,
               "status": status, "checkedInAt": checked, "createdAt": created, "updatedAt": checked or created}
        writer.write(doc)

    pairs = sorted(g.pairs.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    registered_only = [kv for kv in pairs if kv[1]["checked"] is None]
    local = set(rng.sample(range(len(registered_only)), min(ctx.d(3), len(registered_only))))
    local_keys = {registered_only[i][0] for i in local}
    for key, info in pairs:
        m, api_id = key
        if key in local_keys:
            # checked in at the door; the write-back to Luma failed
            at = info["start"] + dt.timedelta(minutes=ctx.ri(0, 45))
            row(p.oid[m], api_id, "checked-in", at, info["registered"])
            tally.migrated(TAT)
            tally.note(f"{TAT}: local check-in Luma does not have")
        elif rng.random() < 0.75:
            checked = info["checked"] + dt.timedelta(seconds=ctx.ri(5, 300)) if info["checked"] else None
            row(p.oid[m], api_id, "checked-in" if checked else "registered", checked, info["registered"])
            tally.migrated(TAT)
    old = [e for e in events if e.kind == "old"]
    for e in old:
        for m in rng.sample(p.plain, min(8, len(p.plain))):
            checked = e.start + dt.timedelta(minutes=ctx.ri(0, 60)) if rng.random() < 0.6 else None
            row(p.oid[m], e.api_id, "checked-in" if checked else "registered", checked, e.created)
            g.pairs[(m, e.api_id)] = {"checked": checked, "registered": e.created, "luma": False}
            tally.migrated(TAT)
    for defect, count in (("duplicate", ctx.d(2)), ("re-pointed", ctx.d(1))):
        for _ in range(count):
            e = ctx.pick(old)
            dup, prim = ctx.pick(p.dups)
            if defect == "re-pointed":
                targets = old + [x for x in events if x.kind == "matched"]
                e, (dup, prim) = ctx.pick_where((targets, p.dups), lambda x, dq: (dq[1], x.api_id) not in g.pairs)
            if defect == "duplicate":
                if (prim, e.api_id) not in g.pairs:
                    row(p.oid[prim], e.api_id, "registered", None, e.created)
                    g.pairs[(prim, e.api_id)] = {"checked": None, "registered": e.created, "luma": False}
                    tally.migrated(TAT)
                row(p.oid[dup], e.api_id, "registered", None, e.created + dt.timedelta(hours=1))
                tally.merged(TAT, "duplicate attendance")
            else:
                row(p.oid[dup], e.api_id, "registered", None, e.created)
                g.pairs[(prim, e.api_id)] = {"checked": None, "registered": e.created, "luma": False}
                tally.migrated(TAT)
                tally.note(f"{TAT}: memberId re-pointed")
    for _ in range(ctx.d(2)):
        e = ctx.pick(old)
        row(ctx.object_id(e.created), e.api_id, "registered", None, e.created)
        tally.quarantined(TAT, "memberId not found")
    e = ctx.pick(old)
    row(p.oid[ctx.pick(p.quarantined)], e.api_id, "registered", None, e.created)
    tally.quarantined(TAT, "memberId not migrated")
    tally.targets["hello_miami.attendance"] = len(g.pairs)
