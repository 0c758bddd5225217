"""Hello Miami's MongoDB as a dlt source (live through pymongo, or a mongodump/mongoexport snapshot)."""
