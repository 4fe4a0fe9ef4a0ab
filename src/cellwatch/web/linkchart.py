"""The link chart: prisoners, devices, SIMs, numbers and accounts around one entity.

The graph (:mod:`cellwatch.exchange.service.charts`) is built server-side from what the
principal may see and embedded in the page as JSON (Cytoscape.js elements); the browser
draws it (``static/linkchart.js``: pan, zoom, drag, filters by probability and date,
double-click to expand a node, PNG). The same nodes and edges are listed in tables, which
is all a browser without JavaScript gets. ``depth`` widens the graph and ``min_p`` sets the
lowest attribution probability sent (the client's filter can only raise it). GraphML, GEXF
and i2 ANX are exported server-side from the same graph, clamped to the statement floor.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Response

from cellwatch.access.service import Access
from cellwatch.exchange.service.charts import (
    DEFAULT_MIN_PROBABILITY,
    Graph,
    Node,
    Relation,
    build_graph,
    render,
)
from cellwatch.statements.service import floor_for
from cellwatch.web.context import Page, WebRoute

__all__ = ["clusters", "elements", "layout", "legend", "router"]

router = APIRouter(route_class=WebRoute)
# Colour AND shape per type, so the chart reads in greyscale and to colour-blind eyes; a
# SIM's IMSI and ICCID are one kind of thing to the analyst. The legend is drawn from this.
STYLES: dict[str, tuple[str, str, str]] = {  # type: (label, colour, Cytoscape shape)
    "PRISONER": ("Prisoner", "#d4351c", "ellipse"),
    "IMEI": ("Handset (IMEI)", "#1d70b8", "round-rectangle"),
    "IMSI": ("SIM (IMSI / ICCID)", "#00703c", "diamond"),
    "ICCID": ("SIM (IMSI / ICCID)", "#00703c", "diamond"),
    "MSISDN": ("Number (MSISDN)", "#f47738", "triangle"),
    "ACCOUNT": ("Account", "#4c2c92", "hexagon"),
}
OTHER = ("Other", "#505a5f", "star")
# How much likelier one prisoner must be than any other for an identifier to be drawn in
# his cluster.
CLEAR_MARGIN = 0.2
# The legend's outline of each Cytoscape shape (SVG points in a 16x16 box).
LEGEND_POINTS = {"round-rectangle": "2,3 14,3 14,13 2,13", "diamond": "8,1 15,8 8,15 1,8",
                 "triangle": "8,1 15,15 1,15", "hexagon": "4,1 12,1 15,8 12,15 4,15 1,8",
                 "star": "8,1 10,6 15,6 11,9 13,15 8,11 3,15 5,9 1,6 6,6"}


def layout(graph: Graph, width: int = 900, height: int = 560,
           ) -> dict[Node, tuple[float, float]]:
    """Rings by step around the centre: the layout's starting positions (and the whole of
    it in a PNG taken before the force layout settles)."""
    cx, cy = width / 2, height / 2
    by_step: dict[int, list[Node]] = {}
    for node, step in sorted(graph.nodes.items()):
        by_step.setdefault(step, []).append(node)
    pos = {}
    for step, nodes in by_step.items():
        radius = 0 if step == 0 else 110 * step
        for i, node in enumerate(nodes):
            angle = 2 * math.pi * i / max(len(nodes), 1) + step * 0.4
            pos[node] = (cx + radius * math.cos(angle) * 1.6, cy + radius * math.sin(angle))
    return pos


def _id(node: Node) -> str:
    return f"{node[0]}:{node[1]}"


def clusters(graph: Graph) -> dict[Node, Node]:
    """Each identifier's prisoner, when it is clearly his: its strongest relation to a
    prisoner (a seizure counts as certain) beats its relation to any other prisoner by
    :data:`CLEAR_MARGIN`. His identifiers are then drawn together; a shared handset (two
    prisoners at 100% and 99%) stays loose between them, as does one joined to none."""
    strengths: dict[Node, dict[Node, float]] = {}
    for r in graph.relations.values():
        for ident, other in ((r.a, r.b), (r.b, r.a)):
            if ident[0] == "PRISONER" or other[0] != "PRISONER":
                continue
            strength = 1.0 if r.probability is None else r.probability
            held = strengths.setdefault(ident, {})
            held[other] = max(strength, held.get(other, 0.0))
    out = {}
    for ident, held in strengths.items():
        ranked = sorted(held.items(), key=lambda kv: (-kv[1], kv[0]))
        if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= CLEAR_MARGIN:
            out[ident] = ranked[0][0]
    return out


def _edge_label(r: Relation) -> str:
    """Relation, source (seizure references, or the link's source), count, probability."""
    text = r.kind
    if r.probability is not None:
        text += f" {r.probability:.0%}"
    if r.refs:
        refs = sorted(r.refs)
        text += " · " + ", ".join(refs[:2]) + (f" +{len(refs) - 2}" if len(refs) > 2 else "")
    return f"{text} · {r.count}×"


def elements(graph: Graph, root: Node) -> dict[str, list[dict[str, Any]]]:
    """The graph as Cytoscape.js elements (values are data, never markup: the template
    embeds them with ``tojson``, which escapes ``<``, ``>``, ``&`` and quotes)."""
    pos = layout(graph)
    parent = clusters(graph)
    groups = {p for p in parent.values() if p in graph.nodes}
    nodes: list[dict[str, Any]] = [
        {"data": {"id": f"cluster:{p[1]}", "cluster": True, "label": f"{p[1]} and identifiers"}}
        for p in sorted(groups)]
    for node, step in sorted(graph.nodes.items()):
        label, colour, shape = STYLES.get(node[0], OTHER)
        data: dict[str, Any] = {"id": _id(node), "type": node[0], "value": node[1],
                                "kind": label, "label": f"{node[0]} {node[1]}",
                                "colour": colour, "shape": shape, "step": step,
                                "root": node == root}
        owner = node if node in groups else parent.get(node)
        if owner in groups and owner is not None:
            data["parent"] = f"cluster:{owner[1]}"
        x, y = pos[node]
        nodes.append({"data": data, "position": {"x": round(x), "y": round(y)}})
    edges = [{"data": {
        "id": f"e{i}", "source": _id(r.a), "target": _id(r.b), "kind": r.kind,
        "label": _edge_label(r), "count": r.count, "probability": r.probability,
        "first": r.first.isoformat() if r.first else None,
        "last": r.last.isoformat() if r.last else None, "refs": sorted(r.refs)}}
        for i, r in enumerate(sorted(graph.relations.values(),
                                     key=lambda r: (r.a, r.b, r.kind)))]
    return {"nodes": nodes, "edges": edges}


def legend() -> list[tuple[str, str, str, str]]:
    """(label, colour, shape, SVG points or '') once per kind drawn, in STYLES' order."""
    seen: dict[str, tuple[str, str, str, str]] = {}
    for label, colour, shape in [*STYLES.values(), OTHER]:
        seen.setdefault(label, (label, colour, shape, LEGEND_POINTS.get(shape, "")))
    return list(seen.values())


def _depth(depth: int) -> int:
    return min(max(depth, 1), 3)


def _min_p(min_p: float) -> float:
    return min(max(min_p, 0.0), 1.0)


def _graph(ctx: Page, kind: str, value: str, depth: int, min_p: float) -> Graph:
    return build_graph(Access(ctx.store, ctx.user), (kind.upper(), value), _depth(depth),
                       _min_p(min_p))


def _export_graph(ctx: Page, kind: str, value: str, depth: int, min_p: float) -> Graph:
    """The graph a download carries: a file leaves the page's context (its labels, the
    analyst reading them), so it states nothing below the statement floor; the page may
    still draw leads below it, each labelled with its probability."""
    return _graph(ctx, kind, value, depth, floor_for(ctx.web.settings, _min_p(min_p)))


@router.get("/link/{kind}/{value}")
def link_chart(ctx: Page, kind: str, value: str, depth: int = 1,
               min_p: float = DEFAULT_MIN_PROBABILITY) -> Response:
    """The chart page around one entity."""
    root = (kind.upper(), value)
    graph = _graph(ctx, kind, value, depth, min_p)
    return ctx.render("linkchart.html", title=f"Link chart: {value}", section="overview",
                      graph=graph, chart=elements(graph, root), root=root,
                      depth=_depth(depth), min_p=_min_p(min_p), legend=legend(),
                      styles=STYLES, relations=sorted(graph.relations.values(),
                                                      key=lambda r: (r.a, r.b, r.kind)))


def _download(ctx: Page, kind: str, value: str, graph: Graph, fmt: str,
              media_type: str, filename: str) -> Response:
    body = render(graph, fmt, f"Link chart around {kind.upper()} {value}")
    response = Response(body, media_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    ctx.finish(response)
    return response


@router.get("/link/{kind}/{value}/graph.graphml")
def link_chart_graphml(ctx: Page, kind: str, value: str, depth: int = 1,
                       min_p: float = DEFAULT_MIN_PROBABILITY) -> Response:
    """The same graph as a GraphML download."""
    graph = _export_graph(ctx, kind, value, depth, min_p)
    return _download(ctx, kind, value, graph, "graphml", "application/graphml+xml",
                     f"link-{value}.graphml")


@router.get("/link/{kind}/{value}/graph.gexf")
def link_chart_gexf(ctx: Page, kind: str, value: str, depth: int = 1,
                    min_p: float = DEFAULT_MIN_PROBABILITY) -> Response:
    """The same graph as a GEXF download (Gephi)."""
    graph = _export_graph(ctx, kind, value, depth, min_p)
    return _download(ctx, kind, value, graph, "gexf", "application/gexf+xml",
                     f"link-{value}.gexf")


@router.get("/link/{kind}/{value}/chart.anx")
def link_chart_anx(ctx: Page, kind: str, value: str, depth: int = 1,
                   min_p: float = DEFAULT_MIN_PROBABILITY) -> Response:
    """The same graph as an i2 Analyst's Notebook chart (ANX)."""
    graph = _export_graph(ctx, kind, value, depth, min_p)
    return _download(ctx, kind, value, graph, "anx", "application/xml", f"link-{value}.anx")
