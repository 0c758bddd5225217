"""Hello Miami as a snapshot: mongo/<collection>.bson (mongodump) and luma/{events,guests}.jsonl."""

from __future__ import annotations

from pathlib import Path

from pipelines import registry

from . import hm_live, hm_more, hm_other
from .common import Ctx, dumps
from .hm_events import TL, TM, build_events, luma_event, mongo_event
from .hm_guests import write_attendance, write_guests
from .hm_profiles import build_and_write as profiles

COLLECTIONS = registry.table_names("mongo")


class BsonWriter:
    """mongodump format: BSON documents back to back."""

    def __init__(self, ctx: Ctx, path: Path, name: str) -> None:
        self.ctx, self.name, self.n = ctx, name, 0
        self.fh = open(path, "wb")

    def write(self, doc: dict) -> None:
        import bson

        self.fh.write(bson.encode(doc))
        self.n += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()
        self.ctx.counts[f"mongo.{self.name}"] = self.n


def generate(ctx: Ctx, out: Path) -> None:
    m, lu = out / "mongo", out / "luma"
    m.mkdir(parents=True, exist_ok=True)
    lu.mkdir(parents=True, exist_ok=True)
    t = ctx.tally

    def w(name):
        return BsonWriter(ctx, m / f"{name}.bson", name)

    with w("profiles") as fh:
        p = profiles(ctx, fh)
    t.targets["hello_miami.profiles"] = t.fates["mongo.profiles"]["migrated"]
    events = build_events(ctx)
    with open(lu / "guests.jsonl", "w", encoding="utf-8") as fh:
        g = write_guests(ctx, p, events, fh)
    ctx.counts["luma.guests"] = g.n
    n = 0
    with open(lu / "events.jsonl", "w", encoding="utf-8") as fh:
        for e in events:
            if e.in_luma and e.kind != "duplicate":
                fh.write(dumps(luma_event(ctx, e, n)) + "\n")
                t.migrated(TL)
                n += 1
    ctx.counts["luma.events"] = n
    with w("events") as fh:
        for e in events:
            if e.kind == "luma only":
                continue
            fh.write(mongo_event(ctx, e))
            if e.kind == "missing id":
                t.quarantined(TM, "missing lumaEventId")
            elif e.kind == "duplicate":
                t.merged(TM, "duplicate lumaEventId")
            else:
                t.migrated(TM)
                if e.kind == "old":
                    t.note(f"{TM}: not returned by Luma")
    t.note(f"{TL}: not in MongoDB", sum(e.kind == "luma only" for e in events))
    t.targets["hello_miami.events"] = len({e.api_id for e in events if e.kind != "missing id"})
    with w("attendance") as fh:
        write_attendance(ctx, p, events, g, fh)
    with w("projects") as fh:
        hm_other.projects(ctx, p, fh)
    with w("badges") as fh:
        good, bad = hm_other.badges(ctx, fh)
    with w("member_badges") as fh:
        hm_other.member_badges(ctx, p, good, bad, fh)
    with w("surveys") as fh:
        good, bad = hm_more.surveys(ctx, fh)
    with w("survey_responses") as fh:
        hm_more.responses(ctx, p, good, bad, fh)
    with w("demo_slots") as fh:
        hm_more.demo_slots(ctx, p, events, fh)
    with w("pending_users") as fh:
        hm_more.pending_users(ctx, fh)
    with w("luma_webhooks") as fh:
        hm_more.webhooks(ctx, events, fh)
    hm_live.write(out, ctx.seed, p, events)
