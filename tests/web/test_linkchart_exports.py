"""The link chart's downloads (GraphML, GEXF, i2 ANX) draw the page's graph: the same
minimum probability, one edge per relation, nothing outside the user's scope.

No browser: FastAPI's TestClient signs in through the real sign-in form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import networkx as nx
import pytest
from defusedxml import ElementTree as DET
from fastapi.testclient import TestClient
from web_client import sign_in

from cellwatch.access.fixtures import build_estate
from cellwatch.api.app import create_app
from cellwatch.attribution.models import Attribution, AttributionRun, IdentityLink
from cellwatch.exchange.linkgraph import Graph
from cellwatch.settings import Settings
from cellwatch.store import SeizureItem, Store
from cellwatch.web.linkchart import clusters, elements

IMEI = "353456789012348"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The fixture estate, a handset seized at Hewell and attributed 80% and 5%."""
    build_estate(store)
    with store.session() as s:
        s.add(SeizureItem(seizure_ref="SZ-1", item_no=1, ts=datetime(2026, 5, 3, tzinfo=UTC),
                          establishment="HEI", item_type="HANDSET", imei=IMEI,
                          prison_number="A1111AA"))
        run = AttributionRun(status="DONE", engine="duckdb", run_by="system", params={},
                             finished_at=datetime(2026, 5, 4, tzinfo=UTC))
        s.add(run)
        s.flush()
        for number, p in (("A1111AA", 0.8), ("A2222BB", 0.05)):
            s.add(Attribution(run_id=run.id, identifier_type="IMEI", identifier=IMEI,
                              prison_number=number, probability=p, rank=1,
                              valid_from=date(2026, 5, 1), valid_to=date(2026, 5, 1)))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_downloads_draw_the_pages_graph(client: TestClient, tmp_path_factory:
                                        pytest.TempPathFactory) -> None:
    sign_in(client, "nat_analyst")  # national: sees every establishment
    page = client.get(f"/link/IMEI/{IMEI}")
    assert page.status_code == 200
    assert "attributions from 50%" in page.text
    assert "A2222BB" not in page.text  # the 5% lead is not drawn
    folder = tmp_path_factory.mktemp("downloads")
    graphml = client.get(f"/link/IMEI/{IMEI}/graph.graphml")
    gexf = client.get(f"/link/IMEI/{IMEI}/graph.gexf")
    chart = client.get(f"/link/IMEI/{IMEI}/chart.anx")
    assert graphml.status_code == gexf.status_code == chart.status_code == 200
    (folder / "g.graphml").write_text(graphml.text, encoding="utf-8")
    (folder / "g.gexf").write_text(gexf.text, encoding="utf-8")
    for g in (nx.read_graphml(folder / "g.graphml", force_multigraph=True),
              nx.read_gexf(folder / "g.gexf")):
        labels = {d["label"] for _, d in g.nodes(data=True)}
        assert labels == {f"IMEI {IMEI}", "PRISONER A1111AA"}
        kinds = sorted(d["kind"] for *_, d in g.edges(data=True))
        assert kinds == ["attributed", "seized together"]
        assert [d["probability"] for *_, d in g.edges(data=True) if "probability" in d] \
            == [0.8]
    entities = {e.get("Identity") for e in DET.fromstring(chart.text).iter("Entity")}
    assert entities == {IMEI, "A1111AA"}
    # The page may draw the 5% lead when asked; a download never states it (the floor).
    assert "A2222BB" in client.get(f"/link/IMEI/{IMEI}?min_p=0").text
    low = client.get(f"/link/IMEI/{IMEI}/graph.graphml?min_p=0")
    assert low.status_code == 200
    assert "A2222BB" not in low.text


def test_downloads_keep_to_the_users_scope(client: TestClient) -> None:
    sign_in(client, "lei_analyst")
    body = client.get("/link/PRISONER/A1111AA/graph.graphml").text
    assert IMEI not in body


def test_page_embeds_the_graph_as_data_never_markup(client: TestClient, store: Store) -> None:
    """Identifiers and link sources are untrusted: in the page's JSON block they cannot
    close the block or open a tag, and they parse back to themselves."""
    hostile = "</script><script>alert(1)</script><!--&'\""
    with store.session() as s:
        s.add(IdentityLink(a_type="IMEI", a=IMEI, b_type="ACCOUNT", b=hostile,
                           source="<b>x</b>", first_seen=datetime(2026, 5, 1, tzinfo=UTC),
                           last_seen=datetime(2026, 5, 2, tzinfo=UTC), count=1))
    sign_in(client, "nat_analyst")
    page = client.get(f"/link/IMEI/{IMEI}")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert "<b>x</b>" not in page.text
    block = re.search(r'<script type="application/json" id="link-chart-data">(.*?)</script>',
                      page.text, re.S)
    assert block is not None
    elements = json.loads(block.group(1))["elements"]
    assert f"ACCOUNT:{hostile}" in {n["data"]["id"] for n in elements["nodes"]}
    assert "<b>x</b>" in {e["data"]["kind"] for e in elements["edges"]}
    # The page's scripts are files: the policy allows no inline script.
    script_src = page.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in script_src


def test_page_embeds_what_the_tables_list(client: TestClient) -> None:
    sign_in(client, "nat_analyst")
    page = client.get(f"/link/IMEI/{IMEI}?min_p=0")
    block = re.search(r'id="link-chart-data">(.*?)</script>', page.text, re.S)
    assert block is not None
    elements = json.loads(block.group(1))["elements"]
    nodes = {n["data"]["id"]: n["data"] for n in elements["nodes"]}
    assert {i for i, d in nodes.items() if not d.get("cluster")} == {
        f"IMEI:{IMEI}", "PRISONER:A1111AA", "PRISONER:A2222BB"}
    # The handset sits in the cluster of its likelier prisoner (seized with him).
    assert nodes[f"IMEI:{IMEI}"]["parent"] == "cluster:A1111AA"
    assert {n["data"]["shape"] for n in elements["nodes"] if "shape" in n["data"]} == {
        "ellipse", "round-rectangle"}
    probabilities = sorted(e["data"]["probability"] or 0 for e in elements["edges"])
    assert probabilities == [0, 0.05, 0.8]
    for e in elements["edges"]:
        assert e["data"]["source"] in nodes
        assert e["data"]["target"] in nodes
        assert e["data"]["label"].endswith(f"· {e['data']['count']}×")


def test_an_identifier_is_clustered_with_a_prisoner_only_when_clearly_his() -> None:
    """A seized handset goes with the prisoner it was seized from, over a 60% lead; a
    handset shared at 100% and 99% stays between its prisoners."""
    graph = Graph({("PRISONER", "A1111AA"): 0})
    seized, shared = ("IMEI", IMEI), ("IMEI", "356938035643809")
    graph.add(("PRISONER", "A1111AA"), seized, "seized together", 1, "seizure:1")
    graph.add(seized, ("PRISONER", "A2222BB"), "attributed", 2, "a:1", probability=0.6)
    graph.add(("PRISONER", "A1111AA"), shared, "attributed", 1, "a:2", probability=1.0)
    graph.add(shared, ("PRISONER", "A2222BB"), "attributed", 2, "a:3", probability=0.99)
    assert clusters(graph) == {seized: ("PRISONER", "A1111AA")}
    nodes = {n["data"]["id"]: n["data"] for n in
             elements(graph, ("PRISONER", "A1111AA"))["nodes"]}
    assert nodes[f"IMEI:{IMEI}"]["parent"] == nodes["PRISONER:A1111AA"]["parent"]
    assert "parent" not in nodes["IMEI:356938035643809"]
    assert "parent" not in nodes["PRISONER:A2222BB"]
