"""The link chart: prisoners, devices, SIMs, numbers and accounts around one entity.

The graph (:mod:`cellwatch.exchange.linkgraph`) is built server-side from what the
principal may see, laid out radially by step, and drawn as inline SVG. Each node links
to its own chart, so the analyst expands step by step; ``depth`` widens it and
``min_p`` sets the lowest attribution probability drawn (the page shows it). GraphML,
GEXF and i2 ANX are exported server-side from the same graph; PNG in the browser.
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Response

from cellwatch.access.service import Access
from cellwatch.exchange.anx import anx
from cellwatch.exchange.graphml import gexf, graphml
from cellwatch.exchange.linkgraph import DEFAULT_MIN_PROBABILITY, MAX_NODES, Graph, build_graph
from cellwatch.statements.service import floor_for
from cellwatch.web.context import Page, WebRoute

__all__ = ["MAX_NODES", "Graph", "build_graph", "graphml", "layout"]

router = APIRouter(route_class=WebRoute)
COLOURS = {"PRISONER": "#d4351c", "IMEI": "#1d70b8", "IMSI": "#00703c", "ICCID": "#00703c",
           "MSISDN": "#f47738", "ACCOUNT": "#4c2c92"}


def layout(graph: Graph, width: int = 900, height: int = 560,
           ) -> dict[tuple[str, str], tuple[float, float]]:
    """Rings by step around the centre: readable without a physics engine."""
    cx, cy = width / 2 + 10, height / 2
    by_step: dict[int, list[tuple[str, str]]] = {}
    for node, step in sorted(graph.nodes.items()):
        by_step.setdefault(step, []).append(node)
    pos = {}
    for step, nodes in by_step.items():
        radius = 0 if step == 0 else 110 * step
        for i, node in enumerate(nodes):
            angle = 2 * math.pi * i / max(len(nodes), 1) + step * 0.4
            pos[node] = (cx + radius * math.cos(angle) * 1.6, cy + radius * math.sin(angle))
    return pos


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
                      graph=graph, pos=layout(graph), root=root, depth=_depth(depth),
                      min_p=_min_p(min_p), colours=COLOURS)


def _download(ctx: Page, body: str, media_type: str, filename: str) -> Response:
    response = Response(body, media_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    ctx.finish(response)
    return response


@router.get("/link/{kind}/{value}/graph.graphml")
def link_chart_graphml(ctx: Page, kind: str, value: str, depth: int = 1,
                       min_p: float = DEFAULT_MIN_PROBABILITY) -> Response:
    """The same graph as a GraphML download."""
    graph = _export_graph(ctx, kind, value, depth, min_p)
    return _download(ctx, graphml(graph), "application/graphml+xml",
                     f"link-{value}.graphml")


@router.get("/link/{kind}/{value}/graph.gexf")
def link_chart_gexf(ctx: Page, kind: str, value: str, depth: int = 1,
                    min_p: float = DEFAULT_MIN_PROBABILITY) -> Response:
    """The same graph as a GEXF download (Gephi)."""
    graph = _export_graph(ctx, kind, value, depth, min_p)
    return _download(ctx, gexf(graph), "application/gexf+xml", f"link-{value}.gexf")


@router.get("/link/{kind}/{value}/chart.anx")
def link_chart_anx(ctx: Page, kind: str, value: str, depth: int = 1,
                   min_p: float = DEFAULT_MIN_PROBABILITY) -> Response:
    """The same graph as an i2 Analyst's Notebook chart (ANX)."""
    graph = _export_graph(ctx, kind, value, depth, min_p)
    return _download(ctx, anx(graph, f"Link chart around {kind.upper()} {value}"),
                     "application/xml", f"link-{value}.anx")
