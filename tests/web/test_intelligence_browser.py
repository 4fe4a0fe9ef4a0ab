"""Intelligence in headless Chromium (issue 16, police): Hewell's analyst submits a report
graded 2BC released to the force (a first try without grading is refused with the form
kept); the force's investigator finds it from /work, gives a reason and reads it; a case of
the force's, to which Hewell adds the prisoner, shows the prisoner's identifiers. Each page
axe-checked and photographed (screenshots 50-54).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import web_estate
from argon2 import PasswordHasher
from selenium.webdriver.support.ui import Select
from web_browser import Browser
from web_server import LiveServer, serve

from attribution_seed import finished_run
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.models import Organisation, User
from cellwatch.attribution.models import Attribution
from cellwatch.settings import Settings
from cellwatch.store import open_store

pytestmark = pytest.mark.browser
HANDSET = "352099001761481"


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The known estate, a police force with an investigator, and a handset attributed to
    A1234BC."""
    settings = Settings(home=tmp_path_factory.mktemp("intel-home"), environment="test")
    store = open_store(settings)
    web_estate.build(store)
    with store.session() as s:
        s.add(Organisation(code="WMP", name="West Midlands Police", kind="POLICE"))
        s.flush()
        s.add(User(username="police.investigator", org_code="WMP", roles=["investigator"],
                   password_hash=PasswordHasher().hash(PASSWORD)))
        run_id = finished_run(s, datetime(2025, 3, 1, 22, tzinfo=UTC))
        s.add(Attribution(run_id=run_id, identifier_type="IMEI", identifier=HANDSET,
                          prison_number="A1234BC", probability=0.93, rank=1,
                          valid_from=date(2025, 2, 1), valid_to=date(2025, 3, 9)))
    store.dispose()
    with serve(settings) as server:
        yield server


def _page(browser: Browser, name: str) -> None:
    browser.screenshot(name)
    browser.assert_accessible()


def test_a_report_released_to_the_force_is_read_there(browser: Browser,
                                                      force: LiveServer) -> None:
    browser.base = force.url
    browser.sign_in("hei.analyst")
    browser.click_and_wait(browser.find('#navigation a[href="/intelligence"]'))
    browser.click_and_wait(browser.find("#submit-intelligence"))
    browser.fill("#text", "Handset passed through the A wing servery at tea time")
    browser.fill("#subjects", "A1234BC")
    browser.submit("#submit-report")  # no grading: said, and the text kept
    summary = browser.text(".govuk-error-summary")
    assert "Source evaluation" in summary
    assert "Handling code" in summary
    assert "servery" in browser.find("#text").get_attribute("value")
    _page(browser, "50-intelligence-form-error")
    for radio in ("#source_evaluation-2", "#intelligence_assessment-B", "#handling_code-C"):
        browser.find(radio).click()
    browser.fill("#handling_conditions", "Disseminate to WMP only")
    browser.fill("#identifiers", HANDSET)
    browser.submit("#submit-report")
    assert "(2BC)" in browser.text(".govuk-notification-banner")
    assert HANDSET in browser.text("#report-identifiers")
    _page(browser, "51-intelligence-report")
    ref = browser.text("h1").strip()
    browser.sign_out()

    browser.sign_in("police.investigator")
    browser.click_and_wait(browser.find("#work-intelligence"))
    assert ref in browser.text("#reports")
    _page(browser, "52-intelligence-police")
    browser.click_row_link("#reports", ref)
    browser.fill("#reason", "Operation Kite: phones on A wing")
    browser.submit()
    assert "servery" in browser.text("#report-text")
    _page(browser, "53-intelligence-read-by-force")

    browser.open("/cases")
    browser.fill("#ref", "OP-KITE")
    browser.fill("#title", "Operation Kite")
    browser.submit("#create-case")
    Select(browser.find("#org")).select_by_value("HEI-SIT")
    Select(browser.find("#level")).select_by_value("CONTRIBUTE")
    browser.submit("#share-case")
    browser.sign_out()
    browser.sign_in("hei.analyst")
    browser.open("/cases/OP-KITE")
    browser.fill("#subjects", "A1234BC")
    browser.submit("#add-subjects")
    browser.sign_out()
    browser.sign_in("police.investigator")
    browser.open("/cases/OP-KITE")
    assert HANDSET in browser.text("#case-identifiers")
    _page(browser, "54-case-identifiers")
