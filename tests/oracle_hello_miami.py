"""Independent oracle, Hello Miami half: COMMON.md's rules applied to the BSON and Luma files."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from pipelines import registry

from .oracle_podium import Result, blank, read_jsonl

COMPLETENESS = ("clerkUserId", "lumaAttendeeId", "bio", "skills", "githubUsername", "twitterHandle",
                "websiteUrl", "role")
UTC = dt.timezone.utc


def read_bson(path: Path) -> list[dict]:
    import bson

    opts = bson.CodecOptions(tz_aware=True, tzinfo=UTC, datetime_conversion=bson.DatetimeConversion.DATETIME_AUTO)
    return bson.decode_all(path.read_bytes(), opts)


def created(doc: dict, field: str = "createdAt") -> dt.datetime:
    """createdAt, or the ObjectId's embedded time when missing or out of range."""
    v = doc.get(field)
    return v if isinstance(v, dt.datetime) else doc["_id"].generation_time


def parse(ts):
    return dt.datetime.fromisoformat(ts.replace("Z", "+00:00")) if isinstance(ts, str) else ts


def unwrap(entry: dict, inner: str) -> tuple[str, dict]:
    if isinstance(entry.get(inner), dict):
        obj = entry[inner]
        return entry.get("api_id") or obj.get("api_id") or obj.get("id"), obj
    return entry.get("api_id") or entry.get("id"), entry


def hello_miami(snapshot: Path, r: Result) -> None:
    m = {c: read_bson(snapshot / "mongo" / f"{c}.bson") for c in registry.table_names("mongo")}
    # profiles
    T = "mongo.profiles"
    status, primary, groups = {}, {}, defaultdict(list)
    for p in m["profiles"]:
        if blank(p.get("lumaEmail")):
            r.q(T, "missing lumaEmail")
            status[p["_id"]] = "q"
        else:
            groups[p["lumaEmail"].strip().lower()].append(p)
        if p.get("clerkUserId") == "":
            r.observed[f"{T}: empty clerkUserId"] += 1
        if not isinstance(p.get("updatedAt", dt.datetime.now(UTC)), dt.datetime):
            r.observed[f"{T}: updatedAt beyond year 9999"] += 1
    keys, heads = {}, []
    for key, members in groups.items():
        members.sort(key=lambda p: (p.get("verificationStatus") != "verified",
                                    -sum(not blank(p.get(k)) for k in COMPLETENESS), created(p), p["_id"]))
        heads.append(members[0])
        keys[key] = members[0]["_id"]
        for p in members:
            primary[p["_id"]] = members[0]["_id"]
            status[p["_id"]] = "ok" if p is members[0] else "merged"
        r.ok(T)
        for _ in members[1:]:
            r.m(T, "duplicate lumaEmail")
    clerks = set()
    for p in sorted(heads, key=lambda p: (created(p), p["_id"])):
        for field in ("createdAt", "updatedAt"):  # beyond year 9999: the fallback is stored and recorded
            if p.get(field) is not None and not isinstance(p[field], dt.datetime):
                r.fixes[T]["not a date in years 1-9999"] += 1
        c = p.get("clerkUserId")
        if c:
            if c in clerks:
                r.fixes[T]["duplicate clerkUserId"] += 1
            clerks.add(c)
    attendee_ids = {p["lumaAttendeeId"]: primary[p["_id"]] for p in m["profiles"]
                    if status[p["_id"]] != "q" and p.get("lumaAttendeeId")}
    r.targets["hello_miami.profiles"] = r.fates[T]["migrated"]

    def member(doc):
        mid = doc.get("memberId")
        if mid not in status:
            return None, "memberId not found"
        if status[mid] == "q":
            return None, "memberId not migrated"
        return primary[mid], None

    def simple(table: str, docs, checks, dedupe=None, rule=None, order=None):
        """checks(doc) -> (key part, reason); dedupe on the resolved key, first in `order` wins."""
        passing = []
        for d in docs:
            key, reason = checks(d)
            if reason:
                r.q(table, reason)
            else:
                passing.append((key, d))
        seen = set()
        for key, d in sorted(passing, key=lambda kd: order(kd[1])) if order else passing:
            if dedupe and key in seen:
                r.m(table, rule)
            else:
                seen.add(key)
                r.ok(table)
        return seen

    simple("mongo.projects", m["projects"], member)
    # badges
    T = "mongo.badges"
    names, good_badges, bad_badges = set(), set(), set()
    for b in sorted(m["badges"], key=lambda b: (created(b), b["_id"])):
        if b["name"] in names:
            r.q(T, "duplicate name")
            bad_badges.add(b["_id"])
            continue
        names.add(b["name"])
        good_badges.add(b["_id"])
        r.ok(T)
        if blank(b.get("iconAscii")):
            if blank(b.get("icon")):
                r.fixes[T]["missing icon"] += 1
            else:
                r.observed[f"{T}: icon only"] += 1

    def badge_check(d):
        mem, reason = member(d)
        if reason:
            return None, reason
        if d["badgeId"] in bad_badges:
            return None, "badgeId not migrated"
        if d["badgeId"] not in good_badges:
            return None, "badgeId not found"
        return (mem, d["badgeId"]), None

    simple("mongo.member_badges", m["member_badges"], badge_check, True, "duplicate member_badge",
           lambda d: (created(d, "awardedAt"), d["_id"]))
    # surveys and responses
    T = "mongo.surveys"
    slugs, good_s, bad_s = set(), set(), set()
    for s in sorted(m["surveys"], key=lambda s: (created(s), s["_id"])):
        if s["slug"] in slugs:
            r.q(T, "duplicate slug")
            bad_s.add(s["_id"])
        else:
            slugs.add(s["slug"])
            good_s.add(s["_id"])
            r.ok(T)

    def response_check(d):
        if d.get("surveyId") in bad_s:
            return None, "surveyId not migrated"
        if d.get("surveyId") not in good_s:
            return None, "surveyId not found"
        mem, reason = member(d)
        return (d["surveyId"], mem), reason

    simple("mongo.survey_responses", m["survey_responses"], response_check, True, "duplicate response",
           lambda d: (not d.get("isComplete"), -created(d, "submittedAt").timestamp(), d["_id"]))
    # pending users
    T = "mongo.pending_users"
    emails, attendees = set(), set()
    for u in sorted(m["pending_users"], key=lambda u: (created(u), u["_id"])):
        e = u["email"].strip().lower()
        if e in emails:
            r.m(T, "duplicate email")
            continue
        emails.add(e)
        if blank(u.get("lumaAttendeeId")):
            r.q(T, "missing lumaAttendeeId")
        elif u["lumaAttendeeId"] in attendees:
            r.q(T, "duplicate lumaAttendeeId")
        else:
            attendees.add(u["lumaAttendeeId"])
            r.ok(T)
    events_and_attendance(snapshot, m, r, status, primary, keys, attendee_ids, member)
    for c in ("projects", "member_badges", "surveys", "survey_responses", "pending_users", "badges"):
        r.targets[f"hello_miami.{c}"] = r.fates[f"mongo.{c}"]["migrated"]
    for h in m["luma_webhooks"]:
        r.ok("mongo.luma_webhooks")
    r.targets["hello_miami.luma_webhooks"] = r.fates["mongo.luma_webhooks"]["migrated"]


def _luma_fields(ev: dict) -> dict:
    g = ev.get("geo_address_info")
    loc = None if not g else {"type": g.get("type"), "name": g.get("place_name"), "address": g.get("address"),
                              "lat": g.get("latitude"), "lng": g.get("longitude")}
    return {"name": ev.get("name"), "description": ev.get("description"), "cover_url": ev.get("cover_url"),
            "url": ev.get("url"), "start_at": parse(ev.get("start_at")), "end_at": parse(ev.get("end_at")),
            "timezone": ev.get("timezone"), "location": loc, "is_canceled": ev.get("is_canceled")}


def _mongo_fields(doc: dict) -> dict:
    return {"name": doc.get("name"), "description": doc.get("description"), "cover_url": doc.get("coverUrl"),
            "url": doc.get("url"), "start_at": doc.get("startAt"), "end_at": doc.get("endAt"),
            "timezone": doc.get("timezone"), "location": doc.get("location"), "is_canceled": doc.get("isCanceled")}


def events_and_attendance(snapshot, m, r: Result, status, primary, keys, attendee_ids, member) -> None:
    T = "mongo.events"
    mongo_events, by_oid = {}, {}
    for e in sorted(m["events"], key=lambda e: (created(e), e["_id"])):
        if blank(e.get("lumaEventId")):
            r.q(T, "missing lumaEventId")
            by_oid[e["_id"]] = None
        elif e["lumaEventId"] in mongo_events:
            r.m(T, "duplicate lumaEventId")
            by_oid[e["_id"]] = e["lumaEventId"]
        else:
            mongo_events[e["lumaEventId"]] = e
            by_oid[e["_id"]] = e["lumaEventId"]
            r.ok(T)
    luma = {}
    for entry in read_jsonl(snapshot / "luma" / "events.jsonl"):
        api_id, ev = unwrap(entry, "event")
        luma[api_id] = ev
        r.ok("luma.events")
    r.targets["hello_miami.events"] = len(set(mongo_events) | set(luma))
    r.observed["luma.events: not in MongoDB"] = len(set(luma) - set(mongo_events))
    r.observed["mongo.events: not returned by Luma"] = len(set(mongo_events) - set(luma))
    for api_id, doc in mongo_events.items():
        if api_id in luma:
            a, b = _mongo_fields(doc), _luma_fields(luma[api_id])
            for f in a:
                if a[f] is not None and b[f] is not None and a[f] != b[f]:
                    r.conflicts["mongo_luma"] += 1
                    r.observed[f"conflict field {f}"] += 1
    # guests
    T = "luma.guests"
    pairs: dict = {}
    stats = defaultdict(lambda: [0, 0])
    luma_checked = {}
    listed: dict = {}  # a key listed again: the first line is kept, a later one merged into it
    for entry in read_jsonl(snapshot / "luma" / "guests.jsonl"):
        api_id, g = unwrap(entry, "guest")
        event = entry["event_api_id"]
        if (event, api_id) in listed:
            first = listed[(event, api_id)]
            differing = sum(first.get(f) != g.get(f) for f in set(first) | set(g))
            r.m(T, "conflicting duplicate" if differing else "exact duplicate")
            r.conflicts["luma_duplicate"] += differing
            continue
        listed[(event, api_id)] = g
        email = g.get("email") or g.get("user_email")
        checked = g.get("checked_in_at") or any(t.get("checked_in_at") for t in g.get("event_tickets") or [])
        approved = g.get("approval_status") == "approved"
        who = None
        if email and email.strip().lower() in keys:
            who = keys[email.strip().lower()]
        elif g.get("user_api_id") in attendee_ids:
            who = attendee_ids[g["user_api_id"]]
            r.observed[f"{T}: matched only by lumaAttendeeId"] += 1
        elif g.get("api_id") in attendee_ids:
            who = attendee_ids[g["api_id"]]
            r.observed[f"{T}: matched only by lumaAttendeeId"] += 1
        attending = bool(checked) or approved
        stats[event][0] += attending
        stats[event][1] += bool(checked)
        if checked and not approved:
            r.observed[f"{T}: checked in without approval"] += 1
        r.observed[f"{T}: status {g.get('approval_status')}"] += 1
        r.observed[f"{T}: {'wrapped' if 'guest' in entry else 'flat'}"] += 1
        if "event_tickets" in g:
            r.observed[f"{T}: checked_in_at on tickets"] += bool(checked)
        else:
            r.observed[f"{T}: checked_in_at on guest"] += bool(checked)
        if who is not None and attending:
            pairs[(who, event)] = True
            luma_checked[(who, event)] = bool(checked)
            r.ok(T)
        elif who is None and attending:
            r.m(T, "guest counted in event stats")
            r.observed[f"{T}: matches no profile"] += 1
        else:
            r.m(T, "guest not attending")
    for api_id, doc in mongo_events.items():
        if api_id in luma:
            s = doc.get("stats") or {}
            if [s.get("registered"), s.get("checkedIn")] != stats[api_id]:
                r.observed[f"{T[:0]}mongo.events: stats differ from Luma's guest list"] += 1
    # attendance
    T = "mongo.attendance"
    mongo_pairs = set()
    for a in sorted(m["attendance"], key=lambda a: (created(a), a["_id"])):
        who, reason = member(a)
        if reason:
            r.q(T, reason)
            continue
        key = (who, a["lumaEventId"])
        if key in mongo_pairs:
            r.m(T, "duplicate attendance")
            continue
        mongo_pairs.add(key)
        r.ok(T)
        if a.get("status") == "checked-in" and luma_checked.get(key) is False:
            r.observed[f"{T}: local check-in Luma does not have"] += 1
    r.targets["hello_miami.attendance"] = len(mongo_pairs | set(pairs))
    # demo slots
    T = "mongo.demo_slots"
    for s in m["demo_slots"]:
        _, reason = member(s)
        if not reason:
            if s.get("eventId") not in by_oid:
                reason = "eventId not found"
            elif by_oid[s["eventId"]] is None:
                reason = "eventId not migrated"
        if reason:
            r.q(T, reason)
        else:
            r.ok(T)
    r.targets["hello_miami.demo_slots"] = r.fates[T]["migrated"]
