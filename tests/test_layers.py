"""The import graph flows one way, and only the lake talks to an analytic engine.

Every ``cellwatch`` module is read with :mod:`ast` (nothing is imported), each import
placed in a layer of :data:`LAYERS`, and the test fails on an import of a higher layer,
on a cycle between packages (a domain's service counting apart from the domain), on
``duckdb`` or ``pyspark`` imported outside ``cellwatch.lake``, and on a shell (CLI, API,
web) importing a domain module other than its service. Imports under
``if TYPE_CHECKING:`` are annotations only and are not counted.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cellwatch

SRC = Path(cellwatch.__file__).resolve().parent.parent

# Lowest first. A module may import its own layer and the layers below it, never above.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("base", frozenset({"cellwatch", "errors", "settings", "timestamps", "identifiers", "csvsafe",
                        "lifecycle", "bidi"})),
    ("storage", frozenset({"store", "lake"})),
    ("rules", frozenset({"access"})),
    ("domains", frozenset({
        "ingest", "attribution", "link", "tro", "takedown", "alerts", "protect", "parole",
        "reports", "targeting", "matching", "exchange", "intelligence", "cases", "estate",
        "statements", "guard", "simulate", "search"})),
    ("services", frozenset()),  # every domain's ``service`` module or package
    # The shells, and the one module registering every table (for Alembic and the tests).
    ("shells", frozenset({"cli", "api", "web", "demo", "demo_users", "bench", "tables"})),
)
LAYER_OF = {name: rank for rank, (_, names) in enumerate(LAYERS) for name in names}
DOMAINS, SERVICES = (next(rank for rank, (label, _) in enumerate(LAYERS) if label == name)
                     for name in ("domains", "services"))
ENGINES = ("duckdb", "pyspark")
# Alembic loads these by path, never by import; env.py registers the tables from the top
# (cellwatch.tables), as a shell would.
SCRIPTS = "cellwatch.store.migrations"


@dataclass(frozen=True)
class Import:
    """One import statement: who, what, where."""

    module: str
    target: str
    line: int
    lazy: bool


@cache
def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name (Alembic's scripts aside)."""
    found = {}
    for path in sorted((SRC / "cellwatch").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        if not name.startswith(SCRIPTS):
            found[name] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return ids


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = module.split(".")[: len(module.split(".")) - node.level + int(is_package)]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


@cache
def imports() -> tuple[Import, ...]:
    """Every import of every module (absolute names, possibly naming attributes)."""
    found = []
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skip = _type_checking_only(tree)
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skip:
                for target in _targets(module, path.name == "__init__.py", node):
                    found.append(Import(module, target, node.lineno, id(node) not in top))
    return tuple(found)


@cache
def _packages() -> frozenset[str]:
    return frozenset(m for m, path in modules().items() if path.name == "__init__.py")


def resolve(name: str) -> str | None:
    """The cellwatch module a dotted name is, or is an attribute of."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def unit(module: str) -> str:
    """The node of the package graph: a top-level package, or a domain's sub-package or
    ``service`` module apart from it (its service, or the alert detectors, count alone)."""
    parts = module.split(".")
    if len(parts) > 2 and LAYER_OF.get(parts[1]) == DOMAINS and (
            parts[2] == "service" or ".".join(parts[:3]) in _packages()):
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def layer(module: str) -> int:
    """The rank of a module's layer (an unknown package fails the test that lists them)."""
    parts = module.split(".")
    if len(parts) > 2 and parts[2] == "service" and LAYER_OF.get(parts[1]) == DOMAINS:
        return SERVICES
    return LAYER_OF[module.split(".")[1] if "." in module else module]


def internal_edges() -> Iterator[tuple[Import, str]]:
    """(import, resolved module) for every import of a cellwatch module by another."""
    for imp in imports():
        if imp.target.split(".")[0] == "cellwatch":
            resolved = resolve(imp.target)
            if resolved and resolved != imp.module:
                yield imp, resolved


def test_every_package_has_a_layer() -> None:
    packages = {m.split(".")[1] if "." in m else m for m in modules()}
    assert sorted(packages - set(LAYER_OF)) == []


def test_no_import_reaches_up_a_layer() -> None:
    upward = sorted({f"{imp.module}:{imp.line} imports {target} "
                     f"({LAYERS[layer(imp.module)][0]} -> {LAYERS[layer(target)][0]})"
                     for imp, target in internal_edges() if layer(target) > layer(imp.module)})
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def package_graph() -> dict[str, set[str]]:
    """Which package (or domain service) imports which."""
    graph: dict[str, set[str]] = defaultdict(set)
    for imp, target in internal_edges():
        if unit(imp.module) != unit(target):
            graph[unit(imp.module)].add(unit(target))
    return graph


def test_no_cycle_between_packages() -> None:
    assert _cycles(package_graph()) == []


# Modules outside the lake that still open DuckDB themselves (issue 18, item 4): the list
# may only shrink, and the test fails when one listed no longer needs to be.
ENGINE_DEBT: frozenset[str] = frozenset()


def test_only_the_lake_imports_an_analytic_engine() -> None:
    outside = {imp.module for imp in imports() if imp.target.split(".")[0] in ENGINES
               and not imp.module.startswith("cellwatch.lake")}
    assert sorted(outside - ENGINE_DEBT) == []
    assert sorted(ENGINE_DEBT - outside) == []


# The shells call a domain only through its service (issue 18, item 1): a module of
# ``cli``, ``api`` or ``web`` may import a domain's ``service`` (module or package), and
# nothing else of a domain but these, which hold values every layer shares and no use case.
SHELLS = frozenset({"cli", "api", "web"})
SHELL_SHARED: dict[str, str] = {
    # A command-line tool with no principal: it writes a synthetic estate to a folder and
    # touches no store (``cellwatch simulate``, the demo); there is no use case to guard.
    "cellwatch.simulate": "the simulator's entry point (files only, no store)",
    "cellwatch.simulate.worlds": "the simulator's randomised worlds (files only, no store)",
}
# Shell modules that still import a domain module directly, each with why. Temporary: the
# list may only shrink, and the test fails when one listed no longer needs to be. Most are
# files another engineer was editing this session (issues 16-18), left for them to fold.
_BUSY = "being edited by another engineer this session"
SHELL_DEBT: dict[str, str] = {}


def shell_imports() -> dict[str, set[str]]:
    """The domain modules each shell module imports other than services and shared values.

    ``from cellwatch.x import service`` names the module ``service``, not the package ``x``.
    """
    found: dict[str, set[str]] = defaultdict(set)
    for module, path in modules().items():
        if module.split(".")[1:2] not in ([name] for name in SHELLS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skip = _type_checking_only(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in skip:
                continue
            names = _targets(module, path.name == "__init__.py", node)
            for name in names[1:] if isinstance(node, ast.ImportFrom) else names:
                target = resolve(name) if name.startswith("cellwatch.") else None
                if target and "." in target and _domain_not_service(target) \
                        and target not in SHELL_SHARED:
                    found[module].add(target)
    return found


def _domain_not_service(module: str) -> bool:
    return LAYER_OF.get(module.split(".")[1]) == DOMAINS and layer(module) != SERVICES


def test_shells_reach_the_domains_only_through_their_services() -> None:
    reach = shell_imports()
    assert sorted(f"{m} imports {', '.join(sorted(t))}" for m, t in reach.items()
                  if m not in SHELL_DEBT) == []
    assert sorted(set(SHELL_DEBT) - set(reach)) == []


# Ingest runs on DuckDB alone (read_csv's reject tables, COPY to partitioned Parquet): its
# one door to the engine is lake/ingest_engine.py, beside the engine-neutral SQL text and
# the lake's layout, so that a Spark ingest would replace one module (issue 18, item 4).
INGEST_LAKE = frozenset({"cellwatch.lake.ingest_engine", "cellwatch.lake.cleaning_sql",
                         "cellwatch.lake.layout"})


def test_ingest_reaches_the_engine_through_one_lake_module() -> None:
    outside = sorted(f"{imp.module}:{imp.line} imports {target}"
                     for imp, target in internal_edges()
                     if imp.module.startswith("cellwatch.ingest.")
                     and target.startswith("cellwatch.lake") and target not in INGEST_LAKE)
    assert outside == []


def test_the_checks_can_fail() -> None:
    # A service imported by a store module would be reported: the ranks are as written.
    assert layer("cellwatch.ingest.service.uploads") > layer("cellwatch.store.reference")
    assert layer("cellwatch.ingest.lake_pipeline") < layer("cellwatch.ingest.service")
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    # A shell importing a domain's models would be reported; its service would not.
    assert _domain_not_service("cellwatch.alerts.models")
    assert not _domain_not_service("cellwatch.ingest.service.uploads")
    assert not _domain_not_service("cellwatch.parole.service")
    assert not _domain_not_service("cellwatch.store.models")
