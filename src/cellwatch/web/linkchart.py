"""The link chart: prisoners, devices, SIMs, numbers and accounts around one entity.

The graph is built server-side from what the principal may see (seizures in scope,
attributions of visible prisoners, identity links), laid out radially by step, and
drawn as inline SVG. Each node links to its own chart, so the analyst expands step by
step; ``depth`` widens it. GraphML is exported server-side; PNG in the browser.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from fastapi import APIRouter, Response
from sqlalchemy import or_, select

from cellwatch.access.scopes import in_scope, visible_prisoners
from cellwatch.access.service import Access
from cellwatch.attribution.models import Attribution, IdentityLink
from cellwatch.store import Prisoner, SeizureItem
from cellwatch.web.context import Page, WebRoute
from cellwatch.web.records import _ready

router = APIRouter(route_class=WebRoute)
COLOURS = {"PRISONER": "#d4351c", "IMEI": "#1d70b8", "IMSI": "#00703c", "ICCID": "#00703c",
           "MSISDN": "#f47738", "ACCOUNT": "#4c2c92"}
MAX_NODES = 80


@dataclass
class Graph:
    nodes: dict[tuple[str, str], int] = field(default_factory=dict)  # (type, id) -> step
    edges: set[tuple[tuple[str, str], tuple[str, str], str]] = field(default_factory=set)

    def add(self, a: tuple[str, str], b: tuple[str, str], how: str, step: int) -> None:
        if len(self.nodes) >= MAX_NODES and b not in self.nodes:
            return
        self.nodes.setdefault(b, step)
        self.edges.add((a, b, how))


def _neighbours(access: Access, node: tuple[str, str]) -> list[tuple[tuple[str, str], str]]:
    kind, value = node
    p = access.principal
    out: list[tuple[tuple[str, str], str]] = []
    with access.transaction() as s:
        rows: Iterable[SeizureItem]
        if kind == "PRISONER":
            rows = s.scalars(select(SeizureItem).where(
                SeizureItem.prison_number == value, in_scope(p, SeizureItem.establishment)))
        else:
            column = {"IMEI": SeizureItem.imei, "IMSI": SeizureItem.imsi,
                      "ICCID": SeizureItem.iccid, "MSISDN": SeizureItem.msisdn}.get(kind)
            rows = s.scalars(select(SeizureItem).where(
                column == value, in_scope(p, SeizureItem.establishment))) \
                if column is not None else iter(())
        for item in rows:
            for t, v in (("IMEI", item.imei), ("IMSI", item.imsi), ("ICCID", item.iccid),
                         ("MSISDN", item.msisdn), ("PRISONER", item.prison_number)):
                if v and (t, v) != node:
                    out.append(((t, v), f"seized together {item.seizure_ref}"))
        if _ready(s, Attribution, IdentityLink):
            query = select(Attribution).join(
                Prisoner, Prisoner.prison_number == Attribution.prison_number).where(
                visible_prisoners(p))
            query = query.where(Attribution.prison_number == value) if kind == "PRISONER" \
                else query.where(Attribution.identifier == value)
            for a in s.scalars(query):
                other = (a.identifier_type, a.identifier) if kind == "PRISONER" \
                    else ("PRISONER", a.prison_number)
                out.append((other, f"attributed {a.probability:.0%}"))
            if kind != "PRISONER":
                for link in s.scalars(select(IdentityLink).where(
                        or_(IdentityLink.a == value, IdentityLink.b == value)).limit(50)):
                    other = (link.b_type, link.b) if link.a == value else (link.a_type, link.a)
                    out.append((other, link.source))
    return out


def build_graph(access: Access, root: tuple[str, str], depth: int) -> Graph:
    """Breadth-first out to ``depth`` steps from ``root``."""
    graph = Graph({root: 0})
    frontier = [root]
    for step in range(1, depth + 1):
        nxt = []
        for node in frontier:
            for other, how in _neighbours(access, node):
                if other not in graph.nodes:
                    nxt.append(other)
                graph.add(node, other, how, step)
        frontier = nxt
    return graph


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


def graphml(graph: Graph) -> str:
    """The graph as GraphML, readable by Gephi, yEd and i2-style tools."""
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
             '<key id="type" for="node" attr.name="type" attr.type="string"/>',
             '<key id="value" for="node" attr.name="value" attr.type="string"/>',
             '<key id="how" for="edge" attr.name="how" attr.type="string"/>',
             '<graph id="cellwatch" edgedefault="undirected">']
    for node, nid in ids.items():
        lines.append(f'<node id="{nid}"><data key="type">{node[0]}</data>'
                     f'<data key="value">{quoteattr(node[1])[1:-1]}</data></node>')
    for a, b, how in sorted(graph.edges):
        lines.append(f'<edge source="{ids[a]}" target="{ids[b]}">'
                     f'<data key="how">{quoteattr(how)[1:-1]}</data></edge>')
    lines += ["</graph>", "</graphml>"]
    return "\n".join(lines)


def _depth(depth: int) -> int:
    return min(max(depth, 1), 3)


@router.get("/link/{kind}/{value}")
def link_chart(ctx: Page, kind: str, value: str, depth: int = 1) -> Response:
    """The chart page around one entity."""
    root = (kind.upper(), value)
    graph = build_graph(Access(ctx.store, ctx.user), root, _depth(depth))
    return ctx.render("linkchart.html", title=f"Link chart: {value}", section="overview",
                      graph=graph, pos=layout(graph), root=root, depth=_depth(depth),
                      colours=COLOURS)


@router.get("/link/{kind}/{value}/graph.graphml")
def link_chart_graphml(ctx: Page, kind: str, value: str, depth: int = 1) -> Response:
    """The same graph as a GraphML download."""
    graph = build_graph(Access(ctx.store, ctx.user), (kind.upper(), value), _depth(depth))
    response = Response(graphml(graph), media_type="application/graphml+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="link-{value}.graphml"'
    ctx.finish(response)
    return response
