"""Airtable events and projects with their list links, each defect placed on purpose.

A link value is an int (a user/event index), a str (a dangling record id) or None (absent).
Defects never overlap: each dirty record carries exactly one, so its fate is known here.
"""

from __future__ import annotations

import datetime as dt

from . import names
from .common import Ctx
from .podium_users import Users

TE, TP = "airtable.events", "airtable.projects"
TA, TC = "airtable.events.attendees", "airtable.projects.collaborators"

EVENT_DIRT = (("missing name", 1), ("missing owner", 2), ("owner not found", 1),
              ("owner not migrated", 1), ("missing slug", 1), ("missing join_code", 1),
              ("duplicate slug", 2), ("duplicate join_code", 2), ("slug too long", 1),
              ("slug not [-a-z0-9]+", 2), ("join_code too long", 1), ("owner re-pointed", 2), ("stale owner_id", 2))
PROJECT_DIRT = (("missing name", 1), ("missing owner", 1), ("owner not found", 1),
                ("owner not migrated", 1), ("missing event", 1), ("event not found", 1),
                ("event not migrated", 2), ("missing join_code", 1), ("duplicate join_code", 2),
                ("join_code too long", 1), ("owner re-pointed", 2), ("invalid JSON", 3))
BAD_SLUGS = ("café-día-🎉", "<b>bold</b>", "Hack-Night", "hack night")  # outside SPEC §2.1's [-a-z0-9]+
MIGRATING = ("clean", "owner re-pointed", "stale owner_id", "invalid JSON")


class Item:
    """An event or a project before it is written."""

    __slots__ = ("rid", "created", "kind", "name", "slug", "code", "owner", "event", "links", "stale", "rev")

    def __init__(self, ctx: Ctx, kind: str) -> None:
        self.rid, self.created, self.kind = ctx.rec_id(), ctx.when(), kind
        self.name = self.slug = self.code = self.owner = self.event = self.stale = None
        self.links: list = []  # attendees or collaborators
        self.rev: dict[str, list[str]] = {}  # reverse links: projects, referrals, votes

    @property
    def ok(self) -> bool:
        return self.kind in MIGRATING


def _owner(ctx: Ctx, u: Users, kind: str):
    if kind == "missing owner":
        return None
    if kind == "owner not found":
        return ctx.rec_id()
    if kind == "owner not migrated":
        return ctx.pick(u.quarantined)
    if kind == "owner re-pointed":
        return ctx.pick(u.dups)[0]
    return ctx.pick(u.ok)


def _kinds(ctx: Ctx, dirt, total: int) -> list[str]:
    kinds = [k for k, base in dirt for _ in range(ctx.d(base))]
    kinds += ["clean"] * max(3, total - len(kinds))
    ctx.rng.shuffle(kinds)
    # clashes need an earlier clean holder of the value: put them after all clean ones
    clashes = [k for k in kinds if k.startswith("duplicate")]
    return [k for k in kinds if not k.startswith("duplicate")] + clashes


def build_events(ctx: Ctx, u: Users) -> list[Item]:
    tally, events, clean = ctx.tally, [], []
    for i, kind in enumerate(_kinds(ctx, EVENT_DIRT, ctx.n(217))):
        e = Item(ctx, kind)
        word = ctx.pick(names.EVENT_WORDS)
        e.name = f"{word} {ctx.pick(names.CITIES)[0]} #{i + 1}"
        e.slug = "-".join(e.name.lower().replace("#", "").split()).encode("ascii", "ignore").decode() + f"-{i + 1}"
        e.code = ctx.code()
        e.owner = _owner(ctx, u, kind)
        if kind == "missing name":
            e.name = None
        elif kind == "missing slug":
            e.slug = None
        elif kind == "missing join_code":
            e.code = None
        elif kind == "slug too long":
            e.slug = "miami-hack-night-spring-edition-with-the-community-college-" + str(i)
        elif kind == "slug not [-a-z0-9]+":
            e.slug = ctx.pick(BAD_SLUGS)
        elif kind == "join_code too long":
            e.code = "MIAMI-HACK-NIGHT-" + ctx.code(8)
        elif kind.startswith("duplicate"):
            clean = clean or [x for x in events if x.kind == "clean"]  # clashes come last
            holder = ctx.pick(clean)
            e.created = ctx.after(holder.created)
            if kind == "duplicate slug":
                e.slug = holder.slug
            else:
                e.code = holder.code
        elif kind == "stale owner_id":
            e.stale = u.ids[ctx.pick(u.ok)]
        events.append(e)
        if e.ok:
            tally.migrated(TE)
            if kind != "clean":
                tally.note(f"{TE}: {kind}")
        else:
            tally.quarantined(TE, kind)
    return events


def build_projects(ctx: Ctx, u: Users, events: list[Item]) -> list[Item]:
    tally, projects, clean = ctx.tally, [], []
    good_events = [e for e in events if e.ok]
    bad_events = [e for e in events if not e.ok]
    for i, kind in enumerate(_kinds(ctx, PROJECT_DIRT, ctx.n(767))):
        p = Item(ctx, kind)
        p.name = f"{ctx.pick(names.PROJECT_WORDS)} {ctx.pick(names.PROJECT_WORDS)}"
        p.code = ctx.code()
        p.owner = _owner(ctx, u, kind)
        p.event = good_events[ctx.rng.randrange(len(good_events))]
        if kind == "missing name":
            p.name = None
        elif kind == "missing event":
            p.event = None
        elif kind == "event not found":
            p.event = ctx.rec_id()
        elif kind == "event not migrated":
            p.event = ctx.pick(bad_events)
        elif kind == "missing join_code":
            p.code = None
        elif kind == "join_code too long":
            p.code = "PROJECT-" + ctx.code(16)
        elif kind == "duplicate join_code":
            clean = clean or [x for x in projects if x.kind == "clean"]  # clashes come last
            holder = ctx.pick(clean)
            p.created = ctx.after(holder.created)
            p.code = holder.code
        projects.append(p)
        if p.ok:
            tally.migrated(TP)
            if kind not in ("clean", "invalid JSON"):
                tally.note(f"{TP}: {kind}")
        else:
            tally.quarantined(TP, kind)
    return projects


def spread(ctx: Ctx, total: int, slots: int) -> list[int]:
    """Split `total` into `slots` uneven non-negative parts that sum exactly to `total`."""
    weights = [ctx.rng.random() + 0.2 for _ in range(slots)]
    scale = total / sum(weights)
    parts = [int(w * scale) for w in weights]
    for j in range(total - sum(parts)):
        parts[j % slots] += 1
    return parts


def _pick_pair(ctx: Ctx, u: Users, good: list[Item], table: str):
    """An item and a merged duplicate whose primary the item does not link yet."""
    while True:
        it = ctx.pick(good)
        resolved = {u.primary[x] for x in it.links if isinstance(x, int)}
        if isinstance(it.owner, int) and table == TC:
            resolved.add(u.primary[it.owner])
        dup, prim = ctx.pick(u.dups)
        if prim not in resolved:
            return it, dup, prim


def fill(ctx: Ctx, u: Users, items: list[Item], counts: list[int], table: str, what: str) -> None:
    """List links: clean elements, then one defect per appended element (counted here).

    Elements of a quarantined item are quarantined `<event|project> not migrated` whatever they
    point at; the defects go into migrating items only.
    """
    rng, tally = ctx.rng, ctx.tally
    parent = "event" if table == TA else "project"
    for it, k in zip(items, counts):
        chosen = rng.sample(u.ok, min(k, len(u.ok) - 1)) if k else []
        if table == TC and isinstance(it.owner, int):
            chosen = [c for c in chosen if c != u.primary[it.owner]]
        it.links = chosen
        if it.ok:
            tally.migrated(table, len(chosen))
        else:
            tally.quarantined(table, f"{parent} not migrated", len(chosen))
    good = [it for it in items if it.ok]
    for defect in DEFECTS:
        for _ in range(ctx.d(2)):
            if defect == "not found":
                ctx.pick(good).links.append(ctx.rec_id())
                tally.quarantined(table, f"{what} not found")
            elif defect == "not migrated":
                ctx.pick(good).links.append(ctx.pick(u.quarantined))
                tally.quarantined(table, f"{what} not migrated")
            else:
                it, dup, prim = _pick_pair(ctx, u, good, table)
                if defect == "duplicate link":
                    # the primary is listed first, its duplicate later: the later element merges
                    it.links += [prim, dup]
                    tally.migrated(table)
                    tally.merged(table, "duplicate link")
                else:
                    it.links.append(dup)
                    tally.migrated(table)
                    tally.note(f"{table}: re-pointed")


DEFECTS = ("not found", "not migrated", "duplicate link", "re-pointed")
DEFECT_ELEMENTS = 5  # elements appended per round of DEFECTS (duplicate link adds two)


def fill_attendees(ctx: Ctx, u: Users, events: list[Item]) -> None:
    """events.attendees summing exactly to the base's 4,078 links at scale 1."""
    total = ctx.n(4078)
    bad = [e for e in events if not e.ok]
    good = [e for e in events if e.ok]
    clean = max(len(good), total - DEFECT_ELEMENTS * ctx.d(2) - 2 * len(bad))
    parts = iter(spread(ctx, clean, len(good)))
    counts = [2 if not e.ok else next(parts) for e in events]
    fill(ctx, u, events, counts, TA, "attendee")


def fill_collaborators(ctx: Ctx, u: Users, projects: list[Item]) -> None:
    counts = [ctx.pick((0, 0, 1, 1, 1, 2, 3)) if p.ok else 1 for p in projects]
    fill(ctx, u, projects, counts, TC, "collaborator")
