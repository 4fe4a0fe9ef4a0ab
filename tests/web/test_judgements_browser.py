"""Judging in the browser, by keyboard: a reason is asked for by the box, a rejection is
recorded and listed with who and when, a link is judged from its row, and undone; and from
the prisoner page, an attribution card's folded form.

A server of its own (the known estate plus one attribution run), so the shared estate's
pages do not change under the other browser tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import web_estate
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from web_browser import Browser
from web_server import LiveServer, serve

from attribution_seed import finished_run
from cellwatch.attribution.models import Attribution, IdentityLink
from cellwatch.settings import Settings
from cellwatch.store import open_store

pytestmark = pytest.mark.browser
PAGE = f"/identifiers/IMEI/{web_estate.SEIZED_IMEI}"
SIM = "234101234567890"


@pytest.fixture(scope="module")
def attributed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The known estate with the seized handset attributed to two Hewell prisoners."""
    settings = Settings(home=tmp_path_factory.mktemp("judging-home"), environment="test")
    store = open_store(settings)
    web_estate.build(store)
    day, seen = date(2025, 3, 1), datetime(2025, 3, 1, 22, tzinfo=UTC)
    with store.session() as s:
        run_id = finished_run(s, seen)
        s.add_all(Attribution(run_id=run_id, identifier_type="IMEI",
                              identifier=web_estate.SEIZED_IMEI, prison_number=prisoner,
                              probability=p, rank=rank, valid_from=day, valid_to=day)
                  for rank, (prisoner, p) in enumerate((("A1234BC", 0.7), ("B2345CD", 0.3)), 1))
        s.add(IdentityLink(a_type="IMEI", a=web_estate.SEIZED_IMEI, b_type="IMSI", b=SIM,
                           source="DETECTION", first_seen=seen, last_seen=seen, count=5))
    store.dispose()
    with serve(settings) as server:
        yield server


def test_an_analyst_judges_and_undoes_by_keyboard(browser: Browser,
                                                  attributed: LiveServer) -> None:
    browser.base = attributed.url
    browser.sign_in("hei.analyst")
    browser.open(PAGE)
    # No reason: the page comes back with the error summary linking to the box.
    browser.click_and_wait(browser.find("#judge-attr-B2345CD button[value=REJECTED]"))
    assert "There is a problem" in browser.text(".govuk-error-summary")
    assert browser.find("#reason-attr-B2345CD-error").text.endswith(
        "Enter the reason for your judgement")
    browser.screenshot("16-judge-error")
    browser.assert_accessible()

    # Type the reason, then Tab past Confirm to Reject and press Enter.
    box = browser.find("#reason-attr-B2345CD")
    box.send_keys("cellmate's phone, per search record SR-118")
    box.send_keys(Keys.TAB)
    browser.driver.switch_to.active_element.send_keys(Keys.TAB)
    focused = browser.driver.switch_to.active_element
    assert focused.get_attribute("value") == "REJECTED"
    html = browser.find("html")
    focused.send_keys(Keys.ENTER)
    browser.wait_gone(html)
    # The old page is gone; wait until the new one has its banner (under load the new
    # document can still be loading when it is first read).
    WebDriverWait(browser.driver, 15).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, ".govuk-notification-banner")))
    assert "Rejected the attribution to B2345CD" in browser.text(".govuk-notification-banner")
    row = browser.text("#judging-B2345CD table")
    assert "REJECTED" in row
    assert "SR-118" in row
    assert "hei.analyst" in row

    # The link, from its row's "Judge" details.
    browser.find("#linked-identifiers summary").click()
    browser.fill("#linked-identifiers textarea", "SIM found in the handset")
    browser.click_and_wait(browser.find("#linked-identifiers button[value=CONFIRMED]"))
    assert f"Confirmed the link to IMSI {SIM}" in browser.text(".govuk-notification-banner")
    assert "CONFIRMED" in browser.text("#linked-identifiers")
    browser.screenshot("16-judged")
    browser.assert_accessible()

    browser.click_and_wait(browser.find("#judging-B2345CD button[id^=undo-]"))
    assert "Undid judgement" in browser.text(".govuk-notification-banner")
    assert "undone by hei.analyst" in browser.text("#judging-B2345CD")


def test_an_analyst_judges_from_the_prisoner_page(browser: Browser,
                                                  attributed: LiveServer) -> None:
    browser.base = attributed.url
    browser.sign_in("hei.analyst")
    browser.open("/prisoners/A1234BC")
    # The prisoner's one attribution card: its judgements, and the form folded away.
    card = browser.find(".cw-judging")
    key = (card.get_attribute("id") or "").removeprefix("judging-")
    assert "Not judged yet." in card.text
    assert not browser.find(f"#reason-{key}").is_displayed()
    card.find_element(By.CSS_SELECTOR, "summary").click()

    # Confirm without a reason: the same page, the form open and the error by its box.
    browser.click_and_wait(browser.find(f"#judge-{key} button[value=CONFIRMED]"))
    assert browser.find("h1").text == "SMITH, John"
    assert "Enter the reason for your judgement" in browser.text(".govuk-error-summary")
    assert browser.find(f"#reason-{key}").is_displayed()
    browser.assert_accessible()

    browser.fill(f"#reason-{key}", "found under his mattress, search record SR-204")
    browser.click_and_wait(browser.find(f"#judge-{key} button[value=CONFIRMED]"))
    assert browser.path.startswith("/prisoners/A1234BC?done=")
    assert (f"Confirmed the attribution of IMEI {web_estate.SEIZED_IMEI} to A1234BC"
            in browser.text(".govuk-notification-banner"))
    listed = browser.text(f"#judging-{key} table")
    assert "CONFIRMED" in listed
    assert "SR-204" in listed
    assert "hei.analyst" in listed
    # The verdict shows at once in his identifiers' table (no attribution run needed), and
    # the timeline draws the attribution's period.
    assert "CONFIRMED" in browser.text("#identifiers")
    assert browser.find("#timeline svg").get_attribute("role") == "img"
    browser.screenshot("17-judged-from-prisoner")
    browser.assert_accessible()
