"""The Luma calendar API as a dlt source (live through dlt's RESTClient, or a snapshot's jsonl)."""
