"""Write the link graph around one entity, or around a case's subjects, as a file:
GraphML, GEXF, i2 ANX or i2 CSV.

The one service the CLI calls (the web pages build the same graph for a download). A
user gives a reason; the export is audited when written (``export``, ``what`` =
``chart``, the format, root, depth and counts); a refusal leaves no file. A case
(``CASE:REF``) is opened as the case page opens it (owner or share; audited).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.service import Access
from cellwatch.errors import InvalidData
from cellwatch.exchange.anx import CSV_SCHEMA, anx, i2_csv, import_specification
from cellwatch.exchange.graphml import gexf, graphml
from cellwatch.exchange.linkgraph import (
    DEFAULT_MIN_PROBABILITY,
    Graph,
    Node,
    Relation,
    build_graph,
    build_graph_from,
)
from cellwatch.exchange.service.exports import audited_export, require_reason
from cellwatch.statements.service import floor_for

# The graph and its values the web page draws (re-exported: the shells import only the
# service); ``build_graph`` reads through the principal's scope, the page's own reading.
__all__ = ["DEFAULT_MIN_PROBABILITY", "FORMATS", "Graph", "Node", "Relation", "build_graph",
           "export_chart", "parse_root", "render"]

FORMATS = ("graphml", "gexf", "anx", "i2csv")


def parse_root(text: str) -> Node:
    """``TYPE:VALUE`` (``PRISONER:A1234BC``, ``IMEI:356938035643809``, ``CASE:OP-1``)."""
    kind, sep, value = text.partition(":")
    if not sep or not kind or not value:
        raise InvalidData(f"root {text!r}: expected TYPE:VALUE, e.g. PRISONER:A1234BC",
                          {"root": ["expected TYPE:VALUE"]})
    return kind.strip().upper(), value.strip()


def render(graph: Graph, fmt: str, title: str) -> str:
    """The graph's text in ``fmt``."""
    writers: dict[str, Callable[[], str]] = {
        "graphml": lambda: graphml(graph), "gexf": lambda: gexf(graph),
        "anx": lambda: anx(graph, title), "i2csv": lambda: i2_csv(graph)}
    if fmt not in writers:
        raise InvalidData(f"format {fmt!r}: one of {', '.join(FORMATS)}",
                          {"format": [f"one of {', '.join(FORMATS)}"]})
    return writers[fmt]()


def _roots(access: Access, root: Node) -> list[Node]:
    """The chart's starting nodes: the root itself, or a case's subjects."""
    if root[0] != "CASE":
        return [root]
    from cellwatch.cases.service import case_details, get_case

    subjects, _ = case_details(access, get_case(access, root[1]))
    return [("PRISONER", n) for n in subjects]


def export_chart(access: Access, out: Path, root: Node, fmt: str, depth: int = 1,
                 min_probability: float = DEFAULT_MIN_PROBABILITY, reason: str = "") -> int:
    """Write the chart around ``root``; returns the number of relations written.

    A file leaves cellwatch, so its attributions are statements: ``min_probability``
    below the statement floor is raised to it (:func:`~cellwatch.statements.service.
    floor_for`); the web page may still draw leads below it for an analyst."""
    require_reason(access, reason)
    min_probability = floor_for(access.settings, min_probability)
    with access.transaction():
        access.check(Action.READ, Target(Resource.IDENTIFIER), role_only=True)
    graph = build_graph_from(access, _roots(access, root), min(max(depth, 1), 3),
                             min_probability)
    text = render(graph, fmt, f"Link chart around {root[0]} {root[1]}")

    def write(path: Path) -> int:
        path.write_text(text, encoding="utf-8", newline="")
        return len(graph.relations)

    n = audited_export(access, "chart", Resource.IDENTIFIER, out, write, reason, {
        "format": fmt, "root": f"{root[0]}:{root[1]}", "depth": depth,
        "min_probability": min_probability, "nodes": len(graph.nodes)},
        CSV_SCHEMA if fmt == "i2csv" else None)
    if fmt == "i2csv":
        spec = out.with_name(f"{out.stem}.i2-import.txt")
        spec.write_text(import_specification(out.name, f"{out.stem}.schema.json"),
                        encoding="utf-8")
    return n
