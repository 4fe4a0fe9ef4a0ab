"""The link graph for i2 Analyst's Notebook: ANX (Analyst's Notebook Exchange XML) and a
CSV with its import specification.

ANX, as Analyst's Notebook 7 and later read it: a ``Chart`` (``IdReferenceLinking``:
links name their ends by ``EntityId``) declaring its attribute classes, entity types
(one icon per cellwatch type) and link strengths, then one ``ChartItem`` per entity
(``End``/``Entity``/``Icon``/``IconStyle``) and per relation (``Link``/``LinkStyle``),
each with its attributes. A relation is dated with its first day (``DateSet``,
``DateTime``) and carries its probability, count and last day as attributes; its
strength says how sure it is: confirmed (p >= 0.9), unconfirmed (p >= 0.5), tentative.
No schema of ANX is published, so the file is checked by parsing it back (defusedxml)
against the structure above; see docs/exchange.md.
"""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET

from cellwatch.csvsafe import SafeWriter, table_schema
from cellwatch.exchange.graphml import node_label
from cellwatch.exchange.linkgraph import Graph, Node, Relation

# cellwatch type -> (i2 entity type name, icon file of i2's standard icon set)
ENTITY_TYPES = {
    "PRISONER": ("Prisoner", "Person"),
    "IMEI": ("Mobile handset", "Mobile Phone"),
    "IMSI": ("SIM subscription", "SIM Card"),
    "ICCID": ("SIM card", "SIM Card"),
    "MSISDN": ("Telephone number", "Telephone"),
    "ACCOUNT": ("Online account", "Internet Account"),
}
OTHER = ("Identifier", "Document")
ATTRIBUTE_CLASSES = (("Identifier", "AttText"), ("Identifier type", "AttText"),
                     ("Probability", "AttNumber"), ("Records", "AttNumber"),
                     ("Last seen", "AttTime"), ("References", "AttText"))
STRENGTHS = (("Confirmed", "DotStyleSolid"), ("Unconfirmed", "DotStyleDashed"),
             ("Tentative", "DotStyleDotted"))


def entity_type(node: Node) -> tuple[str, str]:
    """The i2 entity type and icon of a node."""
    return ENTITY_TYPES.get(node[0], OTHER)


def strength(r: Relation) -> str:
    """How sure a relation is, as i2 draws it: seizures and links are facts."""
    if r.probability is None or r.probability >= 0.9:
        return "Confirmed"
    return "Unconfirmed" if r.probability >= 0.5 else "Tentative"


def _entity_id(node: Node) -> str:
    return f"{node[0]}:{node[1]}"


def _attributes(parent: ET.Element, values: list[tuple[str, str]]) -> None:
    if values:
        collection = ET.SubElement(parent, "AttributeCollection")
        for name, value in values:
            ET.SubElement(collection, "Attribute", AttributeClass=name, Value=value)


def _declarations(chart: ET.Element, graph: Graph) -> None:
    classes = ET.SubElement(chart, "AttributeClassCollection")
    for name, kind in ATTRIBUTE_CLASSES:
        ET.SubElement(classes, "AttributeClass", Name=name, Type=kind, ShowValue="true",
                      Visible="true")
    types = ET.SubElement(chart, "EntityTypeCollection")
    for name, icon in sorted({entity_type(n) for n in graph.nodes}):
        ET.SubElement(types, "EntityType", Name=name, IconFile=icon)
    links = ET.SubElement(chart, "LinkTypeCollection")
    for kind in sorted({r.kind for r in graph.relations.values()}):
        ET.SubElement(links, "LinkType", Name=kind, Colour="0")
    strengths = ET.SubElement(chart, "StrengthCollection")
    for name, dots in STRENGTHS:
        ET.SubElement(strengths, "Strength", Id=name, Name=name, DotStyle=dots)


def anx(graph: Graph, title: str) -> str:
    """The graph as an ANX chart."""
    chart = ET.Element("Chart", IdReferenceLinking="true", Rigorous="true")
    _declarations(chart, graph)
    items = ET.SubElement(chart, "ChartItemCollection")
    for i, node in enumerate(sorted(graph.nodes)):
        name, _ = entity_type(node)
        item = ET.SubElement(items, "ChartItem", Label=node_label(node), DateSet="false",
                             XPosition=str(200 * graph.nodes[node]), Description=title)
        end = ET.SubElement(item, "End", Y=str(80 * i))
        entity = ET.SubElement(end, "Entity", EntityId=_entity_id(node), Identity=node[1])
        icon = ET.SubElement(entity, "Icon")
        ET.SubElement(icon, "IconStyle", Type=name)
        _attributes(item, [("Identifier", node[1]), ("Identifier type", node[0])])
    for r in sorted(graph.relations.values(), key=lambda r: (r.a, r.b, r.kind)):
        attrs = {"Label": r.label, "DateSet": "false"}
        if r.first is not None:
            attrs |= {"DateSet": "true", "DateTime": f"{r.first.isoformat()}T00:00:00.000"}
        item = ET.SubElement(items, "ChartItem", attrs)
        link = ET.SubElement(item, "Link", End1Id=_entity_id(r.a), End2Id=_entity_id(r.b))
        ET.SubElement(link, "LinkStyle", Type=r.kind, ArrowStyle="ArrowNone",
                      Strength=strength(r), LineWidth="1")
        values = [("Records", str(r.count))]
        if r.probability is not None:
            values.append(("Probability", f"{r.probability:.4f}"))
        if r.last is not None:
            values.append(("Last seen", f"{r.last.isoformat()}T00:00:00.000"))
        if r.refs:
            values.append(("References", ";".join(sorted(r.refs))))
        _attributes(item, values)
    ET.indent(chart)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(chart, encoding="unicode") + "\n")


CSV_COLUMNS = ("entity1_type", "entity1_id", "entity1_label", "link_type", "link_label",
               "strength", "probability", "records", "first_seen", "last_seen", "references",
               "entity2_type", "entity2_id", "entity2_label")
CSV_TYPES = {"probability": "number", "records": "integer", "first_seen": "date",
             "last_seen": "date"}
CSV_SCHEMA = table_schema(CSV_COLUMNS, CSV_TYPES)

IMPORT_SPECIFICATION = """i2 Analyst's Notebook import specification for {name}
(Import > Import from file; design: "Entity - Link - Entity"; the file has a header row;
delimiter comma; text qualifier "; dates yyyy-MM-dd)

Entity 1: type from column entity1_type (icons: {icons});
          identity = entity1_id; label = entity1_label
Link:     type = link_type; label = link_label; strength = strength (Confirmed,
          Unconfirmed, Tentative); date = first_seen; arrows none;
          attributes: Probability (number) = probability, Records (number) = records,
          Last seen (date) = last_seen, References (text) = references
Entity 2: type from column entity2_type; identity = entity2_id; label = entity2_label

Cells a spreadsheet would read as a formula begin with a ' (OWASP); column types are in
{schema}.
"""


def i2_csv(graph: Graph) -> str:
    """The graph as i2's Entity-Link-Entity CSV (one row per relation)."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for r in sorted(graph.relations.values(), key=lambda r: (r.a, r.b, r.kind)):
        writer.writerow([
            entity_type(r.a)[0], r.a[1], node_label(r.a), r.kind, r.label, strength(r),
            "" if r.probability is None else f"{r.probability:.4f}", r.count,
            r.first.isoformat() if r.first else "", r.last.isoformat() if r.last else "",
            ";".join(sorted(r.refs)), entity_type(r.b)[0], r.b[1], node_label(r.b)])
    return buffer.getvalue()


def import_specification(csv_name: str, schema_name: str) -> str:
    """The text telling Analyst's Notebook how to import :func:`i2_csv`."""
    icons = ", ".join(f"{name} = {icon}" for name, icon in ENTITY_TYPES.values())
    return IMPORT_SPECIFICATION.format(name=csv_name, icons=icons, schema=schema_name)
