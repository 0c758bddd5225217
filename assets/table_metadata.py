"""The catalog's conventions on every table a materialization writes (raw, staging, intermediate,
candidate): `dagster/row_count` (the catalog's Rows column) and `dagster/column_schema` read from
PostgreSQL's catalog (nullability as the constraint "not null"), and on a model's asset definition
a code reference to its `.sql` file.

Decision: code references are paths relative to the repository root (never the machine's absolute
path: metadata reaches the UI and the run storage); with `CUTOVER_GIT_URL` set (e.g.
`https://github.com/org/cutover/tree/main`) Dagster's `link_code_references_to_git` turns them
into links to that repository.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import dagster as dg

REPO = Path(__file__).resolve().parents[1]
COLUMNS_SQL = (Path(__file__).with_suffix(".sql")).read_text()


def table_metadata(conn, table: str, rows: int) -> dict:
    """`dagster/row_count` and `dagster/column_schema` of `table` (schema.table) as `conn` sees it."""
    columns = [
        dg.TableColumn(name, type_, constraints=dg.TableColumnConstraints(nullable=not not_null))
        for name, type_, not_null in conn.execute(COLUMNS_SQL, (table,)).fetchall()
    ]
    return {"dagster/row_count": dg.MetadataValue.int(rows),
            "dagster/column_schema": dg.MetadataValue.table_schema(dg.TableSchema(columns=columns))}


def code_reference(path: Path) -> dict:
    """Asset definition metadata pointing at `path` (a file of this repository), repo-relative."""
    # Dagster marks code references beta and warns on every use: the CLI's stderr is for our sentences
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        reference = dg.LocalFileCodeReference(file_path=str(path.resolve().relative_to(REPO)), line_number=1)
        return {"dagster/code_references": dg.CodeReferencesMetadataValue(code_references=[reference])}


class _RepoRelative(dg.FilePathMapping):
    """The references are already relative to the repository root."""

    def convert_to_source_control_path(self, local_path: Path) -> str:
        return str(local_path)


def linked_to_git(assets: list) -> list:
    """`assets` with their code references turned into links when `CUTOVER_GIT_URL` is set."""
    url = os.environ.get("CUTOVER_GIT_URL")
    if not url:
        return assets
    base, _, branch = url.rstrip("/").partition("/tree/")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.link_code_references_to_git(assets, git_url=base, git_branch=branch or "main", file_path_mapping=_RepoRelative())
