"""The layers: `lint-imports` keeps the contracts in pyproject.toml ([tool.importlinter]), and no
module reaches itself through other modules. Function-level imports count: the cycles this test
was written against all hid behind an import inside a function."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_import_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert f"Contracts: {len(CONFIG['contracts'])} kept, 0 broken." in done.stdout


def known_exceptions() -> set[tuple[str, str]]:
    """The imports the acyclic contract ignores, as (importer, imported): listed there once."""
    contract = next(c for c in CONFIG["contracts"] if c["type"] == "acyclic_siblings")
    return {tuple(part.strip() for part in line.split("->")) for line in contract.get("ignore_imports", [])}


def test_no_module_imports_itself_through_other_modules():
    # acyclic_siblings compares packages, and leaves out assets/ itself (see pyproject.toml): this
    # looks at single modules across every package, so a cycle through assets.runner shows too
    import grimp

    graph = grimp.build_graph(*CONFIG["root_packages"], cache_dir=None)
    for importer, imported in known_exceptions():
        graph.remove_import(importer=importer, imported=imported)
    cycles = sorted(
        f"{module} -> {imported} -> ... -> {module}"
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported in graph.modules and imported != module and not graph.is_module_squashed(imported)
        and graph.chain_exists(importer=imported, imported=module)
    )
    assert cycles == [], "import cycles (break one import in each): " + "; ".join(cycles)
