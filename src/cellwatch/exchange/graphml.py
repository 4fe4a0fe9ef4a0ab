"""The link graph as GraphML (yEd, Gephi, Cytoscape, networkx) and GEXF 1.3 (Gephi).

One edge per relation (see :mod:`cellwatch.exchange.linkgraph`), typed attributes: the
probability a ``double``, the number of folded records an ``int``, a ``label`` on every
node and edge. GraphML has no date type, so first and last dates are ISO 8601 strings
(``first_seen``, ``last_seen``); GEXF carries them as the edge's own ``start`` and ``end``
with ``timeformat="date"``.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from cellwatch.exchange.linkgraph import Graph, Node, Relation

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://gexf.net/1.3"

NODE_KEYS = (("label", "string"), ("type", "string"), ("value", "string"), ("step", "int"))
EDGE_KEYS = (("label", "string"), ("kind", "string"), ("probability", "double"),
             ("count", "int"), ("first_seen", "string"), ("last_seen", "string"),
             ("refs", "string"))


def node_label(node: Node) -> str:
    """What a chart shows on a node: ``IMEI 356938035643809``."""
    return f"{node[0]} {node[1]}"


def _ids(graph: Graph) -> dict[Node, str]:
    return {node: f"n{i}" for i, node in enumerate(sorted(graph.nodes))}


def _edge_values(r: Relation) -> dict[str, str]:
    values = {"label": r.label, "kind": r.kind, "count": str(r.count),
              "refs": ";".join(sorted(r.refs))}
    if r.probability is not None:
        values["probability"] = repr(round(r.probability, 6))
    if r.first is not None:
        values["first_seen"] = r.first.isoformat()
    if r.last is not None:
        values["last_seen"] = r.last.isoformat()
    return {k: v for k, v in values.items() if v != ""}


def _relations(graph: Graph) -> list[Relation]:
    return sorted(graph.relations.values(), key=lambda r: (r.a, r.b, r.kind))


def _text(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def graphml(graph: Graph) -> str:
    """The graph as GraphML."""
    root = ET.Element("graphml", xmlns=GRAPHML_NS)
    for scope, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name, kind in keys:
            ET.SubElement(root, "key", {"id": f"{scope[0]}_{name}", "for": scope,
                                        "attr.name": name, "attr.type": kind})
    g = ET.SubElement(root, "graph", id="cellwatch", edgedefault="undirected")
    ids = _ids(graph)
    for node, nid in ids.items():
        n = ET.SubElement(g, "node", id=nid)
        for name, value in (("label", node_label(node)), ("type", node[0]),
                            ("value", node[1]), ("step", str(graph.nodes[node]))):
            ET.SubElement(n, "data", key=f"n_{name}").text = value
    for i, r in enumerate(_relations(graph)):
        e = ET.SubElement(g, "edge", id=f"e{i}", source=ids[r.a], target=ids[r.b])
        for name, value in _edge_values(r).items():
            ET.SubElement(e, "data", key=f"e_{name}").text = value
    return _text(root)


GEXF_TYPES = {"string": "string", "int": "integer", "double": "double"}


def gexf(graph: Graph) -> str:
    """The graph as GEXF 1.3 (dates as the edges' ``start`` and ``end``)."""
    root = ET.Element("gexf", xmlns=GEXF_NS, version="1.3")
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "cellwatch"
    g = ET.SubElement(root, "graph", defaultedgetype="undirected", mode="dynamic",
                      timeformat="date")
    for scope, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        attributes = ET.SubElement(g, "attributes", {"class": scope})
        for name, kind in keys:
            if name in ("label", "first_seen", "last_seen"):
                continue  # GEXF's own label, start and end
            ET.SubElement(attributes, "attribute", id=f"{scope[0]}_{name}", title=name,
                          type=GEXF_TYPES[kind])
    ids = _ids(graph)
    nodes = ET.SubElement(g, "nodes")
    for node, nid in ids.items():
        n = ET.SubElement(nodes, "node", id=nid, label=node_label(node))
        values = ET.SubElement(n, "attvalues")
        for name, value in (("type", node[0]), ("value", node[1]),
                            ("step", str(graph.nodes[node]))):
            ET.SubElement(values, "attvalue", {"for": f"n_{name}", "value": value})
    edges = ET.SubElement(g, "edges")
    for i, r in enumerate(_relations(graph)):
        values_of = _edge_values(r)
        attrs = {"id": f"e{i}", "source": ids[r.a], "target": ids[r.b],
                 "label": values_of.pop("label")}
        if "first_seen" in values_of:
            attrs["start"] = values_of.pop("first_seen")
        if "last_seen" in values_of:
            attrs["end"] = values_of.pop("last_seen")
        e = ET.SubElement(edges, "edge", attrs)
        values = ET.SubElement(e, "attvalues")
        for name, value in values_of.items():
            ET.SubElement(values, "attvalue", {"for": f"e_{name}", "value": value})
    return _text(root)
