"""Surveys, survey responses, demo slots, pending users and Luma webhooks."""

from __future__ import annotations

import datetime as dt

from . import names
from .common import Ctx
from .hm_events import Event
from .hm_other import _member
from .hm_profiles import Profiles

QUESTIONS = [
    {"id": "q1", "text": "What are you building?", "type": "text", "required": True},
    {"id": "q2", "text": "How likely are you to recommend Hello Miami?", "type": "scale", "required": True,
     "scale": {"min": 1, "max": 10}},
    {"id": "q3", "text": "What do you need most?", "type": "choice", "required": False,
     "options": ["cofounder", "funding", "customers", "talent"], "helpText": "Pick one"},
]


def surveys(ctx: Ctx, w) -> tuple[list, list]:
    tally, t = ctx.tally, "mongo.surveys"
    n = max(ctx.n(4), 3)
    good, bad = [], []
    slugs = []
    for i in range(n + ctx.d(1)):
        created = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=6 * i)
        typ = ("onboarding", "annual", "event")[i % 3]
        if i < n:
            slug = f"{typ}-{2024 + i // 3}" if i < 6 else f"{typ}-{i}"
            slugs.append(slug)
        else:
            slug = ctx.pick(slugs)  # re-created with the same slug later
        doc = {"_id": ctx.object_id(created), "slug": slug, "title": f"{typ.title()} survey {i + 1}",
               "description": f"Tell us about your {typ} experience.", "type": typ, "isActive": i % 4 != 3,
               "questions": QUESTIONS[: 2 + i % 2], "createdAt": created, "updatedAt": created}
        w.write(doc)
        if i < n:
            good.append(doc["_id"])
            tally.migrated(t)
        else:
            bad.append(doc["_id"])
            tally.quarantined(t, "duplicate slug")
    tally.targets["hello_miami.surveys"] = len(good)
    return good, bad


def responses(ctx: Ctx, p: Profiles, good: list, bad: list, w) -> None:
    rng, tally, t = ctx.rng, ctx.tally, "mongo.survey_responses"
    seen: set = set()

    def put(survey, member_oid, complete, submitted):
        answers = {"q1": {"type": "text", "value": "A study app"}, "q2": {"type": "scale", "value": ctx.ri(1, 10)}}
        if not complete:
            answers.pop("q2")
        w.write({"_id": ctx.object_id(submitted), "surveyId": survey, "memberId": member_oid, "responses": answers,
                 "isComplete": complete, "submittedAt": submitted, "createdAt": submitted, "updatedAt": submitted})

    def fresh():
        while True:
            s, m = ctx.pick(good), ctx.pick(p.ok)
            if (s, m) not in seen:
                seen.add((s, m))
                return s, m

    for defect, base in (("complete beats later incomplete", 2), ("latest complete wins", 1),
                         ("surveyId not found", 1), ("surveyId not migrated", 1), ("memberId not found", 1),
                         ("memberId not migrated", 1), ("memberId re-pointed", 1)):
        for _ in range(ctx.d(base)):
            when = ctx.when()
            if defect.startswith("survey"):
                s = ctx.object_id(when) if defect.endswith("found") else ctx.pick(bad)
                put(s, p.oid[ctx.pick(p.ok)], True, when)
                tally.quarantined(t, defect)
            elif defect.startswith("memberId not"):
                put(ctx.pick(good), _member(ctx, p, defect, t)[0], True, when)
                tally.quarantined(t, defect)
            elif defect == "memberId re-pointed":
                s, (d, prim) = ctx.pick_where((good, p.dups), lambda s, dq: (s, dq[1]) not in seen)
                seen.add((s, prim))
                put(s, p.oid[d], True, when)
                tally.migrated(t)
                tally.note(f"{t}: memberId re-pointed")
            else:
                s, m = fresh()
                later = when + dt.timedelta(days=2)
                if defect == "complete beats later incomplete":
                    put(s, p.oid[m], True, when)
                    put(s, p.oid[m], False, later)
                else:
                    put(s, p.oid[m], True, when)
                    put(s, p.oid[m], True, later)
                tally.migrated(t)
                tally.merged(t, "duplicate response")
                tally.note(f"{t}: {defect}")
    total = ctx.n(500)
    room = len(good) * len(p.ok) - len(seen)
    for _ in range(max(0, min(total - sum(tally.fates[t].values()), room // 2))):
        s, m = fresh()
        put(s, p.oid[m], rng.random() < 0.85, ctx.when())
        tally.migrated(t)
    tally.targets["hello_miami.survey_responses"] = tally.fates[t]["migrated"]


def demo_slots(ctx: Ctx, p: Profiles, events: list[Event], w) -> None:
    rng, tally, t = ctx.rng, ctx.tally, "mongo.demo_slots"
    matched = [e for e in events if e.kind == "matched"]
    by_kind = {k: [e for e in events if e.kind == k] for k in ("old", "duplicate", "missing id")}
    kinds = [("via event Luma does not return", 1), ("via duplicate mongo event", 1), ("eventId not found", 1),
             ("eventId not migrated", 1), ("memberId not found", 1), ("memberId not migrated", 1)]
    todo = [k for k, base in kinds for _ in range(ctx.d(base))]
    todo += ["clean"] * max(0, ctx.n(80) - len(todo))
    rng.shuffle(todo)
    for kind in todo:
        e = ctx.pick(matched)
        member, _ = _member(ctx, p, kind if kind.startswith("memberId") else "clean", t)
        event_oid = e.oid
        if kind == "via event Luma does not return":
            e = ctx.pick(by_kind["old"])
            event_oid = e.oid
        elif kind == "via duplicate mongo event":
            e = ctx.pick(by_kind["duplicate"])
            event_oid = e.oid
        elif kind == "eventId not found":
            event_oid = ctx.object_id(e.created)
        elif kind == "eventId not migrated":
            e = ctx.pick(by_kind["missing id"])
            event_oid = e.oid
        created = e.created + dt.timedelta(days=ctx.ri(0, 6))
        status = rng.choices(("pending", "confirmed", "canceled"), (3, 5, 1))[0]
        doc = {"_id": ctx.object_id(created), "memberId": member, "eventId": event_oid,
               "title": f"Demo: {ctx.pick(names.PROJECT_WORDS)} {ctx.pick(names.PROJECT_WORDS)}",
               "description": "Five minutes, live." if rng.random() < 0.6 else None,
               "requestedTime": ctx.pick(("8:00 PM", "8:30 PM", "9:00 PM", None)), "status": status,
               "confirmedByOrganizer": status == "confirmed", "createdAt": created, "updatedAt": created}
        if rng.random() < 0.8:
            doc["durationMinutes"] = ctx.pick((5, 5, 5, 10))
        w.write(doc)
        if kind.endswith(("not found", "not migrated")):
            tally.quarantined(t, kind)
        else:
            tally.migrated(t)
            if kind != "clean":
                tally.note(f"{t}: {kind}")
    tally.targets["hello_miami.demo_slots"] = tally.fates[t]["migrated"]


def pending_users(ctx: Ctx, w) -> None:
    rng, tally, t = ctx.rng, ctx.tally, "mongo.pending_users"
    kinds = ["duplicate email"] * ctx.d(2) + ["missing lumaAttendeeId"] * ctx.d(1) + ["duplicate lumaAttendeeId"] * ctx.d(1)
    kinds += ["clean"] * max(2, ctx.n(100) - len(kinds))
    rng.shuffle(kinds)
    kinds = [k for k in kinds if not k.startswith("duplicate")] + [k for k in kinds if k.startswith("duplicate")]
    written: list[dict] = []
    for i, kind in enumerate(kinds):
        subscribed = ctx.when()
        first, last = ctx.pick(names.FIRST), ctx.pick(names.LAST)
        doc = {"_id": None, "email": f"{last.lower()}.{i}@{ctx.pick(names.DOMAINS)}", "name": f"{first} {last}",
               "lumaAttendeeId": ctx.luma_id("usr"), "subscribedAt": subscribed,
               "approvedAt": subscribed + dt.timedelta(days=2) if rng.random() < 0.4 else None}
        if kind.startswith("duplicate"):
            src = ctx.pick([d for d in written if d["_kind"] == "clean"])
            subscribed = doc["subscribedAt"] = ctx.after(src["subscribedAt"])
            if kind == "duplicate email":
                doc["email"] = f"  {src['email'].upper()}"
                tally.merged(t, kind)
            else:
                doc["lumaAttendeeId"] = src["lumaAttendeeId"]
                tally.quarantined(t, kind)
        elif kind == "missing lumaAttendeeId":
            doc["lumaAttendeeId"] = None
            tally.quarantined(t, kind)
        else:
            tally.migrated(t)
        doc["_id"] = ctx.object_id(subscribed)
        doc["createdAt"] = doc["updatedAt"] = subscribed
        doc["_kind"] = kind
        written.append(doc)
    for doc in written:
        doc.pop("_kind")
        w.write(doc)
    tally.targets["hello_miami.pending_users"] = tally.fates[t]["migrated"]


def webhooks(ctx: Ctx, events: list[Event], w) -> None:
    from bson import Binary, DatetimeMS

    rng, t = ctx.rng, "mongo.luma_webhooks"
    luma = [e for e in events if e.in_luma]
    for i in range(ctx.n(300)):
        e = ctx.pick(luma)
        received = ctx.when()
        typ = ctx.pick(("guest.updated", "guest.registered", "guest.checked_in", "event.updated"))
        payload = {"type": typ, "data": {"event_api_id": e.api_id,
                                         "guest": {"api_id": ctx.luma_id("gst"), "approval_status": "approved"}}}
        if i % 7 == 0:
            payload["raw"] = Binary(rng.randbytes(24))
            if i == 0:
                ctx.tally.note(f"{t}: Binary in payload")
        if i == 1:
            payload["data"]["expires_at"] = DatetimeMS(253402300800000 + 86400000 * 30)  # year 10000
            ctx.tally.note(f"{t}: payload date beyond year 9999")
        w.write({"_id": ctx.object_id(received), "type": typ, "payload": payload,
                 "signature": rng.randbytes(16).hex() if rng.random() < 0.8 else None, "receivedAt": received})
        ctx.tally.migrated(t)
    ctx.tally.targets["hello_miami.luma_webhooks"] = ctx.tally.fates[t]["migrated"]
