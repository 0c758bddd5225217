"""The smaller Hello Miami collections: projects, badges, member badges, surveys, responses,
demo slots, pending users and Luma webhooks. Each dirty document carries one defect."""

from __future__ import annotations

import datetime as dt

from . import names
from .common import Ctx
from .hm_events import Event
from .hm_profiles import Profiles


def _member(ctx: Ctx, p: Profiles, defect: str, table: str):
    """(memberId, resolved member or None) for a defect among not found / not migrated / re-pointed."""
    if defect == "memberId not found":
        return ctx.object_id(ctx.when()), None
    if defect == "memberId not migrated":
        return p.oid[ctx.pick(p.quarantined)], None
    if defect == "memberId re-pointed":
        d, prim = ctx.pick(p.dups)
        ctx.tally.note(f"{table}: memberId re-pointed")
        return p.oid[d], prim
    m = ctx.pick(p.ok)
    return p.oid[m], m


def _fate(ctx: Ctx, table: str, defect: str) -> None:
    if defect.endswith("not found") or defect.endswith("not migrated"):
        ctx.tally.quarantined(table, defect)
    else:
        ctx.tally.migrated(table)


MEMBER_DEFECTS = ("memberId not found", "memberId not migrated", "memberId re-pointed")


def projects(ctx: Ctx, p: Profiles, w) -> None:
    from bson import Decimal128

    rng, t = ctx.rng, "mongo.projects"
    kinds = list(MEMBER_DEFECTS) * ctx.d(1)
    kinds += ["clean"] * max(0, ctx.n(150) - len(kinds))
    rng.shuffle(kinds)
    for kind in kinds:
        member, _ = _member(ctx, p, kind, t)
        created = ctx.when()
        title = f"{ctx.pick(names.PROJECT_WORDS)} {ctx.pick(names.PROJECT_WORDS)}"
        slug = title.lower().replace(" ", "-")
        doc = {"_id": ctx.object_id(created), "memberId": member, "title": title,
               "description": f"{title} for Miami founders." if rng.random() < 0.8 else None,
               "tags": rng.sample(names.SKILLS, ctx.ri(0, 3)),
               "imageUrls": [f"https://utfs.io/f/{slug}-{k}.png" for k in range(ctx.ri(0, 2))],
               "githubUrl": f"https://github.com/{slug}" if rng.random() < 0.7 else None,
               "publicUrl": f"https://{slug}.com" if rng.random() < 0.4 else None,
               "createdAt": created, "updatedAt": ctx.after(created)}
        if rng.random() < 0.3 or not ctx.tally.fates[t]:
            doc["fundingGoal"] = Decimal128(f"{ctx.ri(1, 500) * 1000}.00")
        w.write(doc)
        _fate(ctx, t, kind)
    ctx.tally.targets["hello_miami.projects"] = ctx.tally.fates[t]["migrated"]


BADGES = ("First Hack Night", "Shipper", "Demo Day", "Streak 5", "Streak 10", "Mentor", "Organizer",
          "Speaker", "Early Bird", "Night Owl", "Founder", "Open Source")


def badges(ctx: Ctx, w) -> tuple[list, list]:
    """Returns (migrated badge ids, quarantined badge ids)."""
    rng, tally, t = ctx.rng, ctx.tally, "mongo.badges"
    kinds = ["icon only"] * ctx.d(3) + ["no icon"] * ctx.d(1)
    kinds += ["clean"] * max(2, ctx.n(12) - len(kinds) - ctx.d(1))
    rng.shuffle(kinds)
    kinds += ["duplicate name"] * ctx.d(1)
    good, bad, docs = [], [], []
    for i, kind in enumerate(kinds):
        created = EPOCH_B + dt.timedelta(hours=8 * i)
        name = BADGES[i % len(BADGES)] + (f" {i // len(BADGES) + 1}" if i >= len(BADGES) else "")
        doc = {"_id": ctx.object_id(created), "name": name, "criteria": f"Awarded for: {name.lower()}.",
               "createdAt": created}
        art = f"[{name[:3].upper()}]"
        if kind == "icon only":
            doc["icon"] = art
            tally.note(f"{t}: icon only")
        elif kind == "no icon":
            tally.fixed(t, "missing icon")
        else:
            doc["iconAscii"] = art
        if kind == "duplicate name":
            doc["name"] = ctx.pick(docs)["name"]
            tally.quarantined(t, "duplicate name")
            bad.append(doc["_id"])
        else:
            tally.migrated(t)
            good.append(doc["_id"])
        docs.append(doc)
    for doc in docs:
        w.write(doc)
    tally.targets["hello_miami.badges"] = len(good)
    return good, bad


EPOCH_B = dt.datetime(2023, 6, 1, tzinfo=dt.timezone.utc)


def member_badges(ctx: Ctx, p: Profiles, good: list, bad: list, w) -> None:
    rng, tally, t = ctx.rng, ctx.tally, "mongo.member_badges"
    seen: set = set()

    def put(member_oid, badge, created):
        w.write({"_id": ctx.object_id(created), "memberId": member_oid, "badgeId": badge, "awardedAt": created})

    for defect in ("memberId not found", "memberId not migrated", "badgeId not found", "badgeId not migrated",
                   "duplicate member_badge", "memberId re-pointed"):
        for _ in range(ctx.d(1)):
            created = ctx.when()
            if defect == "badgeId not found":
                put(p.oid[ctx.pick(p.ok)], ctx.object_id(created), created)
            elif defect == "badgeId not migrated":
                put(p.oid[ctx.pick(p.ok)], ctx.pick(bad), created)
            elif defect.startswith("memberId not"):
                put(_member(ctx, p, defect, t)[0], ctx.pick(good), created)
            else:
                b, (d, prim) = ctx.pick_where((good, p.dups), lambda b, dq: (dq[1], b) not in seen)
                seen.add((prim, b))
                if defect == "duplicate member_badge":
                    put(p.oid[prim], b, created)
                    tally.migrated(t)
                    put(p.oid[d], b, created + dt.timedelta(days=1))
                    tally.merged(t, "duplicate member_badge")
                else:
                    put(p.oid[d], b, created)
                    tally.migrated(t)
                    tally.note(f"{t}: memberId re-pointed")
                continue
            tally.quarantined(t, defect)
    total = ctx.n(400)
    room = len(p.ok) * len(good) - len(seen)
    for _ in range(max(0, min(total - sum(tally.fates[t].values()), room // 2))):
        m, b = ctx.pick(p.ok), ctx.pick(good)
        while (m, b) in seen:
            m, b = ctx.pick(p.ok), ctx.pick(good)
        seen.add((m, b))
        put(p.oid[m], b, ctx.when())
        tally.migrated(t)
    tally.targets["hello_miami.member_badges"] = tally.fates[t]["migrated"]
