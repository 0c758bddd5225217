"""airtable/schema.json shaped like GET /v0/meta/bases/{base}/tables (every SPEC §2.1 field)."""

from __future__ import annotations

from .common import Ctx, dumps

S, LT, LINK, CB, NUM, DATE, LOOK = ("singleLineText", "multilineText", "multipleRecordLinks",
                                    "checkbox", "number", "date", "multipleLookupValues")
FIELDS = {
    "users": [("email", "email")] + [(f, S) for f in ("display_name", "first_name", "last_name", "phone",
                                      "street_1", "street_2", "city", "state", "zip_code", "country")]
    + [("dob", DATE)] + [(f, LINK) for f in ("votes", "projects", "collaborations", "owned_events",
                                            "attending_events", "referral")],
    "events": [("name", S), ("description", LT), ("slug", S), ("join_code", S), ("votable", CB),
               ("leaderboard_enabled", CB), ("demo_links_optional", CB), ("ysws_checks_enabled", CB),
               ("feature_flags_csv", S), ("owner", LINK), ("attendees", LINK), ("projects", LINK),
               ("referrals", LINK), ("owner_id", LOOK)],
    "projects": [("name", S), ("repo", "url"), ("image_url", "url"), ("demo", "url"), ("description", LT),
                 ("hours_spent", NUM), ("points", NUM), ("join_code", S), ("cached_auto_quality", LT),
                 ("event", LINK), ("owner", LINK), ("collaborators", LINK), ("votes", LINK),
                 ("event_id", LOOK), ("owner_id", LOOK), ("owner_display_name", LOOK),
                 ("collaborator_display_names", LOOK)],
    "votes": [("voter", LINK), ("project", LINK), ("event", LINK), ("user_id", LOOK), ("event_id", LOOK),
              ("project_id", LOOK)],
    "referrals": [("content", LT), ("user", LINK), ("event", LINK), ("event_id", LOOK)],
}


def build_schema(ctx: Ctx) -> dict:
    rng = ctx.rng
    tables = []
    for name, fields in FIELDS.items():
        fs = [{"id": "fld" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=14)),
               "name": f, "type": typ} for f, typ in fields]
        tables.append({"id": "tbl" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=14)),
                       "name": name, "primaryFieldId": fs[0]["id"], "fields": fs})
    return {"tables": tables}


def write_schema(ctx: Ctx, path) -> None:
    path.write_text(dumps(build_schema(ctx)) + "\n", encoding="utf-8")
