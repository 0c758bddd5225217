"""The land gate's field contract (SPEC §2): the source fields the mapping reads, per source table,
are the registry's (`pipelines/registry.py`, tested against the staging SQL).

Airtable: a field missing from the base's schema fails the gate (the original backfill read
`feature_flags`, which did not exist, and migrated every event's flags as empty). Without a schema
(a snapshot lacking schema.json, MongoDB, Luma), a field present in no record is a warning: a field
that is empty everywhere is absent from every record, so absence alone cannot be an error.
"""

# A Luma key listed again in one landing (pipelines/luma/source.py): the later entries are rows of
# raw_luma.duplicates, current while the row they repeat is of the same landing (same load id).
LUMA_DUPLICATES = {
    table: "select d.* from raw_luma.duplicates as d join raw_luma.{0} as k on k.api_id = d.api_id "
           "and k._dlt_load_id = d._dlt_load_id{1} where d.source_table = '{0}'".format(
               table, " and k.event_api_id = d.event_api_id" if table == "guests" else "")
    for table in ("events", "guests")
}
