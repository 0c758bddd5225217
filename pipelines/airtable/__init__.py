"""Podium's Airtable base: the dlt source (`source.py`), the rate-limited client (`client.py`) and
the live snapshot writer (`snapshot.py`).

The tables and the fields the SQL mapping reads from each are the registry's
(pipelines/registry.py), which is the land gate's schema contract.
"""

from pipelines import registry

TABLES = registry.table_names("airtable")
