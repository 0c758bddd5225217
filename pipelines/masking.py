"""Personal data masking for everything a report, check metadata, error message or log shows.

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


def mask_label(value, kind: str, width: int = 40) -> str:
    """A record's label as a stakeholder may see it beside its id: `email` as `mask_email` does,
    `person` (a person's name) as initials (`J*** D***`), `thing` (a project's or an event's
    name, not personal) as `mask_text` leaves it, cut to `width`. A value that is not the email
    its field promises is masked as a name, so a malformed field never shows in clear."""
    text = " ".join(str(value).split())
    if kind == "email" and EMAIL.fullmatch(text):
        return mask_email(text)
    if kind in ("email", "person"):
        return " ".join(f"{word[0]}***" for word in text.split())[:width]
    text = mask_text(text)
    return text if len(text) <= width else text[:width - 1] + "…"


# Where PostgreSQL and dlt quote a record's own values in an error: COPY's context line, the JSON
# parser's, a constraint's failing row and key. The value is withheld whole (it is a raw record,
# any field of it may be personal); the table, line and column stay, to say where to look.
RECORD_VALUES = (
    (re.compile(r"(COPY [^,\n]+, line \d+, column [^:\n]+): [^\n]*"), r"\1: (value withheld)"),
    (re.compile(r"(COPY [^,\n]+, line \d+): [^\n]*"), r"\1: (row withheld)"),
    (re.compile(r"(JSON data, line \d+): [^\n]*"), r"\1: (value withheld)"),
    (re.compile(r"(Failing row contains) [^\n]*"), r"\1 (row withheld)"),
    (re.compile(r"(Key \([^)\n]*\))=\([^\n]*?\)( already exists| is not present)"), r"\1=(withheld)\2"),
)


def mask_error(text) -> str:
    """An error message or traceback fit for a log: record values withheld, then `mask_text`."""
    text = "" if text is None else str(text)
    for pattern, replacement in RECORD_VALUES:
        text = pattern.sub(replacement, text)
    return mask_text(text)


class MaskedError(Exception):
    """Stands in for a library's exception chain (dlt's, psycopg's) behind one of our errors: its
    message is that chain's traceback, masked. Dagster's event log and `cutover -v` show it;
    the original exceptions, whose messages may quote raw records, are dropped."""

    @classmethod
    def of(cls, exc: BaseException) -> "MaskedError":
        import traceback

        return cls(mask_error("".join(traceback.format_exception(exc)).rstrip()))


_library_logs = {"shown": True}


def show_library_logs(shown: bool) -> None:
    """Whether library logs (dlt's) are emitted at all: the CLI turns them off unless `-v`, so
    a failure is one sentence; the Dagster UI keeps them (masked) in the compute logs."""
    _library_logs["shown"] = shown


class MaskingFilter:
    """A logging filter for library loggers: drops records while library logs are off, and masks
    the message and the traceback of every record it lets through."""

    def filter(self, record) -> bool:
        if not _library_logs["shown"]:
            return False
        record.msg, record.args = mask_error(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            import logging

            record.exc_text = mask_error(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_error(record.exc_text)
        record.exc_info = None  # the formatter would render the unmasked original again
        return True
