"""Hello Miami profiles (MongoDB): members, duplicate emails, empty and clashing Clerk ids.

Decisions: a profile's fate is fixed by its kind; only what other collections need (ObjectId,
email key, lumaAttendeeId, pools) stays in memory, the document is encoded as it is built.
"""

from __future__ import annotations

import datetime as dt

from . import names
from .common import Ctx
from .podium_users import ascii_slug

T = "mongo.profiles"


class Profiles:
    def __init__(self) -> None:
        self.oid: list = []
        self.email: list[str | None] = []  # as stored (case/whitespace kept)
        self.attendee: list[str | None] = []
        self.primary: list[int] = []
        self.ok: list[int] = []             # migrated (singles and primaries)
        self.plain: list[int] = []          # migrated singles with an email and no special role
        self.dups: list[tuple[int, int]] = []
        self.quarantined: list[int] = []
        self.gst_attendee: list[int] = []   # lumaAttendeeId holds a guest api_id (gst-…)


def _clerk(ctx: Ctx) -> str:
    return "user_" + "".join(ctx.rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=27))


def _doc(ctx: Ctx, oid, created, email, kind: str, fill: int, verified: bool, attendee, clerk) -> dict:
    """One profile document; `fill` = how many of the completeness fields are non-empty."""
    from bson import Int64

    rng = ctx.rng
    handle = ascii_slug(email.split("@")[0]) if email else f"member{ctx.ri(1, 9999)}"
    optional = [("bio", ctx.pick(names.BIOS)), ("skills", rng.sample(names.SKILLS, ctx.ri(1, 4))),
                ("githubUsername", handle), ("twitterHandle", "@" + handle[:14]),
                ("websiteUrl", f"https://{handle}.dev"), ("role", ctx.pick(names.ROLES[:-1]))]
    doc = {"_id": oid, "clerkUserId": clerk}
    if email is not None or kind != "missing_email_absent":
        doc["lumaEmail"] = email if email is not None else ""
    doc.update(verificationStatus="verified" if verified else "pending", isAppAdmin=rng.random() < 0.01,
               lumaAttendeeId=attendee)
    have = fill - (clerk not in (None, "")) - (attendee is not None)
    for k, v in optional:
        if have > 0:
            doc[k] = v
            have -= 1
        elif rng.random() < 0.5:
            doc[k] = [] if k == "skills" else None
    doc.update(seekingFunding=rng.random() < 0.1, openToMentoring=rng.random() < 0.2,
               streakCount=Int64(ctx.ri(0, 40)), onboardingDismissed=rng.random() < 0.6)
    if created is not None:
        doc["createdAt"] = created
    doc["updatedAt"] = ctx.after(created) if created else ctx.when()
    return doc


def build_and_write(ctx: Ctx, writer) -> Profiles:
    from bson import DatetimeMS

    rng, tally, p = ctx.rng, ctx.tally, Profiles()
    total = ctx.n(1200, 40)
    specs: list[dict] = []
    for g in range(ctx.d(6)):
        kind = "vco"[g % 3]
        first, last = ctx.pick(names.FIRST), ctx.pick(names.LAST)
        base = f"{ascii_slug(first)}.{ascii_slug(last)}{g}@{ctx.pick(names.DOMAINS)}"
        t = ctx.when(hi=ctx.captured_at - dt.timedelta(days=50))
        if kind == "v":  # verified wins over a more complete, older pending record
            prim = dict(email=base.capitalize(), created=t + dt.timedelta(days=40), verified=True, fill=1, clerk=_clerk(ctx))
            dup = dict(email=base, created=t, verified=False, fill=4, clerk=None)
        elif kind == "c":  # neither verified: the most complete wins although newest
            prim = dict(email=base, created=t + dt.timedelta(days=10), verified=False, fill=5, clerk=None)
            dup = dict(email=f" {base.upper()} ", created=t, verified=False, fill=1, clerk=None)
        else:  # equal: the oldest wins
            prim = dict(email=base, created=t, verified=False, fill=2, clerk=None)
            dup = dict(email=base.title(), created=t + dt.timedelta(days=3), verified=False, fill=2, clerk=None)
        prim.update(kind="primary", group=g)
        dup.update(kind="dup", group=g)
        specs += [prim, dup] if rng.random() < 0.5 else [dup, prim]
    for kind, count in (("missing_email_absent", 1), ("missing_email_blank", ctx.d(1)),
                        ("empty_clerk", ctx.d(4)), ("clash_clerk", ctx.d(1)), ("gst_attendee", ctx.d(1)),
                        ("far_future", 1), ("no_created", ctx.d(1))):
        specs.extend(dict(kind=kind) for _ in range(count))
    specs.extend(dict(kind="single") for _ in range(max(0, total - len(specs))))
    rng.shuffle(specs)
    group_primary: dict[int, int] = {}
    pending: list[tuple[int, int]] = []
    clash_holders: list = []
    for s in specs:
        i, kind = len(p.oid), s["kind"]
        created = s.get("created") or ctx.when()
        oid = ctx.object_id(created)
        if "email" in s:
            email = s["email"]
        elif kind.startswith("missing_email"):
            email = None
        else:
            email = f"{ascii_slug(ctx.pick(names.FIRST))}.{ascii_slug(ctx.pick(names.LAST))}.{i}@{ctx.pick(names.DOMAINS)}"
            if rng.random() < 0.1:
                email = email.title()
        attendee = None
        if kind == "gst_attendee":
            attendee = ctx.luma_id("gst")
        elif kind in ("single", "empty_clerk", "clash_clerk", "far_future", "no_created") and rng.random() < 0.8:
            attendee = ctx.luma_id("usr")
        clerk = s.get("clerk", _clerk(ctx) if rng.random() < 0.6 else None)
        if kind == "empty_clerk":
            clerk = ""
            tally.note(f"{T}: empty clerkUserId")
        verified = s.get("verified", rng.random() < 0.7)
        fill = s.get("fill", ctx.ri(0, 8))
        if kind == "clash_clerk":
            # two people, one Clerk id: the earlier one keeps it, the later one gets null
            holder_created = created - dt.timedelta(days=ctx.ri(1, 100))
            holder_oid = ctx.object_id(holder_created)
            clerk = _clerk(ctx)
            hemail = f"clerk.twin{i}@{ctx.pick(names.DOMAINS)}"
            clash_holders.append(_doc(ctx, holder_oid, holder_created, hemail, "single", ctx.ri(0, 8), True, None, clerk))
            p.oid.append(holder_oid); p.email.append(hemail); p.attendee.append(None); p.primary.append(i)
            p.ok.append(i); tally.migrated(T)
            i += 1
            tally.fixed(T, "duplicate clerkUserId")
        doc = _doc(ctx, oid, None if kind == "no_created" else created, email, kind, fill, verified, attendee, clerk)
        if kind == "far_future":
            doc["updatedAt"] = DatetimeMS(253402300800000 + 86400000 * 400)  # year 10001
            tally.note(f"{T}: updatedAt beyond year 9999")
            tally.fixed(T, "not a date in years 1-9999")  # stored as createdAt, recorded
        elif kind == "no_created":
            tally.note(f"{T}: missing createdAt")
        for h in clash_holders:
            writer.write(h)
        clash_holders.clear()
        writer.write(doc)
        p.oid.append(oid); p.email.append(email); p.attendee.append(attendee); p.primary.append(i)
        if kind.startswith("missing_email"):
            p.quarantined.append(i)
            tally.quarantined(T, "missing lumaEmail")
        elif kind == "dup":
            pending.append((i, s["group"]))
            tally.merged(T, "duplicate lumaEmail")
        else:
            p.ok.append(i)
            tally.migrated(T)
            if kind == "primary":
                group_primary[s["group"]] = i
            elif kind == "gst_attendee":
                p.gst_attendee.append(i)
            elif kind == "single":
                p.plain.append(i)
    for i, g in pending:
        p.primary[i] = group_primary[g]
        p.dups.append((i, group_primary[g]))
    return p
