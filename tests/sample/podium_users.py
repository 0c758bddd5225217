"""Airtable users: the clean crowd, duplicate people, unmigratable rows and over-long values.

Every user gets a kind at structure time; the personal fields are drawn when the record is
written (same rng, fixed order), so only what links need (id, email, names) stays in memory.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections import defaultdict

from . import names
from .common import Ctx, iso_z

T = "airtable.users"
PERSONAL = ("display_name", "first_name", "last_name", "phone", "street_1", "street_2", "city",
            "state", "zip_code", "country", "dob")
BAD_DOBS = ("03/15/1992", "1990-02-30", "unknown", "1988-13-01", "n/a")
REVERSE = ("votes", "projects", "collaborations", "owned_events", "attending_events", "referral")


@functools.lru_cache(maxsize=4096)
def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum())


class Users:
    """Parallel lists indexed by user number, plus the pools other tables link to."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.created: list[dt.datetime] = []
        self.email: list[str | None] = []
        self.first: list[str] = []
        self.last: list[str] = []
        self.dn: list[str | None] = []
        self.kind: list[str] = []
        self.primary: list[int] = []        # own index, or the primary's for a merged duplicate
        self.ok: list[int] = []             # migrated singles and primaries: safe link targets
        self.dups: list[tuple[int, int]] = []  # (merged duplicate, its primary)
        self.quarantined: list[int] = []
        self.rev: dict[str, dict[int, list[str]]] = {k: defaultdict(list) for k in REVERSE}

    def migrated(self, i: int) -> bool:
        return self.kind[i] not in ("missing_email", "email_long")


def build(ctx: Ctx) -> Users:
    """Decide every user's kind, id, time and email; tally their fates."""
    rng, tally, u = ctx.rng, ctx.tally, Users()
    total = ctx.n(3365)
    specs: list[dict] = []
    groups = ctx.d(12)
    for g in range(groups):
        kind = "abc"[g % 3]
        size = 3 if g % 4 == 3 else 2
        t = ctx.when(hi=ctx.captured_at - dt.timedelta(days=40))
        ids = sorted(ctx.rec_id() for _ in range(size))
        first, last = ctx.pick(names.FIRST), ctx.pick(names.LAST)
        base = f"{ascii_slug(first)}.{ascii_slug(last)}{len(specs)}@{ctx.pick(names.DOMAINS)}"
        variants = [base, f"  {base.capitalize()} ", base.upper(), f"{base} "]
        members = []
        for m in range(size):
            if kind == "a":  # the complete record wins although it is the newest
                k, when = ("dup_full", t + dt.timedelta(days=30)) if m == 0 else ("dup_sparse", t + dt.timedelta(hours=m))
            elif kind == "b":  # equally complete: the oldest wins
                k, when = "dup_tie", t + dt.timedelta(days=m)
            else:  # equally complete, same second: the smallest record id wins
                k, when = "dup_tie", t
            members.append(dict(id=ids[m], created=when, email=variants[m % len(variants)] if m else base,
                                first=first, last=last, kind=k, group=g, primary=(m == 0)))
        rng.shuffle(members)  # the primary is not always first in the file
        specs.extend(members)
    extra = [("missing_email", ctx.d(4)), ("email_long", ctx.d(1)), ("city_long", ctx.d(3)),
             ("state_long", ctx.d(2)), ("first_long", ctx.d(1)), ("phone_long", ctx.d(1)),
             ("bad_dob", ctx.d(5)), ("no_first_name", ctx.d(1))]
    for kind, count in extra:
        specs.extend(dict(kind=kind) for _ in range(count))
    specs.extend(dict(kind="single") for _ in range(max(0, total - len(specs))))
    rng.shuffle(specs)
    group_index: dict[int, int] = {}
    pending: list[tuple[int, int]] = []
    for s in specs:
        i = len(u.ids)
        if "id" not in s:
            s.update(id=ctx.rec_id(), created=ctx.when(), first=ctx.pick(names.FIRST), last=ctx.pick(names.LAST))
            s["email"] = f"{ascii_slug(s['first'])}.{ascii_slug(s['last'])}{i}@{ctx.pick(names.DOMAINS)}"
            if s["kind"] == "missing_email":
                s["email"] = None if tally.fates[T]["quarantined"] % 4 != 1 else "   "
            elif s["kind"] == "email_long":
                s["email"] = "x" * 250 + f"{i}@example.com"
        u.ids.append(s["id"])
        u.created.append(s["created"])
        u.email.append(s["email"])
        u.first.append(s["first"])
        u.last.append(s["last"])
        u.kind.append(s["kind"])
        u.primary.append(i)
        has_dn = s["kind"] in ("dup_full", "dup_tie") or (s["kind"] != "dup_sparse" and rng.random() < 0.9)
        u.dn.append(f"{s['first']} {s['last']}" if has_dn else None)
        if s["kind"] == "missing_email":
            tally.quarantined(T, "missing email")
            u.quarantined.append(i)
        elif s["kind"] == "email_long":
            tally.quarantined(T, "email too long")
            u.quarantined.append(i)
        elif "group" in s and not s["primary"]:
            pending.append((i, s["group"]))
            tally.merged(T, "duplicate email")
        else:
            if "group" in s:
                group_index[s["group"]] = i
            u.ok.append(i)
            tally.migrated(T)
    for i, g in pending:
        u.primary[i] = group_index[g]
        u.dups.append((i, group_index[g]))
    return u


ODDS = (("first_name", 0.97), ("last_name", 0.95), ("phone", 0.6), ("street_1", 0.4), ("street_2", 0.1),
        ("city", 0.5), ("state", 0.5), ("zip_code", 0.45), ("country", 0.5), ("dob", 0.4))
ALL = frozenset(k for k, _ in ODDS)


def _value(ctx: Ctx, u: Users, i: int, field: str, place: tuple) -> str:
    ri = ctx.ri
    if field == "first_name":
        return u.first[i]
    if field == "last_name":
        return u.last[i]
    if field == "phone":
        return f"({ri(200, 999)}) 555-{ri(0, 9999):04d}"
    if field == "street_1":
        return f"{ri(1, 9999)} {ctx.pick(names.STREETS)}"
    if field == "street_2":
        return f"Apt {ri(1, 2400)}"
    if field == "city":
        return place[0]
    if field == "state":
        return place[1]
    if field == "zip_code":
        return f"{ri(10000, 99999)}"
    if field == "country":
        return ctx.pick(names.COUNTRIES)
    return f"{ri(1965, 2010)}-{ri(1, 12):02d}-{ri(1, 28):02d}"


def _personal(ctx: Ctx, u: Users, i: int) -> dict:
    """The personal fields of user i, absent when empty (as Airtable sends them)."""
    rng, kind, tally = ctx.rng, u.kind[i], ctx.tally
    city, state = place = ctx.pick(names.CITIES)
    if kind == "dup_full":
        keep = ALL
    elif kind == "dup_sparse":
        keep = {"first_name"}
    elif kind == "dup_tie":
        keep = {"first_name", "last_name"}
    else:
        r = rng.random
        keep = {k for k, odds in ODDS if r() < odds}
        if kind == "no_first_name":  # one for sure in every sample; chance adds more at scale
            keep.discard("first_name")
    out = {k: _value(ctx, u, i, k, place) for k, _ in ODDS if k in keep}
    if u.dn[i]:
        out["display_name"] = u.dn[i]
    if kind == "city_long":
        out["city"] = f"{city}, {state}, United States of America (Little Havana, near Calle Ocho; " + "mailing address on file with the organizers " * 2 + ")"
        tally.fixed(T, "truncated to 100")
        tally.note(f"{T}: city longer than 100")
    elif kind == "state_long":
        out["state"] = "Florida (but I split my time between Miami-Dade County and Broward County, and I am moving to New York next year)"
        tally.fixed(T, "truncated to 100")
        tally.note(f"{T}: state longer than 100")
    elif kind == "first_long":
        out["first_name"] = "María de los Ángeles Guadalupe Esperanza Concepción del Carmen"
        tally.fixed(T, "truncated to 50")
        tally.note(f"{T}: first_name longer than 50")
    elif kind == "phone_long":
        out["phone"] = "+1 (305) 555-0142 ext. 7 (mobile, WhatsApp preferred)"
        tally.fixed(T, "truncated to 20")
        tally.note(f"{T}: phone longer than 20")
    elif kind == "bad_dob":
        out["dob"] = BAD_DOBS[tally.value_fixes[T]["unparseable date"] % len(BAD_DOBS)]
        tally.fixed(T, "unparseable date")
    if not (out.get("first_name") or "").strip() and u.migrated(i):  # counted after the overrides above
        tally.note(f"{T}: missing first_name")
    return out


def write(ctx: Ctx, u: Users, fh) -> int:
    from .common import dumps

    for i, rid in enumerate(u.ids):
        fields = _personal(ctx, u, i)
        if u.email[i] is not None:
            fields["email"] = u.email[i]
        for name in REVERSE:
            links = u.rev[name].get(i)
            if links:
                fields[name] = links
        fh.write(dumps({"id": rid, "createdTime": iso_z(u.created[i]), "fields": fields}) + "\n")
    return len(u.ids)
