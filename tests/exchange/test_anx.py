"""i2 Analyst's Notebook: the ANX chart parses back (defused) with every link's ends
declared, icons per entity type, dated links with probability; the i2 CSV has its Table
Schema and import specification; the chart export is audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from defusedxml import ElementTree as DET
from sqlalchemy import select

from cellwatch.access.models import AuditEntry
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.attribution.models import Attribution
from cellwatch.errors import InvalidData, NotFound
from cellwatch.exchange.anx import CSV_COLUMNS, ENTITY_TYPES, anx, i2_csv
from cellwatch.exchange.linkgraph import build_graph
from cellwatch.exchange.service.charts import export_chart, parse_root
from cellwatch.store import SeizureItem, Store

IMEI = "356938035643809"


@pytest.fixture
def charted(exchange_estate: Store) -> Store:
    with exchange_estate.session() as s:
        s.add(SeizureItem(seizure_ref="=SZ1", item_no=1, ts=datetime(2026, 4, 3, tzinfo=UTC),
                          establishment="HEI", item_type="HANDSET", imei=IMEI,
                          msisdn="+447911123456", prison_number="A1111AA"))
    return exchange_estate


def test_anx_parses_back_with_declared_types_and_dated_links(charted: Store) -> None:
    graph = build_graph(Access(charted, SYSTEM), ("PRISONER", "A1111AA"), 2)
    chart = DET.fromstring(anx(graph, "test chart"))
    assert chart.tag == "Chart"
    assert chart.get("IdReferenceLinking") == "true"
    classes = {c.get("Name"): c.get("Type")
               for c in chart.iter("AttributeClass")}
    assert classes["Probability"] == "AttNumber"
    types = {t.get("Name"): t.get("IconFile") for t in chart.iter("EntityType")}
    assert types["Prisoner"] == "Person"
    assert types["Mobile handset"] == ENTITY_TYPES["IMEI"][1]
    entities = {e.get("EntityId"): e for e in chart.iter("Entity")}
    assert len(entities) == len(graph.nodes)
    for entity in entities.values():
        assert entity.find("Icon/IconStyle").get("Type") in types
    items = chart.find("ChartItemCollection")
    links = [i for i in items if i.find("Link") is not None]
    assert len(links) == len(graph.relations)
    link_types = {t.get("Name") for t in chart.iter("LinkType")}
    for item in links:
        link = item.find("Link")
        assert link.get("End1Id") in entities
        assert link.get("End2Id") in entities
        assert link.find("LinkStyle").get("Type") in link_types
        assert item.get("DateSet") == "true"
        datetime.fromisoformat(item.get("DateTime"))
        for attribute in item.iter("Attribute"):
            assert attribute.get("AttributeClass") in classes
    probabilities = [float(a.get("Value")) for a in chart.iter("Attribute")
                     if a.get("AttributeClass") == "Probability"]
    assert probabilities
    assert min(probabilities) >= 0.5


def test_i2_csv_rows_are_relations_and_cells_are_safe(charted: Store) -> None:
    graph = build_graph(Access(charted, SYSTEM), ("PRISONER", "A1111AA"), 1)
    rows = list(csv.DictReader(io.StringIO(i2_csv(graph))))
    assert len(rows) == len(graph.relations)
    assert tuple(rows[0]) == CSV_COLUMNS
    # A seizure reference starting with = is neutralised where it is a cell of its own.
    assert "'=SZ1" in {r["references"] for r in rows}
    assert not any(v.startswith("=") for r in rows for v in r.values())


def test_chart_export_writes_spec_and_schema_and_is_audited(charted: Store,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "chart.csv"
    n = export_chart(Access(charted, SYSTEM), out, parse_root("prisoner:A1111AA"), "i2csv")
    assert n == len(list(csv.DictReader(out.open(encoding="utf-8"))))
    assert (tmp_path / "chart.schema.json").exists()
    assert "entity1_type" in (tmp_path / "chart.i2-import.txt").read_text(encoding="utf-8")
    with charted.session() as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "export"))
    assert (entry.detail["what"], entry.detail["format"], entry.detail["rows"]) == (
        "chart", "i2csv", n)
    with pytest.raises(InvalidData):
        parse_root("A1111AA")
    with pytest.raises(InvalidData):
        export_chart(Access(charted, SYSTEM), tmp_path / "x", ("IMEI", IMEI), "pdf")
    assert not (tmp_path / "x").exists()


def test_rejected_and_low_attributions_are_not_charted(charted: Store) -> None:
    with charted.session() as s:
        for a in s.scalars(select(Attribution).where(Attribution.identifier == IMEI)):
            a.status = "REJECTED"
    graph = build_graph(Access(charted, SYSTEM), ("IMEI", IMEI), 1, 0.0)
    assert {r.kind for r in graph.relations.values()} == {"seized together"}


def test_a_case_is_charted_from_its_subjects(charted: Store, tmp_path: Path,
                                             as_user: Callable[[str], Access]) -> None:
    from cellwatch.cases.service import create_case

    analyst = as_user("hei_analyst")
    create_case(analyst, "OP-CHART", "Phones on A wing", subjects=["A1111AA"])
    out = tmp_path / "case.anx"
    n = export_chart(analyst, out, parse_root("CASE:OP-CHART"), "anx", reason="briefing")
    chart = DET.parse(out).getroot()
    identities = {e.get("Identity") for e in chart.iter("Entity")}
    assert "A1111AA" in identities
    assert IMEI in identities
    assert n == sum(1 for _ in chart.iter("Link"))
    with pytest.raises(NotFound):
        export_chart(as_user("lei_analyst"), tmp_path / "no.anx", ("CASE", "OP-CHART"), "anx",
                     reason="curious")
    assert not (tmp_path / "no.anx").exists()
