"""Airtable's webhooks as the change marker of a live dry-run (issue 20; pipelines/markers.py keeps
them in migration.source_webhooks): one webhook per base, created before the landing, whose
payloads `cutover apply` reads in one request for the whole base when nothing changed.

Decisions:
- The webhook watches `tableData` of the whole base (created, changed and destroyed records of
  every table; the mapped tables are picked out by their `tbl…` ids, read once from the meta API
  at the dry-run) and has no notification URL: we never receive pings, we poll the payloads at
  apply. So its MAC secret (which only authenticates pings) is not kept anywhere.
- The token needs the `webhook:manage` and `data.records:read` scopes and creator permission on
  the base; `schema.bases:read` (the land gate needs it anyway) for the table ids. Anything that
  stops the webhook from being created (403 without the scope or the permission, 422 at the base's
  limit of 10 webhooks, the meta request failing) is returned as one sentence naming what to fix,
  never raised: the dry-run goes on and apply falls back to listing every table.
- A fresh webhook's first payload is number 1 (Airtable's cursors start there and are never
  reset), so the cursor recorded at creation covers every change since, without asking.
- Airtable expires a webhook 7 days after creation (listing payloads or a refresh pushes that
  back) and deletes each payload a week after it was generated, whatever the refreshes. Apply
  therefore trusts the payloads only before the expiration answered at creation (less the clock
  margin AIRTABLE_CLOCK_SKEW_SECONDS): until then no payload since the dry-run can have been
  deleted, even when an earlier, refused apply's listing refreshed the webhook.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pipelines.errors import CutoverError

SPECIFICATION = {"options": {"filters": {"dataTypes": ["tableData"]}}}
FIRST_CURSOR = 1
LIFETIME = timedelta(days=7)  # of a webhook without refresh, and of every payload
SCOPES = "the webhook:manage and data.records:read scopes"


class Unusable(Exception):
    """The webhook cannot tell the changes since the dry-run; its message is the one sentence why,
    `requests` what finding that out cost."""

    def __init__(self, sentence: str, requests: int = 0):
        super().__init__(sentence)
        self.requests = requests


def _status(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if response is None:
        return str(exc).split("\n", 1)[0]
    try:
        kind = (response.json().get("error") or {}).get("type")
    except ValueError:
        kind = None
    return f"HTTP {response.status_code}" + (f" {kind}" if isinstance(kind, str) else "")


def table_ids(api, base: str, tables) -> dict[str, str]:
    """{our table: its `tbl…` id} from the meta API (one request); a table the setting names by id
    already is matched by id."""
    from pipelines.airtable.client import fetch_schema, table_name

    schema = fetch_schema(api, base)["tables"]
    found = {}
    for table in tables:
        name = table_name(table)
        match = next((t["id"] for t in schema if name in (t["id"], t["name"])), None)
        if match is None:
            raise CutoverError(f"AIRTABLE_BASE_ID has no table {name!r} (AIRTABLE_TABLE_{table.upper()}).")
        found[table] = match
    return found


def _hook(api, base: str, webhook_id: str, cursor: int):
    """pyairtable's Webhook for the one we recorded, built from the record: asking Airtable for it
    (list webhooks) would cost a request of its own."""
    from pyairtable.models.webhook import Webhook

    return Webhook.from_api({"id": webhook_id, "areNotificationsEnabled": False, "isHookEnabled": True,
                             "cursorForNextPayload": cursor, "specification": SPECIFICATION}, api, context=api.base(base))


def create(api, base: str) -> dict:
    """{"id", "cursor", "expires_at"} of a new webhook on `base`; raises Unusable with the reason."""
    from pyairtable.models.webhook import CreateWebhookResponse
    from requests import HTTPError

    asked = datetime.now(timezone.utc)
    try:
        answer = api.post(api.base(base).urls.webhooks, json={"specification": SPECIFICATION})
    except HTTPError as exc:
        status = exc.response.status_code
        if status in (401, 403):
            need = f"the token in AIRTABLE_API_KEY needs {SCOPES} and creator permission on AIRTABLE_BASE_ID"
        elif status == 422:
            need = ("AIRTABLE_BASE_ID may already hold 10 webhooks, Airtable's limit per base: delete unused ones "
                    "(Airtable's webhooks API) before the next dry-run")
        else:
            need = "check AIRTABLE_BASE_ID and AIRTABLE_ENDPOINT_URL"
        raise Unusable(f"Airtable refused to create the dry-run's webhook ({_status(exc)}): {need}.") from None
    except CutoverError as exc:
        raise Unusable(str(exc)) from None
    created = CreateWebhookResponse.from_api(answer, api)
    # no expiration (a legacy user API key's webhook): its payloads still go after a week
    return {"id": created.id, "cursor": FIRST_CURSOR, "expires_at": created.expiration_time or asked + LIFETIME}


def delete(api, base: str, webhook_id: str) -> str | None:
    """Delete our webhook; None when it is gone (deleted now, or before), else why it is still there."""
    from requests import HTTPError

    try:
        _hook(api, base, webhook_id, FIRST_CURSOR).delete()
    except HTTPError as exc:
        if exc.response.status_code == 404:
            return None
        return (f"deleting Airtable webhook {webhook_id} failed ({_status(exc)}): the token in AIRTABLE_API_KEY needs the "
                "webhook:manage scope; Airtable expires it 7 days after the dry-run")
    except CutoverError as exc:
        return str(exc)
    return None


def changes(api, base: str, webhook: dict, ids: dict[str, str], now: datetime, margin) -> tuple[dict[str, dict[str, set]], int]:
    """Per table of `ids` ({table: tbl id}) the record ids {"created", "changed", "destroyed"} the
    webhook's payloads name since its recorded cursor, and the requests reading them took (one
    while nothing changed; a page holds up to 50 payloads). A record created then changed is only
    "created"; destroyed wins over both (markers.py judges these against what landed).
    Raises Unusable when the payloads cannot be trusted (expired, gone, refused, an error payload)."""
    from requests import HTTPError

    expires = webhook["expires_at"]
    if now >= expires - margin:
        raise Unusable(f"the dry-run's Airtable webhook {webhook['id']} expired at {expires:%Y-%m-%d %H:%M} UTC (Airtable expires "
                       "webhooks 7 days after creation): run the dry-run again less than 7 days before the apply.")
    hook = _hook(api, base, webhook["id"], webhook["cursor"])
    tables = {tbl: table for table, tbl in ids.items()}
    found = {table: {"created": set(), "changed": set(), "destroyed": set()} for table in ids}
    requests = []
    api.session.hooks["response"].append(lambda response, *a, **k: requests.append(response.status_code))
    try:
        for payload in hook.payloads(cursor=webhook["cursor"]):
            if payload.error:
                raise Unusable(f"the dry-run's Airtable webhook {webhook['id']} reported error {payload.error_code} "
                               "(Airtable disabled it).")
            gone = [tables[t] for t in payload.destroyed_table_ids if t in tables]
            if gone:
                raise Unusable(f"the dry-run's Airtable webhook reports table {gone[0]} destroyed.")
            for tbl, changed in payload.changed_tables_by_id.items():
                if tbl not in tables:
                    continue
                seen = found[tables[tbl]]
                seen["created"].update(changed.created_records_by_id)
                seen["changed"].update(set(changed.changed_records_by_id) - seen["created"])
                seen["destroyed"].update(changed.destroyed_record_ids)
    except Unusable as exc:
        exc.requests = len(requests)
        raise
    except HTTPError as exc:
        status = exc.response.status_code
        why = {404: "is gone from AIRTABLE_BASE_ID (deleted outside this project, or expired long ago)",
               401: f"was refused: the token in AIRTABLE_API_KEY needs {SCOPES}",
               403: f"was refused: the token in AIRTABLE_API_KEY needs {SCOPES}"}.get(status, "could not be read")
        raise Unusable(f"the dry-run's Airtable webhook {webhook['id']} {why} ({_status(exc)}).", len(requests)) from None
    except CutoverError as exc:
        raise Unusable(str(exc), len(requests)) from None
    except ValueError as exc:  # pydantic's ValidationError too: a payload shape pyairtable does not know
        raise Unusable(f"the dry-run's Airtable webhook {webhook['id']}'s payloads could not be read ({type(exc).__name__}).",
                       len(requests)) from None
    finally:
        api.session.hooks["response"].pop()
    for seen in found.values():
        seen["created"] -= seen["destroyed"]
        seen["changed"] -= seen["destroyed"]
    return found, len(requests)
