"""Partners' own tools on the exports of a simulated estate (one estate per module): the
OASIS validator finds no error and only the warnings docs/exchange.md explains; misp-stix
imports every attributed handset, SIM and number as a MISP object; FollowTheMoney
validates every entity; PyMISP loads the MISP event; networkx reads the link charts."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cellwatch.access.service import Access
from cellwatch.exchange.rows import ExportScope
from cellwatch.exchange.service.write import export_ftm, export_misp, export_stix

from .simulated import simulated

__all__ = ["simulated"]

# The warnings docs/exchange.md explains, by code: {103} deterministic UUIDv5 ids,
# {202} relationships STIX does not suggest (attributed-to from an observable, based-on
# to an observable).
EXPLAINED = {"103", "202"}


@pytest.fixture(scope="module")
def bundle_path(simulated: Access, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stix") / "share.json"
    export_stix(simulated, out, ExportScope(min_probability=0.0))
    return out


def test_validator_finds_no_error_and_only_explained_warnings(bundle_path: Path) -> None:
    from stix2validator import ValidationOptions, validate_string

    text = bundle_path.read_text(encoding="utf-8")
    objects = json.loads(text)["objects"]
    assert len(objects) > 200
    # The statements' counts ride in the property extension the validator checks too.
    stated = [next(iter(o["extensions"].values())) for o in objects
              if o.get("relationship_type") == "attributed-to"]
    assert stated
    # (This seed's sensors see no identifier: every handset's count is a stated 0.)
    assert any(isinstance(x.get("detections"), int) for x in stated)
    assert any(x.get("calls") for x in stated)
    result = validate_string(text, ValidationOptions(version="2.1"))
    assert result.errors == []
    codes = Counter(m.group(1) for w in result.warnings
                    if (m := re.search(r"\{(\d+)\}", str(w))))
    assert set(codes) <= EXPLAINED, codes
    assert result.is_valid


def _misp_import(path: Path) -> Any:
    from misp_stix_converter import ExternalSTIX2toMISPParser
    from misp_stix_converter.tools.stix2_loading_helpers import load_stix2_file

    parser = ExternalSTIX2toMISPParser()
    parser.load_stix_bundle(load_stix2_file(path))
    parser.parse_stix_bundle(single_event=True)
    return parser


def test_misp_stix_imports_every_attributed_identifier(bundle_path: Path) -> None:
    objects = json.loads(bundle_path.read_text(encoding="utf-8"))["objects"]
    indicators = {o["pattern"] for o in objects if o["type"] == "indicator"}
    kinds = Counter(p.split(":")[0].strip("[") for p in indicators)
    assert {"imei", "imsi", "phone-number"} <= set(kinds)
    parser = _misp_import(bundle_path)
    event = parser.misp_event
    patterns = {a.value for o in event.objects if o.name == "stix2-pattern"
                for a in o.attributes if a.object_relation == "stix2-pattern"}
    # Every handset, SIM and number attributed arrives as a MISP object holding it.
    assert indicators <= patterns
    people = [o for o in event.objects if o.name == "identity"]
    names = Counter(str(a.value) for o in people for a in o.attributes
                    if a.object_relation == "name")
    # Every prisoner arrives as a MISP identity object.
    assert not Counter(o["name"] for o in objects
                       if o.get("identity_class") == "individual") - names
    # The indicator's related-to link to the prisoner survives as an object reference.
    person_uuids = {o.uuid for o in people}
    linked = [r for o in event.objects if o.name == "stix2-pattern" for r in o.references
              if r.referenced_uuid in person_uuids]
    assert len(linked) >= len(indicators)


def test_followthemoney_validates_every_entity(simulated: Access, tmp_path: Path) -> None:
    from followthemoney import model

    out = tmp_path / "share.jsonl"
    summary = export_ftm(simulated, out, ExportScope(min_probability=0.0,
                                                     include_intelligence=False))
    errors = 0
    lines = out.read_text(encoding="utf-8").splitlines()
    for line in lines:
        entity = model.get_proxy(json.loads(line), cleaned=False)
        errors += entity.schema.validate(entity.to_dict()) is not None
    assert len(lines) == summary.objects > 200
    assert errors == 0


def test_pymisp_loads_the_misp_event(simulated: Access, tmp_path: Path) -> None:
    from pymisp import MISPEvent

    out = tmp_path / "event.json"
    summary = export_misp(simulated, out, ExportScope(min_probability=0.0))
    event = MISPEvent()
    event.load_file(str(out))
    names = Counter(o.name for o in event.objects)
    assert sum(names.values()) == summary.objects
    assert names["person"] == summary.persons
    assert names["phone"] > 0
    used_by = sum(1 for o in event.objects for r in o.references
                  if r.relationship_type == "used-by")
    assert used_by == summary.attributions


def test_networkx_reads_the_busiest_link_chart(simulated: Access, tmp_path: Path) -> None:
    import networkx as nx

    from cellwatch.attribution.models import Attribution
    from cellwatch.exchange.graphml import gexf, graphml
    from cellwatch.exchange.linkgraph import build_graph

    with simulated.store.session() as s:
        rows = s.execute(select(Attribution.prison_number)).scalars().all()
    busiest = Counter(rows).most_common(1)[0][0]
    graph = build_graph(simulated, ("PRISONER", busiest), 3, 0.0)
    assert len(graph.relations) > 1
    (tmp_path / "g.graphml").write_text(graphml(graph), encoding="utf-8")
    (tmp_path / "g.gexf").write_text(gexf(graph), encoding="utf-8")
    multi = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    triples = [(min(a, b), max(a, b), d["kind"]) for a, b, d in multi.edges(data=True)]
    assert len(triples) == len(set(triples)) == len(graph.relations)
    assert all(isinstance(d["probability"], float) for *_, d in multi.edges(data=True)
               if d["kind"] == "attributed")
    assert all(d.get("label") for _, d in multi.nodes(data=True))
    dynamic = nx.read_gexf(tmp_path / "g.gexf")
    assert dynamic.number_of_nodes() == multi.number_of_nodes()
