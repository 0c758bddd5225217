"""Have the sources changed since the dry-run being applied? (issue 20; SPEC §5's "sources
unchanged" for a LIVE dry-run). A snapshot dry-run is judged by its manifest
(preconditions.check_sources_unchanged); a live one by the markers its landing recorded
(pipelines/markers.py), checked against the live Airtable base, MongoDB and Luma now. Only the
application being applied is checked, so `--app podium` needs only Airtable's settings.

A snapshot without a source's folder reads that source live (SPEC §2.4), so its markers are
checked too. Podium's check names how Airtable was asked: "Airtable webhook payloads" (one request
for the base while nothing changed) or "Airtable listing" with `fallback`, the sentence saying why
the webhook could not serve; Hello Miami's is "live source markers". A live dry-run with no markers (recorded before migration 0011) is applied as before
and says so: no check ran. What the check spent (`requests` per table) is kept with what it found.
"""

from __future__ import annotations

from pipelines import markers, registry

from assets.cutover import partial
from assets.cutover.findings import refused


# why a Luma write must not wait for the sync (pipelines/markers.py)
LUMA_REASON = "which the scheduled Luma sync would otherwise carry into the live tables unjudged"
LIVE_CHECKS = ("live source markers", markers.WEBHOOK_CHECK, markers.LISTING_CHECK)
# how each live check asked, in the apply's sentences
ASKED = {"live source markers": "checked live", markers.WEBHOOK_CHECK: "checked through the dry-run's Airtable webhook",
         markers.LISTING_CHECK: "checked by listing Airtable"}


def _counted(found: dict[str, int]) -> str:
    parts = [f"{found[k]} {k}" for k in markers.KINDS if found[k]]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def check(conn, run: dict, app: str) -> dict:
    """{"check": ..., "found": ...} (the manifest was checked by preconditions before) for migration.cutovers.detail; raises GateFailed (one sentence
    per changed table) when a record was created, changed or deleted since the dry-run."""
    recorded = markers.recorded(conn, run["run_id"], app)
    if not recorded:
        if run["snapshot_dir"]:
            return {"check": "snapshot manifest", "found": "unchanged"}
        return {"check": "none", "found": f"dry-run {run['run_id']} recorded no source markers"}
    asked = markers.changes(conn, run["run_id"], recorded)
    found = asked["found"]
    how = asked.get("airtable", {"check": "live source markers"})
    changed = {table: n for table, n in found.items() if any(n[k] for k in markers.KINDS)}
    checked = {**how, "tables": sorted(found), "requests": dict(sorted(asked["requests"].items()))}
    if changed:
        sentences = [_sentence(table, n, run["run_id"]) for table, n in sorted(changed.items())]
        spent = sum(asked["requests"].values())
        raise refused(" ".join(sentences) + f" The dry-run's candidates miss these writes (found with {spent} requests to the sources, "
                      f"{ASKED[how['check']]}): run `cutover dry-run` again, then apply." + _fallback(how),
                      source_check={**checked, "found": "changed", "changes": {t: {k: n[k] for k in markers.KINDS} for t, n in sorted(changed.items())}})
    return {**checked, "found": "unchanged"}


def _fallback(how: dict) -> str:
    return f" Airtable was listed rather than asked through the dry-run's webhook: {how['fallback']}" if how.get("fallback") else ""


def _sentence(table: str, found: dict[str, int], run_id: str) -> str:
    reason = f", {LUMA_REASON}" if table.startswith("luma.") else ""
    return f"{table} has {_counted(found)} record(s) since dry-run {run_id}{reason}."


def said(result: dict) -> str:
    """The check in words, for the apply's message."""
    if result["check"] in LIVE_CHECKS:
        spent = sum(result.get("requests", {}).values())
        unused = f"; the dry-run's webhook was not used: {result['fallback'].rstrip('.')}" if result.get("fallback") else ""
        return (f"no source record was created, changed or deleted since the dry-run ({len(result['tables'])} tables "
                f"{ASKED[result['check']]}, {spent} requests{unused})")
    if result["check"] == "snapshot manifest":
        return "the snapshot's manifest is unchanged"
    return f"no source check ran ({result['found']})"


def release(url: str, run: dict, app: str) -> str:
    """After a committed apply: the dry-run's Airtable webhook is deleted once every table of the
    application is live from this dry-run (a `--tables` apply that leaves tables behind keeps it
    for their apply; the next dry-run deletes it otherwise). A sentence for the apply's message."""
    from pipelines.database import connect

    with connect(url) as conn:
        moved = set().union(*(c["tables"] for c in partial.applied_cutovers(conn, app) if c["run_id"] == run["run_id"]))
        if moved < set(registry.APPLICATIONS[app].tables):
            return ""
        return markers.release_webhook(conn, run["run_id"], app)
