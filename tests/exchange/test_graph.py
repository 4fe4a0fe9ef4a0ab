"""The link graph and its GraphML and GEXF: one edge per relation, typed, labelled,
attributions below the minimum left out; read back by networkx."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import networkx as nx
import pytest

from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.attribution.models import Attribution
from cellwatch.exchange.graphml import gexf, graphml
from cellwatch.exchange.linkgraph import build_graph
from cellwatch.store import SeizureItem, Store

IMEI = "356938035643809"
NUMBER = "+447911123456"


@pytest.fixture
def charted(exchange_estate: Store) -> Store:
    """Two seizures of the same handset with the same SIM's number, and a 5% lead."""
    with exchange_estate.session() as s:
        for ref, day in (("SZ-1", 3), ("SZ-2", 9)):
            s.add(SeizureItem(seizure_ref=ref, item_no=1, ts=datetime(2026, 4, day, tzinfo=UTC),
                              establishment="HEI", item_type="HANDSET", imei=IMEI,
                              msisdn=NUMBER, prison_number="A1111AA"))
        run_id = s.query(Attribution.run_id).limit(1).scalar()
        s.add(Attribution(run_id=run_id, identifier_type="IMEI", identifier=IMEI,
                          prison_number="A2222BB", probability=0.05, rank=2,
                          valid_from=date(2026, 4, 1), valid_to=date(2026, 4, 1),
                          status="PROPOSED"))
    return exchange_estate


def test_each_relation_is_one_edge_with_folded_sources(charted: Store) -> None:
    graph = build_graph(Access(charted, SYSTEM), ("PRISONER", "A1111AA"), 2)
    keys = [(r.a, r.b, r.kind) for r in graph.relations.values()]
    assert len(keys) == len(set(keys))
    pairs = [frozenset((r.a, r.b)) for r in graph.relations.values()
             if r.kind == "seized together"]
    assert len(pairs) == len(set(pairs))
    seized = graph.relations[(("IMEI", IMEI), ("PRISONER", "A1111AA"), "seized together")]
    # Found from the prisoner and again from the handset: two seizures, counted once each.
    assert seized.count == 2
    assert seized.refs == {"SZ-1", "SZ-2"}
    assert (seized.first, seized.last) == (date(2026, 4, 3), date(2026, 4, 9))
    attributed = graph.relations[(("IMEI", IMEI), ("PRISONER", "A1111AA"), "attributed")]
    assert attributed.probability == pytest.approx(0.97)
    # The 5% lead on A2222BB is not drawn at the default minimum; at 0 it is.
    assert ("PRISONER", "A2222BB") not in graph.nodes
    low = build_graph(Access(charted, SYSTEM), ("PRISONER", "A1111AA"), 2, 0.0)
    assert ("PRISONER", "A2222BB") in low.nodes


def test_graphml_and_gexf_read_back_typed_without_duplicates(charted: Store,
                                                             tmp_path: Path) -> None:
    graph = build_graph(Access(charted, SYSTEM), ("PRISONER", "A1111AA"), 2)
    (tmp_path / "g.graphml").write_text(graphml(graph), encoding="utf-8")
    (tmp_path / "g.gexf").write_text(gexf(graph), encoding="utf-8")
    for g in (nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True),
              nx.read_gexf(tmp_path / "g.gexf")):
        assert g.number_of_nodes() == len(graph.nodes)
        assert g.number_of_edges() == len(graph.relations)
        assert all(isinstance(d.get("label"), str) and d["label"]
                   for _, d in g.nodes(data=True))
        probabilities = [d["probability"] for *_, d in g.edges(data=True)
                         if "probability" in d]
        assert probabilities
        assert all(isinstance(p, float) for p in probabilities)
        assert min(probabilities) >= 0.5
    multi = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    triples = [(min(a, b), max(a, b), d["kind"]) for a, b, d in multi.edges(data=True)]
    assert len(triples) == len(set(triples))
    for *_, d in multi.edges(data=True):
        assert date.fromisoformat(d["first_seen"]) <= date.fromisoformat(d["last_seen"])
        assert isinstance(d["count"], int)
    dynamic = nx.read_gexf(tmp_path / "g.gexf")
    assert all(date.fromisoformat(d["start"]) <= date.fromisoformat(d["end"])
               for *_, d in dynamic.edges(data=True))
