"""Change markers of the live sources (issue 20): taken when a live dry-run lands, checked by
`cutover apply` before any row moves, so a record written to Airtable or MongoDB after the dry-run
is never lost without a word.

Decisions:
- Markers are taken BEFORE a source lands (`before_landing`), recorded with the run's count ledger
  (`record`, in migration.source_markers of the application's database). A write that happens
  while the landing runs is therefore reported at apply as a change (it may or may not have been
  landed): conservative, never silent.
- Airtable, through a webhook (pipelines/airtable/webhooks.py says how it is created and why its
  payloads can be trusted until the expiration answered at creation): before the landing one
  webhook per base is created (`dataTypes: tableData`), and the meta API maps our tables to the
  `tbl…` ids its payloads use (kept per table in `listing.table_id`); the webhook's id, first
  cursor and expiration go to migration.source_webhooks (Alembic 0015) with the markers, and the
  previous webhooks this project created on the base (their ids are in that table) are deleted
  then, so at most one of ours lives in the base (Airtable allows 10). A landing that fails deletes
  the webhook it created (`abandon`). At apply one `GET …/webhooks/{id}/payloads?cursor=N` (more
  pages only while Airtable says `mightHaveMore`, 50 payloads a page) lists per table the records
  created, changed and destroyed since; they are judged against raw_airtable (what the dry-run
  landed): a record alive now and not landed is created (a record created then changed counts
  once, as created), alive and landed is changed (created during the landing, or changed since),
  destroyed and landed is deleted; created then destroyed and never landed is not counted (the
  candidates lack it and Airtable no longer holds it: nothing for the apply to miss). A committed
  apply that leaves no table of the dry-run behind deletes the webhook (`release_webhook`); a
  refused one keeps it for the next attempt (the next dry-run replaces it).
- Airtable, by listing (the fallback, and the check of dry-runs recorded before 0015): `since` =
  our clock at the landing's start minus AIRTABLE_CLOCK_SKEW_SECONDS (default 60 s: Airtable's
  clock and ours may disagree; a larger margin only reports more records as changed, never
  fewer), and the record count. At apply, per table, (1) one listing with
  `filterByFormula=IS_AFTER(LAST_MODIFIED_TIME(), '<since>')` lists the records created or
  changed since, and (2) one listing of every record id (100 a page) tells deletions, both asking
  for one field the mapping reads. The id sets are compared with raw_airtable: created = listed ids
  not in raw, changed = ids listed by (1) that are in raw, deleted = raw ids no longer listed.
  List-records has no count, no tombstones and no modified time beside an id, so this costs
  1 + ceil(records / 100) requests per table (93 for the demo's base, 18.3 s at 5 requests/s).
  It runs when the webhook cannot serve, and the check says why in one sentence naming the scope
  or setting to fix: creation refused (403 without `webhook:manage` or creator permission; 422 at
  the base's limit), the webhook gone (404), expired, disabled (an error payload), or refused at apply.
- MongoDB: per collection the count, the newest `updatedAt` and the newest ObjectId (one
  aggregation). At apply one aggregation per collection counts the documents with an ObjectId
  newer than that (created), the older ones with a newer `updatedAt` (changed), and the total;
  deleted = count then + created - count now. Limit: a change that sets no newer `updatedAt`,
  and a deletion offset by as many inserts with older ObjectIds, are invisible.
- Luma: the events of the sync window (pipelines/luma/window.py, the window the scheduled sync
  lists: CUTOVER_SYNC_DAYS_BACK/AHEAD around the landing's start) and each one's `updated_at`,
  kept in `listing` (Alembic 0014). The window is fixed before the landing; the events are what
  the landing itself listed (the raw_luma.events rows of its loads, which list the calendar
  whole), so the marker costs no request and is exactly what landed. At apply the same window is
  listed again through the landing's rate-limited client (LumaClient, LUMA_MAX_RPM, default
  200/min): created = ids not listed then, deleted = ids no longer listed (deleted, or moved out
  of the window), changed = a different `updated_at`. Cost: ceil(events in the window /
  LUMA_PAGE_SIZE) requests (one page at the demo's scale). Why the window and not the whole calendar: the sync window is
  what the scheduled sync carries into the live tables after the cutover; a write in it between
  the dry-run and the apply would reach the live tables only at the sync's next run, under rules
  the dry-run's gates never judged, so the apply refuses instead; events outside the window are
  history that the sync never touches again. Guest counts are not recorded: list-events does not
  return them, and asking get-guests per event would cost a request per event in the window each
  time, for what the sync carries anyway; a guest change alone (registration, check-in) is
  therefore not seen.
- Every check counts the requests it spent (`requests` per table, MongoDB: one aggregation; the
  webhook's payloads: per base, `airtable`), which apply keeps in migration.cutovers.detail.source_check.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pipelines import settings
from pipelines.errors import CutoverError

CHECKED_SOURCES = ("airtable", "mongo", "luma")
KINDS = ("created", "changed", "deleted")
PAGE = 100
HERE = Path(__file__).resolve().parent

# markers taken before each source's landing in this process, recorded by `record`
_TAKEN: dict[str, dict[str, dict]] = {}
# the Airtable webhook opened before this process's landing (or why none), recorded by `record`
_HOOKS: dict[str, dict] = {}
WEBHOOK_CHECK = "Airtable webhook payloads"
LISTING_CHECK = "Airtable listing"


def clock_skew() -> timedelta:
    return timedelta(seconds=float(settings.optional("AIRTABLE_CLOCK_SKEW_SECONDS", "60")))


def before_landing(source: str, live: bool) -> None:
    """Take `source`'s markers now, when it is about to land from the live source."""
    abandon(source)
    if live and source in CHECKED_SOURCES:
        _TAKEN[source] = {"airtable": _take_airtable, "mongo": _take_mongo, "luma": _take_luma}[source]()


def record(conn, run_id: str, source: str, counts: dict[str, int | None], load_ids: list[str] = ()) -> None:
    """migration.source_markers rows of `run_id` for the markers taken before `source` landed.
    Airtable's count is what the landing listed (`counts`); Luma's events are those its loads
    (`load_ids`) landed."""
    from pipelines import registry

    taken = _TAKEN.pop(source, None)
    if not taken:
        return
    if source == "airtable":
        _record_webhook(conn, run_id, registry.application_of(source))
    if source == "luma":
        _landed_luma(conn, taken["events"], list(load_ids))
    from psycopg.types.json import Jsonb

    rows = []
    for table, marker in taken.items():
        count = marker.get("record_count", counts.get(table))
        listing = marker.get("listing")
        rows.append((run_id, registry.application_of(source), source, table, count, marker.get("since"),
                     marker.get("newest_updated_at"), marker.get("newest_id"), Jsonb(listing) if listing is not None else None))
    conn.cursor().executemany(
        """insert into migration.source_markers (run_id, application, source, source_table, record_count, since, newest_updated_at, newest_id, listing)
           values (%s, %s, %s, %s, %s, %s, %s, %s, %s)
           on conflict (run_id, source, source_table) do update set record_count = excluded.record_count, since = excluded.since,
               newest_updated_at = excluded.newest_updated_at, newest_id = excluded.newest_id, listing = excluded.listing,
               recorded_at = now()""",
        rows,
    )


def abandon(source: str) -> None:
    """Markers taken for a landing that did not finish are dropped, and its webhook deleted."""
    _TAKEN.pop(source, None)
    hook = _HOOKS.pop(source, None)
    if hook and hook.get("id"):
        from pipelines.airtable import webhooks
        from pipelines.airtable.client import make_api

        try:
            webhooks.delete(make_api(), hook["base"], hook["id"])
        except CutoverError:  # the settings went away: Airtable expires it in 7 days
            pass


def recorded(conn, run_id: str, app: str) -> list[dict]:
    keys = ("source", "source_table", "record_count", "since", "newest_updated_at", "newest_id", "listing")
    found = conn.execute(
        f"select {', '.join(keys)} from migration.source_markers where run_id = %s and application = %s order by source, source_table",
        (run_id, app),
    ).fetchall()
    return [dict(zip(keys, row)) for row in found]


def changes(conn, run_id: str, markers: list[dict]) -> dict:
    """Now against `markers`: {"found": {`source.table`: {"created", "changed", "deleted"}},
    "requests": {`source.table` (or `airtable`, the base, for the webhook): what asking cost},
    "airtable": {"check": WEBHOOK_CHECK or LISTING_CHECK, "fallback": why not the webhook}}."""
    result = {"found": {}, "requests": {}}
    airtable = [m for m in markers if m["source"] == "airtable"]
    mongo = [m for m in markers if m["source"] == "mongo"]
    luma = [m for m in markers if m["source"] == "luma"]
    if airtable:
        result["airtable"] = _airtable_changes(conn, run_id, airtable, result)
    for found in ([_mongo_changes(mongo)] if mongo else []) + ([_luma_changes(luma)] if luma else []):
        for table, n in found.items():
            result["requests"][table] = n.pop("requests")
            result["found"][table] = n
    return result


# ---------------------------------------------------------------- Airtable

def _take_airtable() -> dict[str, dict]:
    from pipelines.airtable import TABLES

    since = datetime.now(timezone.utc) - clock_skew()
    hook = _HOOKS["airtable"] = _open_webhook(TABLES)
    ids = hook.get("table_ids", {})
    return {table: {"since": since, **({"listing": {"table_id": ids[table]}} if table in ids else {})} for table in TABLES}


def _open_webhook(tables) -> dict:
    """{"base", "table_ids", "id", "cursor", "expires_at"} of a new webhook, or {"base", "failure"}:
    never raises, a dry-run goes on without it."""
    from pipelines.airtable import webhooks
    from pipelines.airtable.client import base_id, make_api

    try:
        api, base = make_api(), base_id()
    except CutoverError:
        return {"base": None, "failure": "no Airtable settings"}  # the landing itself names the missing one
    try:
        ids = webhooks.table_ids(api, base, tables)
        return {"base": base, "table_ids": ids, **webhooks.create(api, base)}
    except (webhooks.Unusable, CutoverError) as exc:
        return {"base": base, "failure": str(exc)}


def _record_webhook(conn, run_id: str, app: str) -> None:
    """The webhook opened before this landing into migration.source_webhooks, after deleting the
    earlier ones this project created on the base (at most one of ours lives there)."""
    hook = _HOOKS.pop("airtable", None)
    if not hook or not hook["base"]:
        return
    from pipelines.airtable import webhooks
    from pipelines.airtable.client import make_api

    earlier = conn.execute(
        "select run_id, webhook_id from migration.source_webhooks where base_id = %s and webhook_id is not null "
        "and deleted_at is null and webhook_id is distinct from %s", (hook["base"], hook.get("id"))).fetchall()
    api = make_api() if earlier else None
    for earlier_run, webhook_id in earlier:
        if webhooks.delete(api, hook["base"], webhook_id) is None:  # deleted (one that was not is tried again next time)
            conn.execute("update migration.source_webhooks set deleted_at = now() where run_id = %s and base_id = %s",
                         (earlier_run, hook["base"]))
    conn.execute(
        """insert into migration.source_webhooks (run_id, application, base_id, webhook_id, cursor, expires_at, failure)
           values (%s, %s, %s, %s, %s, %s, %s)
           on conflict (run_id, base_id) do update set webhook_id = excluded.webhook_id, cursor = excluded.cursor,
               expires_at = excluded.expires_at, failure = excluded.failure, created_at = now(), deleted_at = null""",
        (run_id, app, hook["base"], hook.get("id"), hook.get("cursor"), hook.get("expires_at"), hook.get("failure")))


def release_webhook(conn, run_id: str, app: str) -> str:
    """After a committed apply of `app` from dry-run `run_id`: its webhook deleted; a sentence
    saying so, or why it stays ("" when the application's dry-run has none)."""
    from pipelines.airtable import webhooks
    from pipelines.airtable.client import make_api

    row = conn.execute("select base_id, webhook_id from migration.source_webhooks where run_id = %s and application = %s "
                       "and webhook_id is not null and deleted_at is null", (run_id, app)).fetchone()
    if row is None:
        return ""
    try:
        failed = webhooks.delete(make_api(), *row)
    except CutoverError as exc:  # a missing setting: the cutover has committed all the same
        failed = str(exc).rstrip(".")
    if failed:
        return f"The dry-run's Airtable webhook {row[1]} stays in the base: {failed}."
    conn.execute("update migration.source_webhooks set deleted_at = now() where run_id = %s and base_id = %s", (run_id, row[0]))
    return f"The dry-run's Airtable webhook {row[1]} was deleted."


def _airtable_ids(api, base: str, table: str, formula: str | None = None) -> tuple[set[str], int]:
    """Ids of the records (of those matching `formula`), listed without any field, and the
    requests the listing took."""
    from pipelines.airtable.client import table_name

    from pipelines import registry

    url = str(api.build_url(base, table_name(table)))
    # the ids are all we need, but an empty or unknown field name is an error on the real API
    # (UNKNOWN_FIELD_NAME), so ask for one field the land gate has proven exists: the first the
    # mapping reads
    params: dict = {"pageSize": PAGE, "fields[]": [registry.table("airtable", table).fields[0]]}
    if formula:
        params["filterByFormula"] = formula
    ids: set[str] = set()
    requests = 0
    while True:
        requests += 1
        response = api.session.get(url, params=params)
        if response.status_code != 200:
            raise CutoverError(
                f"checking Airtable table {table} for changes since the dry-run failed with HTTP {response.status_code}; "
                "check AIRTABLE_API_KEY and AIRTABLE_BASE_ID, then run `cutover apply` again.")
        body = response.json()
        ids.update(record["id"] for record in body.get("records", []))
        if not body.get("offset"):
            return ids, requests
        params["offset"] = body["offset"]


def _airtable_changes(conn, run_id: str, markers: list[dict], result: dict) -> dict:
    """Adds each table's changes and the requests to `result`; returns which check ran (and why
    not the webhook)."""
    from pipelines.airtable import webhooks
    from pipelines.airtable.client import base_id, make_api

    api, base = make_api(), base_id()
    try:
        seen, spent = webhooks.changes(api, base, _webhook_of(conn, run_id, base, markers), {
            m["source_table"]: m["listing"]["table_id"] for m in markers}, datetime.now(timezone.utc), clock_skew())
    except webhooks.Unusable as exc:
        if exc.requests:
            result["requests"]["airtable"] = exc.requests
        for marker in markers:
            table = marker["source_table"]
            result["found"][f"airtable.{table}"], result["requests"][f"airtable.{table}"] = _airtable_listed(conn, api, base, marker)
        return {"check": LISTING_CHECK, "fallback": str(exc)}
    for table, records in seen.items():
        touched = records["created"] | records["changed"] | records["destroyed"]
        landed = {row[0] for row in conn.execute(f'select id from raw_airtable."{table}" where id = any(%s)', (list(touched),))}
        alive = records["created"] | records["changed"]
        result["found"][f"airtable.{table}"] = {"created": len(alive - landed), "changed": len(alive & landed),
                                                "deleted": len(records["destroyed"] & landed)}
    result["requests"]["airtable"] = spent
    return {"check": WEBHOOK_CHECK}


def _webhook_of(conn, run_id: str, base: str, markers: list[dict]) -> dict:
    """The dry-run's webhook on `base` as recorded; raises Unusable saying why there is none."""
    from pipelines.airtable.webhooks import Unusable

    row = conn.execute("select webhook_id, cursor, expires_at, failure, deleted_at from migration.source_webhooks "
                       "where run_id = %s and base_id = %s", (run_id, base)).fetchone()
    if row is None:
        raise Unusable(f"dry-run {run_id} recorded no Airtable webhook for AIRTABLE_BASE_ID (it ran before migration 0015, "
                       "or on another base).")
    webhook_id, cursor, expires_at, failure, deleted_at = row
    if failure:
        raise Unusable(failure)
    if not all((m["listing"] or {}).get("table_id") for m in markers):
        raise Unusable(f"dry-run {run_id} recorded no Airtable table ids for its webhook's payloads.")
    if deleted_at:
        raise Unusable(f"the dry-run's Airtable webhook {webhook_id} was deleted at {deleted_at:%Y-%m-%d %H:%M} UTC.")
    return {"id": webhook_id, "cursor": cursor, "expires_at": expires_at}


def _airtable_listed(conn, api, base: str, marker: dict) -> tuple[dict[str, int], int]:
    """One table's changes by listing it (the fallback), and the requests that took."""
    table = marker["source_table"]
    since = marker["since"].astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{marker['since'].microsecond // 1000:03d}Z"
    touched, asked = _airtable_ids(api, base, table, f"IS_AFTER(LAST_MODIFIED_TIME(), '{since}')")
    now, listed = _airtable_ids(api, base, table)
    then = {row[0] for row in conn.execute(f'select id from raw_airtable."{table}"')}
    return {"created": len(now - then), "changed": len(touched & then), "deleted": len(then - now)}, asked + listed


def airtable_requests(record_count: int) -> int:
    """Requests the listing check of one unchanged table of `record_count` records costs (documented above)."""
    return 1 + max(1, math.ceil(record_count / PAGE))


# ---------------------------------------------------------------- MongoDB

def _mongo_group(extra: dict | None = None) -> list[dict]:
    return [{"$group": {"_id": None, "n": {"$sum": 1}, "updated": {"$max": "$updatedAt"}, "newest": {"$max": "$_id"}, **(extra or {})}}]


def _aggregate(collection, pipeline: list[dict]) -> dict:
    rows = list(collection.aggregate(pipeline))
    return rows[0] if rows else {"n": 0}


def _take_mongo() -> dict[str, dict]:
    from pipelines.mongo.collections import COLLECTIONS
    from pipelines.mongo.readers import live_database

    database = live_database()
    taken = {}
    for name in COLLECTIONS:
        row = _aggregate(database.get_collection(name), _mongo_group())
        updated = row.get("updated")
        if isinstance(updated, datetime) and updated.tzinfo is None:
            updated = updated.replace(tzinfo=timezone.utc)
        taken[name] = {"record_count": row["n"], "newest_updated_at": updated if isinstance(updated, datetime) else None,
                       "newest_id": str(row["newest"]) if row.get("newest") is not None else None}
    return taken


def _mongo_changes(markers: list[dict]) -> dict[str, dict[str, int]]:
    from bson import ObjectId

    from pipelines.mongo.readers import live_database

    database = live_database()
    found = {}
    for marker in markers:
        oid = ObjectId(marker["newest_id"]) if marker["newest_id"] else None
        updated = marker["newest_updated_at"]
        newer = {"$gt": ["$_id", oid]} if oid is not None else True
        # naive UTC: how BSON dates compare (mongomock keeps them naive too)
        later = {"$gt": ["$updatedAt", updated.astimezone(timezone.utc).replace(tzinfo=None)]} if updated else False
        changed = {"$and": [{"$lte": ["$_id", oid]}, later]} if oid is not None else False
        row = _aggregate(database.get_collection(marker["source_table"]), _mongo_group({
            "created": {"$sum": {"$cond": [newer, 1, 0]}},
            "changed": {"$sum": {"$cond": [changed, 1, 0]}},
        }))
        created = row.get("created", 0)
        deleted = max(0, (marker["record_count"] or 0) + created - row["n"])
        found[f"mongo.{marker['source_table']}"] = {"created": created, "changed": row.get("changed", 0), "deleted": deleted,
                                                    "requests": 1}
    return found


# ---------------------------------------------------------------- Luma

def _stamp(moment) -> str | None:
    """An event's updated_at as the marker keeps it, whether read from the API or from raw_luma."""
    return moment.astimezone(timezone.utc).isoformat() if moment else None


def _luma_events(start: str, end: str) -> tuple[dict[str, str | None], int]:
    """{event api_id: updated_at (ISO) or None} of the events starting in [start, end], and the
    requests the listing took (through the landing's rate-limited client)."""
    from pipelines.luma.client import LumaClient
    from pipelines.luma.entries import event_row

    client = LumaClient()
    events = {}
    for page in client.events(start, end):
        for entry in page:
            row = event_row(entry)
            events[row["api_id"]] = _stamp(row["updated_at"])
    return events, client.stats.requests


def _take_luma() -> dict[str, dict]:
    from pipelines.luma.entries import iso
    from pipelines.luma.window import window

    w = window()
    return {"events": {"listing": {"window_start": iso(w.start), "window_end": iso(w.end)}}}


def _landed_luma(conn, marker: dict, load_ids: list[str]) -> None:
    """The events of the window that the landing's loads wrote, into `marker`."""
    listing = marker["listing"]
    rows = conn.execute((HERE / "markers_luma_events.sql").read_text(),
                        {"load_ids": load_ids, "start": listing["window_start"], "end": listing["window_end"]}).fetchall()
    listing["events"] = {api_id: _stamp(updated_at) for api_id, updated_at in rows}
    marker["record_count"] = len(rows)


def _luma_changes(markers: list[dict]) -> dict[str, dict[str, int]]:
    found = {}
    for marker in markers:
        listing = marker["listing"] or {}
        then = listing.get("events", {})
        now, requests = _luma_events(listing["window_start"], listing["window_end"])
        found[f"luma.{marker['source_table']}"] = {
            "created": len(now.keys() - then.keys()), "deleted": len(then.keys() - now.keys()),
            "changed": sum(1 for key in now.keys() & then.keys() if now[key] != then[key]), "requests": requests}
    return found
