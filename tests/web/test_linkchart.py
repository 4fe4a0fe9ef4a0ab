"""The link chart in Chromium: Cytoscape draws the embedded graph, the filters hide what
they should, PNG export makes an image, the tables carry it all without JavaScript, it is
kept to the user's scope, and axe finds nothing serious."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import web_estate
from web_browser import Browser
from web_estate import SEIZED_IMEI, SEIZED_NUMBER
from web_server import LiveServer, serve

from cellwatch.attribution.models import Attribution, AttributionRun
from cellwatch.settings import Settings
from cellwatch.store import open_store
from conftest import AXE, SCREENSHOTS

pytestmark = pytest.mark.browser

OTHER_IMEI = "356938035643809"  # a second handset, a weak lead on A1234BC


@pytest.fixture(scope="module")
def chart_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The web estate plus attributions, served on its own (the shared estate has none,
    and other pages' tests count what it shows): the seized handset is A1234BC's at 90%
    and B2345CD's at 60%; another handset is A1234BC's at 55%."""
    home = tmp_path_factory.mktemp("chart-home")
    settings = Settings(home=home, environment="test")
    store = open_store(settings)
    web_estate.build(store)
    with store.session() as s:
        run = AttributionRun(status="DONE", engine="duckdb", run_by="system", params={},
                             finished_at=datetime(2026, 5, 4, tzinfo=UTC))
        s.add(run)
        s.flush()
        for imei, number, p, day in ((SEIZED_IMEI, "A1234BC", 0.9, date(2025, 3, 1)),
                                     (SEIZED_IMEI, "B2345CD", 0.6, date(2025, 1, 15)),
                                     (OTHER_IMEI, "A1234BC", 0.55, date(2024, 11, 10))):
            s.add(Attribution(run_id=run.id, identifier_type="IMEI", identifier=imei,
                              prison_number=number, probability=p, rank=1,
                              valid_from=day, valid_to=day))
    store.dispose()
    with serve(settings) as server:
        yield server


@pytest.fixture
def chart_browser(chromium: object, chart_server: LiveServer) -> Browser:
    b = Browser(chromium, chart_server.url, SCREENSHOTS, AXE)  # type: ignore[arg-type]
    b.open("/signin")
    b.driver.delete_all_cookies()
    return b


def _count(browser: Browser, selector: str) -> int:
    """How many of the chart's elements match, and are shown."""
    return int(browser.driver.execute_script(
        "return window.cellwatchLinkChart.elements(arguments[0]).not('.cw-hidden').length;",
        selector))


def _set(browser: Browser, css: str, value: str) -> None:
    browser.driver.execute_script(
        "const box = document.querySelector(arguments[0]); box.value = arguments[1];"
        "box.dispatchEvent(new Event('input'));", css, value)


def test_link_chart_draws_filters_and_exports(chart_browser: Browser) -> None:
    browser = chart_browser
    browser.sign_in("hei.analyst")
    browser.open("/prisoners/A1234BC")
    browser.click_and_wait(browser.find("a[href='/link/PRISONER/A1234BC']"))
    browser.open(browser.path.split("?")[0] + "?depth=2")
    browser.wait_for("#link-chart canvas")
    # The prisoner, both handsets, the seized number, and B2345CD two steps out.
    assert _count(browser, "node[type]") == 5
    assert _count(browser, "node[?cluster]") == 1  # A1234BC and his three identifiers
    labels = browser.driver.execute_script(
        "return window.cellwatchLinkChart.edges().map(e => e.data('label'));")
    assert "seized together · HEI-2025-0042 · 1×" in labels
    assert "attributed 90% · 1×" in labels
    shapes = browser.driver.execute_script(
        "return window.cellwatchLinkChart.nodes('[type]').map("
        "n => n.data('type') + ' ' + n.style('shape') + ' ' + n.style('background-color'));")
    assert len({s.split(" ", 1)[1] for s in shapes}) == 3  # prisoner, handset, number
    browser.screenshot("06-link-chart")
    browser.assert_accessible()

    # Above 60% the weak leads go: the 55% handset, the 60% edge and B2345CD with it.
    _set(browser, "#filter-p", "70")
    assert _count(browser, "edge") == 4
    assert _count(browser, "node[type]") == 3
    assert "Showing 3 of 5 nodes" in browser.text("#link-chart-status")
    browser.screenshot("06-link-chart-filtered")
    _set(browser, "#filter-p", "50")
    assert _count(browser, "node[type]") == 5
    # Dates: links active from February 2025 keep the 90% attribution and the seizure
    # (7 March); to the end of January, only the 55% lead is still joined to the centre.
    _set(browser, "#filter-from", "2025-02-01")
    assert _count(browser, "node[type]") == 3
    _set(browser, "#filter-from", "")
    _set(browser, "#filter-to", "2025-01-31")
    assert _count(browser, "node[type]") == 2
    _set(browser, "#filter-to", "")
    assert _count(browser, "node[type]") == 5

    browser.find("#export-png").click()
    png = browser.find("#png-download").get_attribute("href") or ""
    assert png.startswith("data:image/png;base64,")
    image = base64.b64decode(png.split(",", 1)[1])
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    Path(SCREENSHOTS / "06-link-chart-export.png").write_bytes(image)

    # Double-clicking a node expands it: its own chart.
    browser.driver.execute_script(
        "window.cellwatchLinkChart.getElementById(arguments[0]).emit('dbltap');",
        f"IMEI:{OTHER_IMEI}")
    browser.wait_for("#link-chart canvas")
    assert browser.path.startswith(f"/link/IMEI/{OTHER_IMEI}?depth=2")


def test_link_chart_tables_without_javascript(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    browser.driver.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.open("/link/PRISONER/A1234BC")
        assert not browser.find("#link-chart").is_displayed()
        nodes = browser.text("#link-nodes")
        assert SEIZED_IMEI in nodes
        assert SEIZED_NUMBER in nodes
        assert len(browser.find_all("#link-nodes tbody tr")) == 3
        assert "HEI-2025-0042" in browser.text("#link-edges")
    finally:
        browser.driver.execute_cdp_cmd(  # type: ignore[attr-defined]
            "Emulation.setScriptExecutionDisabled", {"value": False})
    export = browser.find("a[href*='graph.graphml']").get_attribute("href")
    cookie = browser.driver.get_cookie("cellwatch_session")
    assert export is not None
    assert cookie is not None
    body = httpx.get(export, cookies={"cellwatch_session": cookie["value"]}).text
    assert body.count("<node ") == 3
    assert SEIZED_NUMBER in body


def test_link_chart_shows_nothing_outside_scope(browser: Browser) -> None:
    browser.sign_in("lei.analyst")
    browser.open("/link/PRISONER/A1234BC")
    assert SEIZED_IMEI not in browser.text()
    data = browser.driver.execute_script(
        "return document.getElementById('link-chart-data').textContent;")
    assert SEIZED_IMEI not in data
