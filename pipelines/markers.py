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
- MongoDB: per collection the count, the newest `updatedAt` and the newest ObjectId (one
  aggregation). At apply one aggregation per collection counts the documents with an ObjectId
  newer than that (created), the older ones with a newer `updatedAt` (changed), and the total;
  deleted = count then + created - count now. Limit: a change that sets no newer `updatedAt`,
  and a deletion offset by as many inserts with older ObjectIds, are invisible.
- Luma: no marker. raw_luma is merged by the scheduled sync, which keeps writing events and
  attendance after the cutover (SPEC §5), so it is not the source of lost writes.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from pipelines import settings
from pipelines.errors import CutoverError

CHECKED_SOURCES = ("airtable", "mongo")
PAGE = 100

# markers taken before each source's landing in this process, recorded by `record`
_TAKEN: dict[str, dict[str, dict]] = {}


def clock_skew() -> timedelta:
    return timedelta(seconds=float(settings.optional("AIRTABLE_CLOCK_SKEW_SECONDS", "60")))


def before_landing(source: str, live: bool) -> None:
    """Take `source`'s markers now, when it is about to land from the live source."""
    _TAKEN.pop(source, None)
    if live and source in CHECKED_SOURCES:
        _TAKEN[source] = _take_airtable() if source == "airtable" else _take_mongo()


def record(conn, run_id: str, source: str, counts: dict[str, int | None]) -> None:
    """migration.source_markers rows of `run_id` for the markers taken before `source` landed.
    Airtable's count is what the landing listed (`counts`)."""
    from pipelines import registry

    taken = _TAKEN.pop(source, None)
    if not taken:
        return
    rows = []
    for table, marker in taken.items():
        count = marker.get("record_count", counts.get(table))
        rows.append((run_id, registry.application_of(source), source, table, count, marker.get("since"),
                     marker.get("newest_updated_at"), marker.get("newest_id")))
    conn.cursor().executemany(
        """insert into migration.source_markers (run_id, application, source, source_table, record_count, since, newest_updated_at, newest_id)
           values (%s, %s, %s, %s, %s, %s, %s, %s)
           on conflict (run_id, source, source_table) do update set record_count = excluded.record_count, since = excluded.since,
               newest_updated_at = excluded.newest_updated_at, newest_id = excluded.newest_id, recorded_at = now()""",
        rows,
    )


def recorded(conn, run_id: str, app: str) -> list[dict]:
    keys = ("source", "source_table", "record_count", "since", "newest_updated_at", "newest_id")
    found = conn.execute(
        f"select {', '.join(keys)} from migration.source_markers where run_id = %s and application = %s order by source, source_table",
        (run_id, app),
    ).fetchall()
    return [dict(zip(keys, row)) for row in found]


def changes(conn, markers: list[dict]) -> dict[str, dict[str, int]]:
    """`source.table` -> {"created", "changed", "deleted"} now against `markers`."""
    found: dict[str, dict[str, int]] = {}
    airtable = [m for m in markers if m["source"] == "airtable"]
    mongo = [m for m in markers if m["source"] == "mongo"]
    if airtable:
        found.update(_airtable_changes(conn, airtable))
    if mongo:
        found.update(_mongo_changes(mongo))
    return found


# ---------------------------------------------------------------- Airtable

def _take_airtable() -> dict[str, dict]:
    from pipelines.airtable import TABLES

    since = datetime.now(timezone.utc) - clock_skew()
    return {table: {"since": since} for table in TABLES}


def _airtable_ids(api, base: str, table: str, formula: str | None = None) -> set[str]:
    """Ids of the records (of those matching `formula`), listed without any field."""
    from pipelines.airtable.client import table_name

    url = str(api.build_url(base, table_name(table)))
    params: dict = {"pageSize": PAGE, "fields[]": [""]}  # no field: the ids are all we need
    if formula:
        params["filterByFormula"] = formula
    ids: set[str] = set()
    while True:
        response = api.session.get(url, params=params)
        if response.status_code != 200:
            raise CutoverError(
                f"checking Airtable table {table} for changes since the dry-run failed with HTTP {response.status_code}; "
                "check AIRTABLE_API_KEY and AIRTABLE_BASE_ID, then run `cutover apply` again.")
        body = response.json()
        ids.update(record["id"] for record in body.get("records", []))
        if not body.get("offset"):
            return ids
        params["offset"] = body["offset"]


def _airtable_changes(conn, markers: list[dict]) -> dict[str, dict[str, int]]:
    from pipelines.airtable.client import base_id, make_api

    api, base = make_api(), base_id()
    found = {}
    for marker in markers:
        table = marker["source_table"]
        since = marker["since"].astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{marker['since'].microsecond // 1000:03d}Z"
        touched = _airtable_ids(api, base, table, f"IS_AFTER(LAST_MODIFIED_TIME(), '{since}')")
        now = _airtable_ids(api, base, table)
        then = {row[0] for row in conn.execute(f'select id from raw_airtable."{table}"')}
        found[f"airtable.{table}"] = {"created": len(now - then), "changed": len(touched & then), "deleted": len(then - now)}
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
        found[f"mongo.{marker['source_table']}"] = {"created": created, "changed": row.get("changed", 0), "deleted": deleted}
    return found
