"""The operator liaison's day, in headless Chromium: EE's liaison signs in and lands on the
lines served on its network (never Vodafone's, nor a line of an order not yet served, nor
the prisoner the order is about); a line of Vodafone's answers as an unknown page; pressing
"Record" with nothing chosen says so; the answer is recorded and shown answered. Vodafone's
liaison then refuses its own line with a reason. Each page axe-checked and photographed
(screenshots 60-65).

A server of its own (the access fixture estate with orders served on EE and Vodafone), so
the shared estate's pages do not change under the other browser tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web_browser import Browser
from web_server import LiveServer, serve

from cellwatch.access.fixtures import build_estate
from cellwatch.settings import Settings
from cellwatch.store import open_store
from operator_support import (
    EE_IMSI,
    EE_UNSERVED,
    PRISONER,
    SERVED_REF,
    SURNAME,
    VODA_IMSI,
    Served,
    serve_orders,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def operators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Served]]:
    """The access fixture estate, an order served on EE and Vodafone, one granted on EE."""
    settings = Settings(home=tmp_path_factory.mktemp("operator-home"), environment="test")
    store = open_store(settings)
    build_estate(store)
    served = serve_orders(store)
    store.dispose()
    with serve(settings) as server:
        yield server, served


def _page(browser: Browser, name: str) -> None:
    browser.screenshot(name)
    browser.assert_accessible()


def test_an_operator_answers_the_lines_of_its_network(
        browser: Browser, operators: tuple[LiveServer, Served]) -> None:
    server, served = operators
    browser.base = server.url
    browser.sign_in("ee_liaison")
    assert browser.path == "/operator"  # an operator's home is its lines
    assert [a.text for a in browser.find_all("a[href='/operator']")] == ["Orders served"]
    page = browser.text()
    assert "To action (1)" in page
    assert EE_IMSI in page
    for unseen in (VODA_IMSI, EE_UNSERVED, PRISONER, SURNAME, "Worcester"):
        assert unseen not in page
    _page(browser, "60-operator-lines")

    # Vodafone's line, posted from EE's own form: unknown, as a line nobody holds.
    browser.driver.execute_script(
        "document.querySelector(arguments[0]).action = arguments[1];",
        f"#line-{served.ee} form", f"/operator/lines/{served.voda}")
    browser.find(f"#outcome-{served.ee}-DONE").click()
    browser.submit(f"#line-{served.ee} button[type=submit]")
    assert "Page not found" in browser.text()
    assert VODA_IMSI not in browser.text("body")
    _page(browser, "61-operator-other-network")

    browser.open("/operator")  # nothing chosen: said, the form kept, nothing recorded
    browser.fill(f"#operator-ref-{served.ee}", "EE-5")
    browser.fill(f"#note-{served.ee}", "disconnected")
    browser.submit(f"#line-{served.ee} button[type=submit]")
    assert "Choose what was done" in browser.text(".govuk-error-summary")
    assert "Choose what was done" in browser.text(f"#line-{served.ee} .govuk-error-message")
    assert browser.find(f"#operator-ref-{served.ee}").get_attribute("value") == "EE-5"
    assert browser.find(f"#note-{served.ee}").get_attribute("value") == "disconnected"
    assert "To action (1)" in browser.text()
    _page(browser, "62-operator-nothing-chosen")

    browser.find(f"#outcome-{served.ee}-DONE").click()
    browser.submit(f"#line-{served.ee} button[type=submit]")
    assert browser.path.startswith("/operator")
    assert f"{SERVED_REF} line 1: DONE" in browser.text(".govuk-notification-banner")
    assert "Nothing to action." in browser.text()
    answered = browser.text(f"#line-{served.ee}")
    assert "EE-5" in answered
    assert "DONE" in answered.upper()
    _page(browser, "63-operator-answered")
    browser.sign_out()


def test_an_operator_refuses_a_line_with_a_reason(
        browser: Browser, operators: tuple[LiveServer, Served]) -> None:
    server, served = operators
    browser.base = server.url
    browser.sign_in("voda_liaison")
    assert browser.path == "/operator"
    page = browser.text()
    assert VODA_IMSI in page
    assert EE_IMSI not in page
    browser.find(f"#outcome-{served.voda}-DISPUTED").click()
    browser.fill(f"#note-{served.voda}", "Account holder is not a prisoner: contract in a"
                 " visitor's name")
    browser.submit(f"#line-{served.voda} button[type=submit]")
    assert f"{SERVED_REF} line 2: DISPUTED" in browser.text(".govuk-notification-banner")
    assert "DISPUTED" in browser.text(f"#line-{served.voda}").upper()
    _page(browser, "64-operator-refused")
    browser.open("/work")  # the role's landing page, if opened by hand
    _page(browser, "65-operator-work")
    browser.sign_out()
