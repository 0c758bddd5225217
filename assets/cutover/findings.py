"""What each check of an apply or rollback found, kept for its report (assets/cutover/report.py).

A check either returns what it found (a passed check) or raises GateFailed (a refusal); `refused`
builds that GateFailed carrying the figures behind its sentence (`detail`, e.g. the records created
per source table), so the report shows numbers a program can read, not only the sentence. `checked`
runs one check and appends {"check", "passed", "found", **detail} to the record's `checks`, then
lets the refusal go on as before: the command's exit status and sentence do not change.
"""

from __future__ import annotations

from pipelines.errors import GateFailed
from pipelines.masking import mask_text


def refused(sentence: str, **detail) -> GateFailed:
    error = GateFailed(sentence)
    error.detail = detail
    return error


def checked(record: dict | None, name: str, check, *args):
    """`check(*args)`, its result or refusal appended to `record["checks"]` (no record: just run it)."""
    if record is None:
        return check(*args)
    try:
        found = check(*args)
    except GateFailed as exc:
        record.setdefault("checks", []).append({"check": name, "passed": False, "found": mask_text(str(exc)), **getattr(exc, "detail", {})})
        raise
    record.setdefault("checks", []).append({"check": name, "passed": True, "found": found})
    return found
