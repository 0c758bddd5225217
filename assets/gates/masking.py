"""Personal data masking for everything a report or check metadata shows.

Emails keep their first letter and domain (`j***@example.com`); phone numbers keep their last two
digits; street addresses keep only the street-type word. Keys (record ids, uuids) pass unchanged.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")
PHONE = re.compile(r"(?<![\w-])(?:\+\d{1,3}[\s.\-]?)?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]\d{4}(?![\w-])")
STREET = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z0-9][\w.']*\s+){1,4}(Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|Terrace|Ter|Circle|Cir|Highway|Hwy)\b\.?",
    re.IGNORECASE,
)
UUIDISH = re.compile(r"^[0-9a-f\-]{20,}$", re.IGNORECASE)


def mask_email(value: str) -> str:
    return EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", value)


def _mask_phone(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "***-" + digits[-2:] if len(digits) >= 7 else match.group(0)


def mask_text(value) -> str:
    """Mask emails, phone numbers and street addresses inside free text."""
    if value is None:
        return ""
    text = str(value)
    text = EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = STREET.sub(lambda m: f"*** {m.group(1)}", text)
    text = PHONE.sub(_mask_phone, text)
    return text
