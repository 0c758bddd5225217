"""A real HTTP server on 127.0.0.1 that behaves like Airtable's REST API (SPEC §2.1), for tests.

- `GET /v0/{base}/{table}?pageSize=&offset=`: pages of at most 100 records, `offset` while more
  follow; tables by name or id; bearer auth (401 otherwise).
- Limits: at most `rate` requests per base in any one-second window; the request over it gets 429
  and the base stays locked (every request 429) for `lock_seconds` (Airtable: 30 s).
- Offsets expire after `offset_ttl` seconds, or on demand (`expire_offsets_on`: request numbers),
  answering 422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE.
- `GET /v0/meta/bases/{base}/tables`: the schema (given, or derived from the fields present).
- Failures: `fail` maps request number (1-based, every request counts) to an HTTP status.
- `latency` and `jitter` delay each request before the server counts it (a slow, uneven network).
- Every request is recorded as (monotonic time, method, path, status) in `.log`.
- Webhooks (`POST/GET /v0/bases/{base}/webhooks`, `DELETE …/webhooks/{id}`, `POST …/{id}/refresh`,
  `GET …/{id}/payloads?cursor=&limit=`): a webhook expires `webhook_lifetime` seconds after its
  creation (Airtable: 7 days; listing its payloads or a refresh pushes that back while it is
  active), at most `max_webhooks` per base (422 beyond, as the real limit of 10); an expired one
  records nothing more but its payloads stay readable, as on the real API. Every `create`, `update`
  and `delete` below appends one payload (Airtable's v0 shape: `changedTablesById` → `tbl…` →
  `createdRecordsById` / `changedRecordsById` / `destroyedRecordIds`) to every active webhook; 50
  payloads a page, `mightHaveMore` while more follow. `refuse_webhooks=403` answers creation as for a
  token without the `webhook:manage` scope; `expire(id)` expires one now.
- Records carry a last-modified time (their createdTime until `create`/`update`/`delete` change the
  table, which stamp the server's clock now); `filterByFormula=IS_AFTER(LAST_MODIFIED_TIME(), '<iso>')`
  lists only the records modified after that instant, as Airtable does; `fields[]` limits the fields
  returned (an empty name is 422 UNKNOWN_FIELD_NAME, as on the real API).
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, unquote, urlsplit

WEEK = 7 * 24 * 3600.0
PAYLOAD_PAGE = 50
IS_AFTER = re.compile(r"^IS_AFTER\(LAST_MODIFIED_TIME\(\),\s*'([^']+)'\)$")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_records(table: str, n: int, fields=None) -> list[dict]:
    """n records shaped like Airtable's, ids `rec<table><i>`; `fields(i)` gives each one's fields."""
    return [
        {
            "id": f"rec{table[:3]}{i:08d}",
            "createdTime": f"2024-01-{1 + i % 28:02d}T12:{i % 60:02d}:00.000Z",
            "fields": fields(i) if fields else {"name": f"{table} {i}"},
        }
        for i in range(n)
    ]


def schema_for(tables: dict[str, list[dict]], extra_fields: dict[str, list[str]] | None = None, drop: dict[str, list[str]] | None = None) -> dict:
    """A meta-API schema listing every field present in the records (plus `extra_fields`, minus `drop`)."""
    out = []
    for index, (name, records) in enumerate(tables.items()):
        names = sorted({f for r in records for f in r.get("fields", {})} | set((extra_fields or {}).get(name, [])))
        names = [f for f in names if f not in set((drop or {}).get(name, []))]
        out.append({"id": f"tbl{index:014d}", "name": name, "primaryFieldId": "fld0",
                    "fields": [{"id": f"fld{i}", "name": f, "type": "singleLineText"} for i, f in enumerate(names)]})
    return {"tables": out}


class AirtableStandIn:
    def __init__(self, tables: dict[str, list[dict]], *, base_id: str = "appStandIn000001", api_key: str = "patStandInKey",
                 rate: int = 5, lock_seconds: float = 30.0, offset_ttl: float | None = None,
                 expire_offsets_on: set[int] | None = None, fail: dict[int, int] | None = None,
                 schema: dict | None = None, table_ids: dict[str, str] | None = None, latency: float = 0.0,
                 jitter: float = 0.0, refuse_webhooks: int | None = None, webhook_lifetime: float = WEEK,
                 max_webhooks: int = 10):
        self.tables = tables
        self.base_id = base_id
        self.api_key = api_key
        self.rate = rate
        self.lock_seconds = lock_seconds
        self.offset_ttl = offset_ttl
        self.expire_offsets_on = set(expire_offsets_on or ())
        self.fail = dict(fail or {})
        self.schema = schema if schema is not None else schema_for(tables)
        self.table_ids = table_ids or {}
        self.latency = latency
        self.jitter = jitter
        self._random = random.Random(7)
        self.log: list[tuple[float, str, str, int]] = []
        self._window: deque[float] = deque()
        self._locked_until = 0.0
        self._offsets: dict[str, tuple[str, int, float]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.modified: dict[str, datetime] = {}  # record id -> last modified (else its createdTime)
        self.refuse_webhooks = refuse_webhooks
        self.webhook_lifetime = webhook_lifetime
        self.max_webhooks = max_webhooks
        self.webhooks: dict[str, dict] = {}  # id -> {"expires", "payloads", "specification"}
        self._transactions = 0
        if table_ids and schema is None:  # the meta API names each table by the id the base knows it by
            for entry in self.schema["tables"]:
                entry["id"] = table_ids.get(entry["name"], entry["id"])

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "AirtableStandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                sent = json.loads(self.rfile.read(length) or b"null") if length else None
                status, body = standin.handle(self.command, self.path, self.headers.get("Authorization", ""), sent)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _serve  # noqa: N815 (http.server naming)

            def log_message(self, *args):  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def env(self, wait: float | None = None) -> dict[str, str]:
        """The settings a client needs to talk to this stand-in."""
        env = {"AIRTABLE_API_KEY": self.api_key, "AIRTABLE_BASE_ID": self.base_id, "AIRTABLE_ENDPOINT_URL": self.url}
        env["AIRTABLE_RATE_LIMIT_WAIT"] = str(self.lock_seconds if wait is None else wait)
        for table, table_id in self.table_ids.items():
            env[f"AIRTABLE_TABLE_{table.upper()}"] = table_id
        return env

    # -- measurements ------------------------------------------------------------------------
    def statuses(self) -> list[int]:
        return [entry[3] for entry in self.log]

    def count(self, status: int) -> int:
        return self.statuses().count(status)

    def max_in_any_second(self) -> int:
        times = sorted(entry[0] for entry in self.log)
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    # -- writes (what Podium's users do in the base) -------------------------------------------
    def create(self, table: str, record: dict) -> None:
        with self._lock:
            self.tables[table].append(record)
            self.modified[record["id"]] = datetime.now(timezone.utc)
            self._payload(table, {"createdRecordsById": {record["id"]: {
                "createdTime": record["createdTime"], "cellValuesByFieldId": self._cells(table, record.get("fields", {}))}}})

    def update(self, table: str, record_id: str, fields: dict) -> None:
        with self._lock:
            record = next(r for r in self.tables[table] if r["id"] == record_id)
            record["fields"] = {**record.get("fields", {}), **fields}
            self.modified[record_id] = datetime.now(timezone.utc)
            self._payload(table, {"changedRecordsById": {record_id: {"current": {"cellValuesByFieldId": self._cells(table, fields)}}}})

    def delete(self, table: str, record_id: str) -> None:
        with self._lock:
            self.tables[table] = [r for r in self.tables[table] if r["id"] != record_id]
            self._payload(table, {"destroyedRecordIds": [record_id]})

    def expire(self, webhook_id: str) -> None:
        """The webhook expires now (as Airtable does 7 days after its creation or last refresh)."""
        with self._lock:
            self.webhooks[webhook_id]["expires"] = datetime.now(timezone.utc)

    def _schema_table(self, table: str) -> dict:
        return next(t for t in self.schema["tables"] if t["name"] == table or t["id"] == self.table_ids.get(table))

    def _cells(self, table: str, fields: dict) -> dict:
        ids = {f["name"]: f["id"] for f in self._schema_table(table)["fields"]}
        return {ids.get(name, name): value for name, value in fields.items()}

    def _payload(self, table: str, change: dict) -> None:
        """One transaction's payload for every active webhook (the caller holds the lock)."""
        self._transactions += 1
        now = datetime.now(timezone.utc)
        for hook in self.webhooks.values():
            if now < hook["expires"]:
                hook["payloads"].append({
                    "timestamp": now.isoformat().replace("+00:00", "Z"), "baseTransactionNumber": self._transactions,
                    "payloadFormat": "v0", "actionMetadata": {"source": "client", "sourceMetadata": {}},
                    "changedTablesById": {self._schema_table(table)["id"]: change}})

    def _last_modified(self, record: dict) -> datetime:
        return self.modified.get(record["id"]) or _instant(record["createdTime"])

    # -- behaviour ---------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, auth: str, sent: dict | None = None) -> tuple[int, dict]:
        if self.latency or self.jitter:
            # the request's transit time before the server counts it: the same for every request
            # (latency) plus a seeded random part (jitter) that reorders arrivals like a real network
            time.sleep(self.latency + self._random.uniform(0, self.jitter))
        with self._lock:
            now = time.monotonic()
            number = len(self.log) + 1
            parts = urlsplit(raw_path)
            status, body = self._answer(number, now, method, parts.path, parse_qs(parts.query, keep_blank_values=True), auth, sent)
            self.log.append((now, method, parts.path, status))
            return status, body

    def _rate_limited(self, now: float) -> bool:
        if now < self._locked_until:
            return True
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        if len(self._window) >= self.rate:
            self._locked_until = now + self.lock_seconds
            return True
        self._window.append(now)
        return False

    def _answer(self, number: int, now: float, method: str, path: str, query: dict, auth: str, sent) -> tuple[int, dict]:
        if auth != f"Bearer {self.api_key}":
            return 401, {"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Authentication required"}}
        if self._rate_limited(now):
            return 429, {"errors": [{"error": "RATE_LIMIT_REACHED", "message": "Rate limit exceeded. Please try again later"}]}
        if number in self.fail:
            return self.fail[number], {"error": {"type": "SERVER_ERROR", "message": "injected failure"}}
        segments = [unquote(s) for s in path.strip("/").split("/")]
        if segments[:2] == ["v0", "bases"] and len(segments) >= 4 and segments[3] == "webhooks":
            if segments[2] != self.base_id:
                return 404, {"error": {"type": "NOT_FOUND"}}
            return self._webhooks(method, segments[4:], query, sent)
        if method != "GET":
            return 404, {"error": {"type": "NOT_FOUND"}}
        if segments[:3] == ["v0", "meta", "bases"] and len(segments) == 5 and segments[4] == "tables":
            if segments[3] != self.base_id:
                return 404, {"error": {"type": "NOT_FOUND"}}
            return 200, self.schema
        if len(segments) != 3 or segments[0] != "v0" or segments[1] != self.base_id:
            return 404, {"error": {"type": "NOT_FOUND"}}
        table = self._table(segments[2])
        if table is None:
            return 404, {"error": {"type": "TABLE_NOT_FOUND", "message": f"Could not find table {segments[2]}"}}
        page_size = min(int(query.get("pageSize", ["100"])[0]), 100)
        rows = self.tables[table]
        if "filterByFormula" in query:
            match = IS_AFTER.match(query["filterByFormula"][0].strip())
            if match is None:
                return 422, {"error": {"type": "INVALID_FILTER_BY_FORMULA", "message": "The formula is not supported by the stand-in"}}
            after = _instant(match.group(1))
            rows = [r for r in rows if self._last_modified(r) > after]
        start = 0
        if "offset" in query:
            token = query["offset"][0]
            entry = self._offsets.get(token)
            expired = entry is None or entry[0] != table or number in self.expire_offsets_on or (
                self.offset_ttl is not None and now - entry[2] > self.offset_ttl)
            if expired:
                return 422, {"error": {"type": "LIST_RECORDS_ITERATOR_NOT_AVAILABLE", "message": "The iterator is not available"}}
            start = entry[1]
        records = rows[start:start + page_size]
        if "fields[]" in query:
            wanted = set(query["fields[]"])
            if "" in wanted:  # as the real API: no field is named ""
                return 422, {"error": {"type": "UNKNOWN_FIELD_NAME", "message": 'Unknown field name: ""'}}
            records = [{**r, "fields": {k: v for k, v in r.get("fields", {}).items() if k in wanted}} for r in records]
        body: dict = {"records": records}
        if start + page_size < len(rows):
            token = f"itr{uuid.uuid4().hex[:14]}/rec{start + page_size}"
            self._offsets[token] = (table, start + page_size, now)
            body["offset"] = token
        return 200, body

    def _webhooks(self, method: str, rest: list[str], query: dict, sent) -> tuple[int, dict]:
        """Airtable's webhooks API (the caller holds the lock)."""
        now = datetime.now(timezone.utc)
        if not rest and method == "POST":
            if self.refuse_webhooks:
                return self.refuse_webhooks, {"error": {"type": "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
                                                        "message": "Invalid permissions, or the requested model was not found."}}
            if len(self.webhooks) >= self.max_webhooks:
                return 422, {"error": {"type": "TOO_MANY_WEBHOOKS_BY_OAUTH_INTEGRATION_IN_BASE", "message": "Too many webhooks"}}
            if not (sent or {}).get("specification", {}).get("options", {}).get("filters", {}).get("dataTypes"):
                return 422, {"error": {"type": "INVALID_REQUEST_UNKNOWN", "message": "specification.options.filters.dataTypes is required"}}
            webhook_id = f"ach{uuid.uuid4().hex[:14]}"
            expires = now + timedelta(seconds=self.webhook_lifetime)
            self.webhooks[webhook_id] = {"expires": expires, "payloads": [], "specification": sent["specification"],
                                         "notificationUrl": sent.get("notificationUrl")}
            return 200, {"id": webhook_id, "macSecretBase64": "c3RhbmQtaW4gc2VjcmV0", "expirationTime": _iso(expires)}
        if not rest and method == "GET":
            return 200, {"webhooks": [{"id": i, "type": "client", "isHookEnabled": now < h["expires"], "areNotificationsEnabled": False,
                                       "notificationUrl": h["notificationUrl"], "cursorForNextPayload": len(h["payloads"]) + 1,
                                       "lastSuccessfulNotificationTime": None, "lastNotificationResult": None,
                                       "expirationTime": _iso(h["expires"]), "specification": h["specification"]}
                                      for i, h in self.webhooks.items()]}
        hook = self.webhooks.get(rest[0]) if rest else None
        if hook is None:
            return 404, {"error": {"type": "NOT_FOUND", "message": "Could not find webhook"}}
        if len(rest) == 1 and method == "DELETE":
            del self.webhooks[rest[0]]
            return 200, {}
        if rest[1:] == ["refresh"] and method == "POST" or rest[1:] == ["payloads"] and method == "GET":
            if now < hook["expires"]:  # both push an active webhook's expiration back
                hook["expires"] = now + timedelta(seconds=self.webhook_lifetime)
            if rest[1] == "refresh":
                return 200, {"expirationTime": _iso(hook["expires"])}
            cursor = max(1, int(query.get("cursor", ["1"])[0]))
            limit = min(int(query.get("limit", [str(PAYLOAD_PAGE)])[0]), PAYLOAD_PAGE)
            page = hook["payloads"][cursor - 1:cursor - 1 + limit]
            return 200, {"payloads": page, "cursor": cursor + len(page), "mightHaveMore": cursor - 1 + len(page) < len(hook["payloads"])}
        return 404, {"error": {"type": "NOT_FOUND"}}

    def _table(self, name_or_id: str) -> str | None:
        if name_or_id in self.tables:
            return name_or_id
        for table, table_id in self.table_ids.items():
            if table_id == name_or_id:
                return table
        return None


def write_snapshot(out_dir, tables: dict[str, list[dict]], schema: dict | None = None, captured_at: str = "2024-02-01T00:00:00Z") -> None:
    """An Airtable-only snapshot (SPEC §2.4): airtable/<table>.jsonl, optional schema.json, manifest."""
    from pathlib import Path

    folder = Path(out_dir) / "airtable"
    folder.mkdir(parents=True, exist_ok=True)
    for table, records in tables.items():
        with (folder / f"{table}.jsonl").open("w") as handle:
            for record in records:
                handle.write(json.dumps(record) + "\n")
    if schema is not None:
        (folder / "schema.json").write_text(json.dumps(schema))
    manifest_path = Path(out_dir) / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"captured_at": captured_at, "counts": {}}
    manifest["counts"].update({f"airtable.{t}": len(r) for t, r in tables.items()})
    manifest_path.write_text(json.dumps(manifest))


def podium_tables(n: int = 30) -> dict[str, list[dict]]:
    """Small tables with every mapped field present somewhere (links as arrays)."""
    users = make_records("users", n, lambda i: {"email": f"u{i}@example.org", "first_name": f"U{i}", "dob": "1990-01-02",
                                                 "display_name": "d", "last_name": "l", "phone": "1", "street_1": "s",
                                                 "street_2": "s", "city": "c", "state": "s", "zip_code": "z", "country": "c",
                                                 "attending_events": ["recevt00000000"]})
    events = make_records("events", n, lambda i: {"name": f"E{i}", "slug": f"e-{i}", "join_code": f"J{i}", "owner": [users[i]["id"]],
                                                   "attendees": [users[0]["id"], users[1]["id"]], "feature_flags_csv": "daydream",
                                                   "votable": True, "leaderboard_enabled": True, "demo_links_optional": True,
                                                   "ysws_checks_enabled": True, "description": "x"})
    projects = make_records("projects", n, lambda i: {"name": f"P{i}", "join_code": f"P{i}", "owner": [users[i]["id"]],
                                                       "event": [events[0]["id"]], "collaborators": [users[2]["id"]], "repo": "r",
                                                       "image_url": "i", "demo": "d", "description": "x", "hours_spent": 3,
                                                       "points": 1, "cached_auto_quality": "{}"})
    votes = make_records("votes", n, lambda i: {"voter": [users[i]["id"]], "project": [projects[0]["id"]], "event": [events[0]["id"]]})
    referrals = make_records("referrals", n, lambda i: {"content": "a friend", "user": [users[i]["id"]], "event": [events[0]["id"]]})
    return {"users": users, "events": events, "projects": projects, "votes": votes, "referrals": referrals}
