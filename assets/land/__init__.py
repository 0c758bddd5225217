"""The land phase: dlt sources into raw_airtable, raw_mongo, raw_luma (group `land`)."""
