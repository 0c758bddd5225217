"""Change markers of the live sources (issue 20): taken when a live dry-run lands, checked by
`cutover apply` before any row moves, so a record written to Airtable or MongoDB after the dry-run
is never lost without a word.

Decisions:
- Markers are taken BEFORE a source lands (`before_landing`), recorded with the run's count ledger
  (`record`, in migration.source_markers of the application's database). A write that happens
  while the landing runs is therefore reported at apply as a change (it may or may not have been
  landed): conservative, never silent.
- Airtable: `since` = our clock at the landing's start minus AIRTABLE_CLOCK_SKEW_SECONDS (default
  60 s: Airtable's clock and ours may disagree; a larger margin only reports more records as
  changed, never fewer), and the record count. At apply, per table, (1) one listing with
  `filterByFormula=IS_AFTER(LAST_MODIFIED_TIME(), '<since>')` and no fields lists the records
  created or changed since, and (2) one listing of every record id without fields (100 ids a
  page) tells deletions. The id sets are compared with raw_airtable (which apply's preconditions
  have already found to be what the dry-run landed): created = listed ids not in raw, changed =
  ids listed by (1) that are in raw, deleted = raw ids no longer listed. Airtable has no count
  or tombstone endpoint, so a deletion cannot be seen any cheaper than by listing the ids: the
  check costs 1 + ceil(records / 100) requests per table, all through the base's rate limiter.
  Measured at the demo's scale 1 against the stand-in (5 requests/s): users 3,365 records 35
  requests 6.2 s, votes 3,000 / 31 / 6.1 s, referrals 1,266 / 14 / 3.0 s, projects 767 / 9 /
  2.0 s, events 217 / 4 / 1.0 s; 93 requests, 18.3 s for the base.
  One request per table is out of reach with list-records: a page holds at most 100 records, and
  no parameter returns a record's modified time beside its id (a formula can only filter;
  `fields[]` names stored fields; `recordMetadata[]` offers only commentCount). So one listing
  cannot serve both. The exact cheap way is Airtable's webhooks API (created before the landing
  with `dataTypes: tableData`, then one `GET …/webhooks/{id}/payloads` per base at apply lists
  createdRecordsById, changedRecordsById and destroyedRecordIds per table since its cursor). Not
  built: it needs a token with the `webhook:manage` scope and creator permission on the base,
  a base holds at most 10 webhooks and each expires after 7 days unless refreshed, so every
  dry-run would leave state in the application's base to be cleaned up, and none of it can be
  tried here against the real API. The listing check stays: exact, read-only, and at scale 1 it
  costs less than the live dry-run's own listing of the base.
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
- Every check counts the requests it spent (`requests` per table, MongoDB: one aggregation), which
  apply keeps in migration.cutovers.detail.source_check.
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


def clock_skew() -> timedelta:
    return timedelta(seconds=float(settings.optional("AIRTABLE_CLOCK_SKEW_SECONDS", "60")))


def before_landing(source: str, live: bool) -> None:
    """Take `source`'s markers now, when it is about to land from the live source."""
    _TAKEN.pop(source, None)
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


def recorded(conn, run_id: str, app: str) -> list[dict]:
    keys = ("source", "source_table", "record_count", "since", "newest_updated_at", "newest_id", "listing")
    found = conn.execute(
        f"select {', '.join(keys)} from migration.source_markers where run_id = %s and application = %s order by source, source_table",
        (run_id, app),
    ).fetchall()
    return [dict(zip(keys, row)) for row in found]


def changes(conn, markers: list[dict]) -> dict[str, dict[str, int]]:
    """`source.table` -> {"created", "changed", "deleted", "requests"} now against `markers`
    (`requests`: what asking the source cost)."""
    found: dict[str, dict[str, int]] = {}
    airtable = [m for m in markers if m["source"] == "airtable"]
    mongo = [m for m in markers if m["source"] == "mongo"]
    luma = [m for m in markers if m["source"] == "luma"]
    if airtable:
        found.update(_airtable_changes(conn, airtable))
    if mongo:
        found.update(_mongo_changes(mongo))
    if luma:
        found.update(_luma_changes(luma))
    return found


# ---------------------------------------------------------------- Airtable

def _take_airtable() -> dict[str, dict]:
    from pipelines.airtable import TABLES

    since = datetime.now(timezone.utc) - clock_skew()
    return {table: {"since": since} for table in TABLES}


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


def _airtable_changes(conn, markers: list[dict]) -> dict[str, dict[str, int]]:
    from pipelines.airtable.client import base_id, make_api

    api, base = make_api(), base_id()
    found = {}
    for marker in markers:
        table = marker["source_table"]
        since = marker["since"].astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{marker['since'].microsecond // 1000:03d}Z"
        touched, asked = _airtable_ids(api, base, table, f"IS_AFTER(LAST_MODIFIED_TIME(), '{since}')")
        now, listed = _airtable_ids(api, base, table)
        then = {row[0] for row in conn.execute(f'select id from raw_airtable."{table}"')}
        found[f"airtable.{table}"] = {"created": len(now - then), "changed": len(touched & then), "deleted": len(then - now),
                                      "requests": asked + listed}
    return found


def airtable_requests(record_count: int) -> int:
    """Requests the check of one unchanged table of `record_count` records costs (documented above)."""
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
