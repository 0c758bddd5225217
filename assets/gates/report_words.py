"""The report's plain words and pictures: what a stakeholder reads instead of rule names.

- `explain_reason`: a quarantine reason (the models' short labels, e.g. `owner not migrated`) in one
  plain sentence, by the label's pattern, so a new reason of a known pattern is explained too and an
  unknown one is shown as it is rather than guessed at.
- `outcome_bar`: one table's migrated / merged / quarantined shares as an inline SVG stacked bar
  (no script, no external request, readable without colour through its title and labels).
- `quarantine_share`: the quarantined share of a table against its ceiling (the reconcile gate's
  rule, `expectations.reconcile.ceilings`).
"""

from __future__ import annotations

import html
import re

# (pattern over the reason, sentence; {0} is the field or record the reason names)
_PATTERNS = (
    (r"missing (.+)", "the record has no {0}, which the application cannot do without"),
    (r"(.+) not found", "it points to {a} {0} that does not exist in the source"),
    (r"(.+) not migrated", "it points to {a} {0} that exists but could not be migrated itself"),
    (r"duplicate (.+)", "an earlier record already has this {0}, which must be unique; the earlier one keeps it"),
    (r"(.+) too long", "its {0} is longer than the application's column allows"),
    (r"unparseable (.+)", "its {0} could not be read"),
    (r"invalid (.+)", "its {0} is not valid"),
)
_NAMES = {"memberId": "member", "eventId": "event", "badgeId": "badge", "lumaEmail": "Luma email",
          "lumaEventId": "Luma event id", "lumaAttendeeId": "Luma attendee id", "join_code": "join code"}

COLOURS = {"migrated": "#2da44e", "merged": "#8250df", "quarantined": "#cf222e"}
WORDS = {"migrated": "migrated", "merged": "merged into another record", "quarantined": "held back (quarantined)"}


def _plain(name: str) -> str:
    return _NAMES.get(name, name.replace("_", " "))


def explain_reason(reason: str) -> str:
    for pattern, sentence in _PATTERNS:
        found = re.fullmatch(pattern, reason.strip())
        if found:
            name = _plain(found.group(1))
            return sentence.format(name, a="an" if name[:1].lower() in "aeiou" else "a")
    return reason


def outcome_bar(migrated: int | None, merged: int | None, quarantined: int | None, *, width: int = 240, height: int = 14) -> str:
    """An inline SVG stacked bar; an empty grey bar when the table has no records (or none classified)."""
    parts = {"migrated": migrated or 0, "merged": merged or 0, "quarantined": quarantined or 0}
    total = sum(parts.values())
    summary = ", ".join(f"{n} {WORDS[k]}" for k, n in parts.items()) if total else "no records classified"
    rects, x = [], 0.0
    for kind, n in parts.items():
        if not total or not n:
            continue
        w = width * n / total
        rects.append(f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" fill="{COLOURS[kind]}">'
                     f'<title>{n} {html.escape(WORDS[kind])} ({100 * n / total:.1f} %)</title></rect>')
        x += w
    if not rects:
        rects.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#d0d7de"/>')
    return (f'<svg class="bar" role="img" aria-label="{html.escape(summary)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(rects)}</svg>')


def quarantine_share(quarantined: int | None, source_count: int | None, ceiling: float) -> dict:
    """{percent, ceiling_percent, over}: percent is None when the table has no records."""
    percent = None if not source_count else round(100 * (quarantined or 0) / source_count, 1)
    return {"percent": percent, "ceiling_percent": round(100 * ceiling, 1),
            "over": percent is not None and (quarantined or 0) > ceiling * source_count}
