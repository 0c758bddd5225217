"""Podium's Airtable base as a snapshot: airtable/<table>.jsonl and airtable/schema.json."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines import registry

from . import names
from .common import Ctx, dumps, iso_z
from .podium_events import TA, TC, Item, build_events, build_projects, fill_attendees, fill_collaborators
from .podium_users import Users, build as build_users, write as write_users
from .podium_votes import _put, link, write_referrals, write_votes

TABLES = registry.table_names("airtable")
FLAGS = ("daydream", "daydream,ysws", "leaderboard_v2", "scrapyard")


def _reverse_link_dirt(ctx: Ctx, u: Users, events: list[Item]) -> None:
    """users.attending_events mirrors events.attendees except for a few deliberate pairs."""
    for e in events:
        for x in e.links:
            if isinstance(x, int):
                u.rev["attending_events"][x].append(e.rid)
    singles = [i for i in u.ok if u.kind[i] == "single"]
    good = [e for e in events if e.ok and e.links]
    n = ctx.d(3)
    extra = missing = 0
    while extra < n:  # the user claims an event that does not list them
        i, e = ctx.pick(singles), ctx.pick(good)
        if i not in e.links and e.rid not in u.rev["attending_events"][i]:
            u.rev["attending_events"][i].append(e.rid)
            extra += 1
    while missing < n:  # the event lists the user, the user's reverse link forgot it
        e = ctx.pick(good)
        i = ctx.pick(e.links)
        if isinstance(i, int) and u.kind[i] == "single" and e.rid in u.rev["attending_events"][i] \
                and e.links.count(i) == 1:
            u.rev["attending_events"][i].remove(e.rid)
            missing += 1
    ctx.tally.conflict("reverse_link", extra + missing)


def _write_events(ctx: Ctx, u: Users, events: list[Item], fh) -> None:
    rng = ctx.rng
    for e in events:
        f: dict = {}
        _put(f, "name", e.name)
        _put(f, "slug", e.slug)
        _put(f, "join_code", e.code)
        _put(f, "description", f"{e.name or 'A night'} at {ctx.pick(names.VENUES)[0]}. Bring a laptop." if rng.random() < 0.8 else None)
        for box, odds in (("votable", 0.6), ("leaderboard_enabled", 0.4), ("demo_links_optional", 0.2)):
            if rng.random() < odds:
                f[box] = True
        _put(f, "feature_flags_csv", ctx.pick(FLAGS) if rng.random() < 0.3 else None)
        _put(f, "owner", link(e.owner, u.ids))
        _put(f, "owner_id", [e.stale] if e.stale else (link(e.owner, u.ids) if isinstance(e.owner, int) else None))
        _put(f, "attendees", [u.ids[x] if isinstance(x, int) else x for x in e.links])
        for name, ids in e.rev.items():
            _put(f, name, ids)
        if isinstance(e.owner, int):
            u.rev["owned_events"][e.owner].append(e.rid)
        fh.write(dumps({"id": e.rid, "createdTime": iso_z(e.created), "fields": f}) + "\n")


def _quality(ctx: Ctx, p: Item):
    if p.kind == "invalid JSON":
        ctx.tally.fixed("airtable.projects", "invalid JSON")
        return '{"score": 0.82, "reasons": ["has demo", "readme"'  # cut off mid-write
    if ctx.rng.random() < 0.5:
        return None
    return json.dumps({"score": round(ctx.rng.random(), 2), "checked": True}, sort_keys=True)


def _write_projects(ctx: Ctx, u: Users, projects: list[Item], fh) -> None:
    rng = ctx.rng
    for p in projects:
        f: dict = {}
        _put(f, "name", p.name)
        _put(f, "join_code", p.code)
        slug = (p.name or "project").lower().replace(" ", "-")
        _put(f, "repo", f"https://github.com/{slug}/{slug}" if rng.random() < 0.8 else None)
        _put(f, "demo", f"https://{slug}.vercel.app" if rng.random() < 0.6 else None)
        _put(f, "image_url", f"https://cdn.hackclub.com/{p.rid}.png" if rng.random() < 0.5 else None)
        _put(f, "description", f"{p.name} helps students." if rng.random() < 0.7 else None)
        if rng.random() < 0.7:
            f["hours_spent"] = ctx.ri(0, 60)
        votes = p.rev.get("votes", [])
        if votes:
            f["votes"] = votes
            f["points"] = len(votes)
        _put(f, "cached_auto_quality", _quality(ctx, p))
        _put(f, "event", link(p.event, u.ids))
        _put(f, "event_id", link(p.event, u.ids) if isinstance(p.event, Item) else None)
        _put(f, "owner", link(p.owner, u.ids))
        if isinstance(p.owner, int):
            f["owner_id"] = [u.ids[p.owner]]
            _put(f, "owner_display_name", [u.dn[p.owner]] if u.dn[p.owner] else None)
            u.rev["projects"][p.owner].append(p.rid)
        _put(f, "collaborators", [u.ids[x] if isinstance(x, int) else x for x in p.links])
        _put(f, "collaborator_display_names", [u.dn[x] for x in p.links if isinstance(x, int) and u.dn[x]])
        for x in p.links:
            if isinstance(x, int):
                u.rev["collaborations"][x].append(p.rid)
        if isinstance(p.event, Item):
            p.event.rev.setdefault("projects", []).append(p.rid)
        fh.write(dumps({"id": p.rid, "createdTime": iso_z(p.created), "fields": f}) + "\n")


def generate(ctx: Ctx, out: Path) -> None:
    d = out / "airtable"
    d.mkdir(parents=True, exist_ok=True)
    u = build_users(ctx)
    events = build_events(ctx, u)
    projects = build_projects(ctx, u, events)
    fill_attendees(ctx, u, events)
    fill_collaborators(ctx, u, projects)
    _reverse_link_dirt(ctx, u, events)
    with open(d / "votes.jsonl", "w", encoding="utf-8") as fh:
        ctx.counts["airtable.votes"] = write_votes(ctx, u, events, projects, fh)
    with open(d / "referrals.jsonl", "w", encoding="utf-8") as fh:
        ctx.counts["airtable.referrals"] = write_referrals(ctx, u, events, fh)
    with open(d / "projects.jsonl", "w", encoding="utf-8") as fh:
        _write_projects(ctx, u, projects, fh)
    with open(d / "events.jsonl", "w", encoding="utf-8") as fh:
        _write_events(ctx, u, events, fh)
    with open(d / "users.jsonl", "w", encoding="utf-8") as fh:
        ctx.counts["airtable.users"] = write_users(ctx, u, fh)
    ctx.counts["airtable.events"] = len(events)
    ctx.counts["airtable.projects"] = len(projects)
    from .schema import write_schema

    write_schema(ctx, d / "schema.json")
    t = ctx.tally
    for table, target in (("users", "users"), ("events", "events"), ("projects", "projects"),
                          ("votes", "votes"), ("referrals", "referrals")):
        t.targets[f"podium.{target}"] = t.fates[f"airtable.{table}"]["migrated"]
    t.targets["podium.event_attendees"] = t.fates[TA]["migrated"]
    t.targets["podium.project_collaborators"] = t.fates[TC]["migrated"]
