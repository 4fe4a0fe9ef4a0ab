"""The six work queues driven in headless Chromium, one pass each: a page of 25 and the
next, a column sorted by its heading both ways, the filter form applied, and the "Download
this view as CSV" link fetched as the page would (the filtered rows, every page of them).
Each queue's first page and its filtered view axe-checked; the first photographed
(screenshots 80-85).

The rows are :mod:`queue_world`'s over the access fixture estate, on a server of its own;
what each queue must show is the HTTP test's (:data:`test_queue_table.CASES`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from urllib.parse import parse_qsl

import pytest
from queue_world import seed
from selenium.webdriver.support.ui import Select
from test_queue_table import CASES, Case
from web_browser import Browser
from web_server import LiveServer, serve

from cellwatch.access.fixtures import build_estate
from cellwatch.settings import Settings
from cellwatch.store import open_store

pytestmark = pytest.mark.browser
SHOTS = {"alerts": 80, "candidates": 81, "orders": 82, "guard": 83, "referrals": 84,
         "quarantine": 85}


@pytest.fixture(scope="module")
def queues(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(home=tmp_path_factory.mktemp("queues-home"), environment="test")
    store = open_store(settings)
    build_estate(store)
    seed(store)
    store.dispose()
    with serve(settings) as server:
        yield server


def _rows(browser: Browser, case: Case) -> list[str]:
    return [row.text for row in
            browser.find_all(f"tbody.govuk-table__body tr[id^='{case.row}-']")]


def _sorted_first(browser: Browser, case: Case) -> None:
    """The first row is the one the heading's current direction puts first."""
    heading = browser.find(f"#sort-{case.sort}").find_element("xpath", "./ancestor::th")
    direction = heading.get_attribute("aria-sort")
    assert direction in ("ascending", "descending")
    first = case.first_asc if direction == "ascending" else case.first_desc
    assert first in _rows(browser, case)[0]


def _csv(browser: Browser, href: str) -> tuple[str, list[dict[str, str]]]:
    """The CSV link fetched with the page's own session, as its content type and rows."""
    answer = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'})"
        ".then(r => r.text().then(t => done([r.headers.get('content-type'), t])));", href)
    kind, text = answer
    return kind, list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_queue_sorts_filters_pages_and_exports_in_the_browser(
        browser: Browser, queues: LiveServer, name: str) -> None:
    case = CASES[name]
    browser.base = queues.url
    browser.sign_in(case.user)
    browser.open(f"{case.path}?per_page=25")
    assert len(_rows(browser, case)) == 25
    assert case.hidden not in browser.text()
    browser.screenshot(f"{SHOTS[name]}-queue-{name}")
    browser.assert_accessible()

    browser.click_and_wait(browser.find("#page-next"))
    assert len(_rows(browser, case)) == case.total - 25
    assert browser.find_all("#page-prev")
    assert not browser.find_all("#page-next")

    for _ in range(2):  # the heading sorts one way, then the other
        browser.click_and_wait(browser.find(f"#sort-{case.sort}"))
        _sorted_first(browser, case)

    for key, value in parse_qsl(case.filter):
        field = browser.find(f"#f-{key}")
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        else:  # a date input takes its value as the form would send it
            browser.driver.execute_script("arguments[0].value = arguments[1];", field, value)
    Select(browser.find("#f-per_page")).select_by_value("100")
    browser.submit("#apply-filters")
    assert len(_rows(browser, case)) == case.filtered
    browser.assert_accessible()

    kind, table = _csv(browser, browser.find("#export-csv").get_attribute("href") or "")
    assert kind.startswith("text/csv")
    assert len(table) == case.filtered
