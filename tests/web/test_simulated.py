"""End to end on a small SIMULATED estate: simulate, ingest every manifest file, attribute,
then work it in the browser (overview heat map from the lake, candidates to an application,
a device's SIM history and call timeline, a prisoner's parole summary)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from web_browser import PASSWORD, Browser
from web_server import LiveServer, serve

from cellwatch.access.models import Organisation, User
from cellwatch.attribution.models import Attribution
from cellwatch.attribution.run import attribute
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.registry import ingest_file
from cellwatch.settings import Settings
from cellwatch.simulate import load_scenario, simulate
from cellwatch.store import open_store

pytestmark = pytest.mark.browser
SCENARIO = Path(__file__).parent / "tiny-scenario.toml"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A tiny simulated Hewell, run through the same steps as ``make demo``."""
    root = tmp_path_factory.mktemp("simulated")
    sources = root / "sources"
    simulate(load_scenario(SCENARIO), 7, sources)
    settings = Settings(home=root / "home", environment="test")
    store = open_store(settings)
    ctx = IngestContext.create(store, settings)
    for entry in json.loads((sources / "manifest.json").read_text())["files"]:
        ingest_file(ctx, entry["kind"], sources / entry["path"])
    attribute(settings, store)
    with store.session() as db:
        db.add(Organisation(code="HEI-SIT", name="Hewell security team", kind="ESTABLISHMENT",
                            establishment="HEI"))
        db.flush()
        db.add(User(username="hei.analyst", org_code="HEI-SIT", roles=["analyst", "supervisor"],
                    password_hash=PasswordHasher().hash(PASSWORD)))
    store.dispose()
    with serve(settings) as server:
        yield server


def test_a_simulated_estate_end_to_end(browser: Browser, simulated: LiveServer) -> None:
    browser.base = simulated.url
    browser.sign_in("hei.analyst")
    heat_rows = browser.find_all("table.cw-heat tbody th")
    assert heat_rows  # detections by wing-landing, from the lake
    assert heat_rows[0].text
    assert "No detections to map yet" not in browser.text()
    browser.screenshot("12-sim-overview")
    browser.assert_accessible()

    browser.open("/queues/candidates")
    boxes = browser.find_all("#queue-candidates input[type=checkbox]")
    assert boxes, "the simulated estate should have disconnection candidates"
    # No run was stored by the fixture's ingest: the page computed one and says when.
    assert "with every ingest up to batch" in browser.text("#candidates-as-of")
    browser.screenshot("13-sim-candidates")
    browser.assert_accessible()
    boxes[0].click()
    browser.click_and_wait(browser.find("#bulk-draft"))
    browser.click_and_wait(browser.find("#confirm"))  # the confirmation page
    assert "Draft an application: 1 of 1 done" in browser.text("h1")
    assert "in TRO-HEI-" in browser.text("#done-rows")

    store = open_store(simulated.settings, migrate=False)
    try:
        with store.session() as db:
            best = db.query(Attribution).filter(Attribution.identifier_type == "IMEI") \
                .order_by(Attribution.probability.desc()).first()
            assert best is not None
            imei, prisoner = best.identifier, best.prison_number
    finally:
        store.dispose()
    browser.open(f"/identifiers/IMEI/{imei}")
    assert browser.find_all("#sim-history tbody tr"), "a used handset has carried a SIM"
    assert "Weight (bits)" in browser.text()  # the attribution's evidence with weights
    # The sensors that put it in a prisoner's hands saw it: knowledge_of counts them.
    assert browser.find_all("#detections-by-establishment tbody tr")
    browser.screenshot("14-sim-device")
    browser.assert_accessible()

    browser.open(f"/prisoners/{prisoner}")
    assert imei in browser.text()
    browser.screenshot("15-sim-prisoner")
    browser.assert_accessible()
    cookie = browser.driver.get_cookie("cellwatch_session")
    assert cookie is not None
    pdf = httpx.get(f"{simulated.url}/prisoners/{prisoner}/parole-summary.pdf",
                    cookies={"cellwatch_session": cookie["value"]})
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    html = httpx.get(f"{simulated.url}/prisoners/{prisoner}/parole-summary.html",
                     cookies={"cellwatch_session": cookie["value"]})
    assert prisoner in html.text
