"""The Python twin of `migration.stable_id` (ddl/stable_id.sql), for tests and reports.

Both must give the same uuid for the same (app, table, source key); tests/test_stable_id.py holds
them to it.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

SQL_FILE = Path(__file__).with_name("stable_id.sql")


def stable_id(app: str, table: str, source_key: str) -> uuid.UUID:
    digest = bytearray(hashlib.sha256(f"{app}/{table}/{source_key}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return uuid.UUID(bytes=bytes(digest))


def function_sql() -> str:
    return SQL_FILE.read_text()
