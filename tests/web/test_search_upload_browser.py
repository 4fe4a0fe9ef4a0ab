"""The search page and the web upload of several files, in headless Chromium, each page
axe-checked and photographed (screenshots 70-74): a name found, an IMEI with a wrong check
digit answered 422 with the form again and the nearest valid reading, several files and a
zip uploaded with a report per file and the refused files said.

A server of its own (the known estate), since an upload changes the estate the other
browser tests read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import web_estate
from selenium.webdriver.support.ui import Select
from web_browser import Browser
from web_server import LiveServer, serve

from cellwatch.settings import Settings
from cellwatch.store import open_store

pytestmark = pytest.mark.browser
WRONG_CHECK_DIGIT = web_estate.SEIZED_IMEI[:-1] + "9"
SEIZURES = ("seizure_ref,item_no,ts,establishment,item_type\r\n"
            "SZ-WEB,1,2025-03-01T10:00:00Z,HEI,HANDSET\r\n")
PRISONERS = "prison_number,surname,forenames,establishment\r\nB7777CD,NEW,ONE,HEI\r\n"


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(home=tmp_path_factory.mktemp("search-upload-home"),
                        environment="test")
    store = open_store(settings)
    web_estate.build(store)
    store.dispose()
    with serve(settings) as server:
        yield server


def _page(browser: Browser, name: str) -> None:
    browser.screenshot(name)
    browser.assert_accessible()


def test_search_finds_and_a_wrong_check_digit_is_told(
        browser: Browser, estate: LiveServer) -> None:
    browser.base = estate.url
    browser.sign_in("hei.analyst")
    browser.fill(".cw-header__search input", "jo")  # John Smith, Peter Jones
    browser.submit(".cw-header__search button")
    assert browser.path.startswith("/search")
    found = browser.text()
    assert "A1234BC" in found
    assert "B2345CD" in found
    assert "C3456DE" not in found  # Leeds's, out of sight
    _page(browser, "70-search-results")

    browser.fill("#search-q", WRONG_CHECK_DIGIT)
    browser.submit("main form button")
    assert "check digit" in browser.text("#search-error")
    assert browser.find("#search-q").get_attribute("value") == WRONG_CHECK_DIGIT
    nearest = browser.find("#nearest a")
    assert nearest.text == web_estate.SEIZED_IMEI
    _page(browser, "71-search-check-digit")
    browser.click_and_wait(nearest)
    assert browser.path == f"/identifiers/IMEI/{web_estate.SEIZED_IMEI}"


def _zip(path: Path, members: dict[str, str]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def test_several_files_and_a_zip_are_reported_file_by_file(
        browser: Browser, estate: LiveServer, tmp_path: Path) -> None:
    browser.base = estate.url
    browser.sign_in("hei.analyst")  # a supervisor: seizures yes, prisoners no
    browser.open("/ingest")
    _page(browser, "72-ingest-form")
    files = [tmp_path / "seizures.csv", tmp_path / "prisoners.csv", tmp_path / "notes.pdf"]
    for path, body in zip(files, (SEIZURES, PRISONERS, "%PDF-1.4"), strict=True):
        path.write_text(body)
    Select(browser.find("#kind")).select_by_value("auto")
    browser.find("#file").send_keys("\n".join(str(p) for p in files))
    browser.submit("#upload")
    page = browser.text()
    assert "1 file ingested, 2 refused" in page
    assert "you may not load prisoners files" in page
    assert "notes.pdf" in browser.text("#refused-files")
    assert str(tmp_path) not in browser.text("body")
    _page(browser, "73-ingest-several")

    delivery = _zip(tmp_path / "delivery.zip", {
        "seizures.csv": SEIZURES.replace("SZ-WEB", "SZ-ZIP"), "prisoners.csv": PRISONERS})
    browser.open("/ingest")
    Select(browser.find("#kind")).select_by_value("auto")
    browser.find("#file").send_keys(str(delivery))
    browser.submit("#upload")
    assert "delivery.zip/seizures.csv as " in browser.text()
    assert "delivery.zip/prisoners.csv" in browser.text("#refused-files")
    _page(browser, "74-ingest-zip")
