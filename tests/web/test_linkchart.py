"""The link chart: drawn, expandable, exportable as GraphML, kept to the user's scope."""

from __future__ import annotations

import httpx
import pytest
from web_browser import Browser
from web_estate import SEIZED_IMEI, SEIZED_NUMBER

pytestmark = pytest.mark.browser


def test_link_chart_from_a_prisoner_expands_and_exports(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    browser.open("/prisoners/A1234BC")
    browser.click_and_wait(browser.find("a[href='/link/PRISONER/A1234BC']"))
    nodes = browser.find_all("#link-chart a.cw-node")
    assert len(nodes) == 3  # the prisoner, the handset and its number
    assert SEIZED_IMEI in browser.text("table")
    browser.screenshot("06-link-chart")
    browser.assert_accessible()
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
