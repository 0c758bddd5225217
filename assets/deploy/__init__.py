"""The Dagster instance configuration the project ships (dagster.yaml), for `make ui`, the CLI and production."""
