"""dlt sources and pipelines: everything that reads Airtable, MongoDB and Luma and lands it raw."""
