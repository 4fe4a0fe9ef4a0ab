"""Exports take what they say about people from cellwatch.statements, never from the
attribution tables: no module of cellwatch.exchange reads attributions or their evidence
items itself. (What they then state is checked in tests/statements/test_exports_*.)"""

from __future__ import annotations

import ast
from pathlib import Path

import cellwatch.exchange

ROOT = Path(cellwatch.exchange.__file__).resolve().parent
# Names of the attribution domain an export may use: identity links (handset-SIM and the
# like: records, not statements about a person).
ALLOWED = {"cellwatch.attribution.models": {"IdentityLink"}}
# The interchange dump for ``system`` (evaluation, another cellwatch): the run as the
# model wrote it, by contract (interchange.md); a user's export goes through statements.
INTERCHANGE = {"service/exports.py": {"cellwatch.attribution.export": {
    "attribution_rows", "latest_run", "COLUMNS", "TYPES"}}}
FORBIDDEN_MODULES = ("cellwatch.attribution",)


def _imports(path: Path) -> list[tuple[str, set[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, {a.name for a in node.names}))
        elif isinstance(node, ast.Import):
            out += [(a.name, set()) for a in node.names]
    return out


def test_no_export_reads_attributions_itself() -> None:
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 10
    for path in modules:
        name = path.relative_to(ROOT).as_posix()
        allowed = {**ALLOWED, **INTERCHANGE.get(name, {})}
        for module, names in _imports(path):
            if not module.startswith(FORBIDDEN_MODULES):
                continue
            assert module in allowed, f"exchange/{name} imports {module}"
            assert names <= allowed[module], f"exchange/{name} imports {names} of {module}"


def test_exports_import_the_statements_entry_points() -> None:
    # The exports' claims and the charts' holdings come from statements.
    uses = {path.relative_to(ROOT).as_posix(): {m for m, _ in _imports(path)}
            for path in ROOT.rglob("*.py")}
    assert "cellwatch.statements.service" in uses["service/collect.py"]
    assert "cellwatch.statements.periods" in uses["linkgraph.py"]
    assert "cellwatch.statements.service" in uses["service/charts.py"]
