"""The eleven collections, as the registry lists them (pipelines/registry.py: the fields the SQL
mapping reads from each are there too)."""

from __future__ import annotations

from pipelines import registry

COLLECTIONS: tuple[str, ...] = registry.table_names("mongo")
