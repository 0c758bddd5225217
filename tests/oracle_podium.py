"""Independent oracle, Podium half: COMMON.md's rules applied to the written Airtable files.

It shares no code with the generator: it reads the snapshot and classifies every record from
scratch, so a test can hold the generator's construction counts against it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from pipelines import registry

PERSONAL = ("display_name", "first_name", "last_name", "phone", "street_1", "street_2", "city",
            "state", "zip_code", "country", "dob")
WIDTHS = {"users": {"display_name": 255, "first_name": 50, "last_name": 50, "phone": 20, "street_1": 255,
                    "street_2": 255, "city": 100, "state": 100, "zip_code": 20, "country": 100},
          "events": {"name": 255, "feature_flags_csv": 500}, "projects": {"name": 255}}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or v == []


def valid_date(v: str) -> bool:
    if not DATE.fullmatch(v):
        return False
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


class Result:
    def __init__(self) -> None:
        self.fates: dict[str, Counter] = defaultdict(Counter)
        self.reasons: dict[str, Counter] = defaultdict(Counter)
        self.merges: dict[str, Counter] = defaultdict(Counter)
        self.fixes: dict[str, Counter] = defaultdict(Counter)
        self.conflicts: Counter = Counter()
        self.targets: dict[str, int] = {}
        self.observed: Counter = Counter()

    def q(self, table, reason):
        self.fates[table]["quarantined"] += 1
        self.reasons[table][reason] += 1

    def m(self, table, rule):
        self.fates[table]["merged"] += 1
        self.merges[table][rule] += 1

    def ok(self, table):
        self.fates[table]["migrated"] += 1


def _first(link):
    return link[0] if isinstance(link, list) and link else None


def _fixes(r: Result, table: str, fields: dict) -> None:
    for name, width in WIDTHS[table].items():
        v = fields.get(name)
        if isinstance(v, str) and len(v) > width:
            r.fixes[f"airtable.{table}"][f"truncated to {width}"] += 1


def podium(snapshot: Path, r: Result) -> None:
    d = snapshot / "airtable"
    users, events, projects = (read_jsonl(d / f"{t}.jsonl") for t in ("users", "events", "projects"))
    votes, referrals = read_jsonl(d / "votes.jsonl"), read_jsonl(d / "referrals.jsonl")
    T = "airtable.users"
    status: dict[str, str] = {}
    primary: dict[str, str] = {}
    groups: dict[str, list[dict]] = defaultdict(list)
    for u in users:
        email = u["fields"].get("email")
        if blank(email):
            r.q(T, "missing email")
            status[u["id"]] = "q"
        elif len(email.strip()) > 255:
            r.q(T, "email too long")
            status[u["id"]] = "q"
        else:
            groups[email.strip().lower()].append(u)
    for members in groups.values():
        members.sort(key=lambda u: (-sum(not blank(u["fields"].get(k)) for k in PERSONAL), u["createdTime"], u["id"]))
        head = members[0]
        for u in members:
            primary[u["id"]] = head["id"]
            status[u["id"]] = "ok" if u is head else "merged"
        r.ok(T)
        for _ in members[1:]:
            r.m(T, "duplicate email")
        f = head["fields"]
        _fixes(r, "users", f)
        if "dob" in f and not valid_date(f["dob"]):
            r.fixes[T]["unparseable date"] += 1
        if blank(f.get("first_name")):
            r.observed[f"{T}: missing first_name"] += 1

    def ref(link, what: str, known: dict):
        """None when fine, else the quarantine reason of a single link."""
        rid = _first(link)
        if rid is None:
            return f"missing {what}"
        if rid not in known:
            return f"{what} not found"
        if known[rid] == "q":
            return f"{what} not migrated"
        return None

    # events
    T = "airtable.events"
    ev_status: dict[str, str] = {}
    passing = []
    for e in events:
        f = e["fields"]
        reason = ("missing name" if blank(f.get("name")) else ref(f.get("owner"), "owner", status)
                  or ("missing slug" if blank(f.get("slug")) else None)
                  or ("missing join_code" if blank(f.get("join_code")) else None)
                  or ("slug too long" if len(f["slug"]) > 50 else None)
                  or (None if re.fullmatch(r"[-a-z0-9]+", f["slug"]) else "slug not [-a-z0-9]+")
                  or ("join_code too long" if len(f["join_code"]) > 20 else None))
        if reason:
            r.q(T, reason)
            ev_status[e["id"]] = "q"
        else:
            passing.append(e)
            if status[f["owner"][0]] == "merged":
                r.observed[f"{T}: owner re-pointed"] += 1
            lookup = f.get("owner_id")
            if lookup and lookup != f["owner"]:
                r.observed[f"{T}: stale owner_id"] += 1
    slugs, codes = set(), set()
    for e in sorted(passing, key=lambda e: (e["createdTime"], e["id"])):
        f = e["fields"]
        if f["slug"] in slugs:
            r.q(T, "duplicate slug")
            ev_status[e["id"]] = "q"
        elif f["join_code"] in codes:
            r.q(T, "duplicate join_code")
            ev_status[e["id"]] = "q"
        else:
            slugs.add(f["slug"])
            codes.add(f["join_code"])
            ev_status[e["id"]] = "ok"
            r.ok(T)
            _fixes(r, "events", f)
    # projects
    T = "airtable.projects"
    pr_status: dict[str, str] = {}
    passing = []
    for p in projects:
        f = p["fields"]
        reason = ("missing name" if blank(f.get("name")) else ref(f.get("owner"), "owner", status)
                  or ref(f.get("event"), "event", ev_status)
                  or ("missing join_code" if blank(f.get("join_code")) else None)
                  or ("join_code too long" if len(f["join_code"]) > 20 else None))
        if reason:
            r.q(T, reason)
            pr_status[p["id"]] = "q"
        else:
            passing.append(p)
    codes = set()
    for p in sorted(passing, key=lambda p: (p["createdTime"], p["id"])):
        f = p["fields"]
        if f["join_code"] in codes:
            r.q(T, "duplicate join_code")
            pr_status[p["id"]] = "q"
            continue
        codes.add(f["join_code"])
        pr_status[p["id"]] = "ok"
        r.ok(T)
        _fixes(r, "projects", f)
        raw = f.get("cached_auto_quality")
        if raw is not None:
            try:
                json.loads(raw)
            except ValueError:
                r.fixes[T]["invalid JSON"] += 1
    # votes
    T = "airtable.votes"
    passing = []
    for v in votes:
        f = v["fields"]
        reason = (ref(f.get("voter"), "voter", status) or ref(f.get("project"), "project", pr_status)
                  or ref(f.get("event"), "event", ev_status))
        if reason:
            r.q(T, reason)
        else:
            passing.append(v)
    seen = set()
    for v in sorted(passing, key=lambda v: (v["createdTime"], v["id"])):
        f = v["fields"]
        pair = (primary[f["voter"][0]], f["project"][0])
        if pair in seen:
            r.m(T, "duplicate vote")
        else:
            seen.add(pair)
            r.ok(T)
    # referrals
    T = "airtable.referrals"
    for x in referrals:
        f = x["fields"]
        reason = ref(f.get("user"), "user", status) or ref(f.get("event"), "event", ev_status)
        if reason:
            r.q(T, reason)
        else:
            r.ok(T)
    # list links
    for rows, field, parents, T, what, parent in (
            (events, "attendees", ev_status, "airtable.events.attendees", "attendee", "event"),
            (projects, "collaborators", pr_status, "airtable.projects.collaborators", "collaborator", "project")):
        for row in rows:
            seen = set()
            for uid in row["fields"].get(field, []):
                if parents[row["id"]] == "q":
                    r.q(T, f"{parent} not migrated")
                elif uid not in status:
                    r.q(T, f"{what} not found")
                elif status[uid] == "q":
                    r.q(T, f"{what} not migrated")
                elif primary[uid] in seen:
                    r.m(T, "duplicate link")
                else:
                    seen.add(primary[uid])
                    r.ok(T)
    # reverse link users.attending_events vs events.attendees, compared per source record pair
    forward = {(uid, e["id"]) for e in events for uid in e["fields"].get("attendees", []) if uid in status}
    known_events = {e["id"] for e in events}
    backward = {(u["id"], eid) for u in users for eid in u["fields"].get("attending_events", []) if eid in known_events}
    r.conflicts["reverse_link"] += len(forward ^ backward)
    for t in registry.table_names("airtable"):
        r.targets[f"podium.{t}"] = r.fates[f"airtable.{t}"]["migrated"]
    r.targets["podium.event_attendees"] = r.fates["airtable.events.attendees"]["migrated"]
    r.targets["podium.project_collaborators"] = r.fates["airtable.projects.collaborators"]["migrated"]
    schema = json.loads((d / "schema.json").read_text())
    r.observed["airtable schema fields"] = sum(len(t["fields"]) for t in schema["tables"])
