"""Placeholder until this phase lands: no definitions yet."""

import dagster as dg

defs = dg.Definitions()
