"""The land phase: dlt sources into raw_airtable, raw_mongo, raw_luma (groups `podium_raw`, `hello_miami_raw`)."""
