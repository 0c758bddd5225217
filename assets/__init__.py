"""Dagster definitions: one subpackage per phase (land, transform, gates, cutover, sync), each
exposing `defs`; `assets.definitions` merges them and is what `workspace.yaml` loads."""
