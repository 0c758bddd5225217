"""Airtable votes and referrals: clean rows plus one defect per dirty row, written as generated."""

from __future__ import annotations

import datetime as dt

from .common import Ctx, dumps, iso_z
from .podium_events import Item
from .podium_users import Users

TV, TR = "airtable.votes", "airtable.referrals"
VOTE_DIRT = (("missing voter", 1), ("voter not found", 1), ("voter not migrated", 1),
             ("missing project", 1), ("project not found", 1), ("project not migrated", 2),
             ("missing event", 1), ("event not found", 1), ("event not migrated", 1),
             ("duplicate vote", 3), ("duplicate after merge", 2), ("voter re-pointed", 2))
REFERRAL_DIRT = (("missing user", 1), ("user not found", 1), ("user not migrated", 1),
                 ("missing event", 1), ("event not found", 1), ("event not migrated", 1),
                 ("user re-pointed", 2))
CONTENT = ("Instagram", "a friend told me", "Hack Club Slack", "my teacher", "Twitter / X",
           "flyer at school", "Discord", "saw it on Luma", "LinkedIn", "TikTok")


def link(ref, ids: list[str]):
    """A single link as Airtable sends it: an array of one record id (None: field absent)."""
    if ref is None:
        return None
    if isinstance(ref, int):
        return [ids[ref]]
    if isinstance(ref, Item):
        return [ref.rid]
    return [ref]


def _put(fields: dict, name: str, value) -> None:
    if value not in (None, "", []):
        fields[name] = value


def write_votes(ctx: Ctx, u: Users, events: list[Item], projects: list[Item], fh) -> int:
    rng, tally = ctx.rng, ctx.tally
    good_p = [p for p in projects if p.ok]
    bad_p = [p for p in projects if not p.ok]
    good_e = [e for e in events if e.ok]
    bad_e = [e for e in events if not e.ok]
    seen: set[tuple[int, str]] = set()  # (resolved voter, project id) of migrating votes
    clean: list[tuple] = []
    rows: list[tuple] = []

    def add(voter, project, event, created, fate):
        rows.append((ctx.rec_id(), created, voter, project, event))
        if fate == "migrated":
            tally.migrated(TV)
        elif fate == "merged":
            tally.merged(TV, "duplicate vote")
        else:
            tally.quarantined(TV, fate)

    def fresh_pair(voter_pool):
        while True:
            v, p = ctx.pick(voter_pool), ctx.pick(good_p)
            if (u.primary[v], p.rid) not in seen:
                return v, p

    for kind, base in VOTE_DIRT:
        for _ in range(ctx.d(base)):
            v, p = fresh_pair(u.ok)
            e, t = p.event, ctx.when(p.created)
            if kind == "missing voter":
                add(None, p, e, t, kind)
            elif kind == "voter not found":
                add(ctx.rec_id(), p, e, t, kind)
            elif kind == "voter not migrated":
                add(ctx.pick(u.quarantined), p, e, t, kind)
            elif kind == "missing project":
                add(v, None, e, t, kind)
            elif kind == "project not found":
                add(v, ctx.rec_id(), e, t, kind)
            elif kind == "project not migrated":
                add(v, ctx.pick(bad_p), e, t, kind)
            elif kind == "missing event":
                add(v, p, None, t, kind)
            elif kind == "event not found":
                add(v, p, ctx.rec_id(), t, kind)
            elif kind == "event not migrated":
                add(v, p, ctx.pick(bad_e), t, kind)
            elif kind == "duplicate vote":
                seen.add((v, p.rid))
                add(v, p, e, t, "migrated")
                add(v, p, e, t + dt.timedelta(minutes=ctx.ri(1, 600)), "merged")
            elif kind == "duplicate after merge":
                dup, prim = ctx.pick(u.dups)
                while (prim, p.rid) in seen:
                    p = ctx.pick(good_p)
                seen.add((prim, p.rid))
                add(prim, p, p.event, t, "migrated")
                add(dup, p, p.event, t + dt.timedelta(minutes=ctx.ri(1, 600)), "merged")
                tally.note(f"{TV}: duplicate after re-pointing a merged voter")
            elif kind == "voter re-pointed":
                dup, prim = ctx.pick(u.dups)
                while (prim, p.rid) in seen:
                    p = ctx.pick(good_p)
                seen.add((prim, p.rid))
                add(dup, p, p.event, t, "migrated")
                tally.note(f"{TV}: voter re-pointed")
    for _ in range(max(0, ctx.n(3000) - len(rows))):
        v, p = fresh_pair(u.ok)
        seen.add((v, p.rid))
        add(v, p, p.event, ctx.when(p.created), "migrated")
    rng.shuffle(rows)
    for rid, created, voter, project, event in rows:
        fields: dict = {}
        for name, ref in (("voter", voter), ("project", project), ("event", event)):
            _put(fields, name, link(ref, u.ids))
        _put(fields, "user_id", link(voter, u.ids) if isinstance(voter, int) else None)
        _put(fields, "project_id", link(project, u.ids) if isinstance(project, Item) else None)
        _put(fields, "event_id", link(event, u.ids) if isinstance(event, Item) else None)
        if isinstance(voter, int):
            u.rev["votes"][voter].append(rid)
        if isinstance(project, Item):
            project.rev.setdefault("votes", []).append(rid)
        fh.write(dumps({"id": rid, "createdTime": iso_z(created), "fields": fields}) + "\n")
    return len(rows)


def write_referrals(ctx: Ctx, u: Users, events: list[Item], fh) -> int:
    tally = ctx.tally
    good_e = [e for e in events if e.ok]
    bad_e = [e for e in events if not e.ok]
    kinds = [k for k, base in REFERRAL_DIRT for _ in range(ctx.d(base))]
    kinds += ["clean"] * max(0, ctx.n(1266) - len(kinds))
    ctx.rng.shuffle(kinds)
    for kind in kinds:
        user, event = ctx.pick(u.ok), ctx.pick(good_e)
        if kind == "missing user":
            user = None
        elif kind == "user not found":
            user = ctx.rec_id()
        elif kind == "user not migrated":
            user = ctx.pick(u.quarantined)
        elif kind == "missing event":
            event = None
        elif kind == "event not found":
            event = ctx.rec_id()
        elif kind == "event not migrated":
            event = ctx.pick(bad_e)
        elif kind == "user re-pointed":
            user = ctx.pick(u.dups)[0]
        rid = ctx.rec_id()
        fields: dict = {}
        _put(fields, "content", ctx.pick(CONTENT) if ctx.rng.random() < 0.9 else None)
        _put(fields, "user", link(user, u.ids))
        _put(fields, "event", link(event, u.ids))
        _put(fields, "event_id", link(event, u.ids) if isinstance(event, Item) else None)
        if isinstance(user, int):
            u.rev["referral"][user].append(rid)
        if isinstance(event, Item):
            event.rev.setdefault("referrals", []).append(rid)
        created = ctx.when(event.created) if isinstance(event, Item) else ctx.when()
        fh.write(dumps({"id": rid, "createdTime": iso_z(created), "fields": fields}) + "\n")
        if kind in ("clean", "user re-pointed"):
            tally.migrated(TR)
            if kind != "clean":
                tally.note(f"{TR}: {kind}")
        else:
            tally.quarantined(TR, kind)
    return len(kinds)
