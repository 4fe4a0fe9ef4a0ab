"""A day for each agency, in headless Chromium: a force receives a referral from Hewell,
acknowledges it and records its outcome; victim liaison records a protected person and a
report of contact that resolves, through the identity graph, to the prisoner the
condition names, and sees the alert; the Parole Board opens a referred prisoner's summary
and asks for an update, which Hewell's team marks done. Each new page axe-checked and
photographed (screenshots 40-49).

A server of its own (the known estate plus a force, its users and an identity graph), so
the shared estate's pages do not change under the other browser tests.
"""

from __future__ import annotations

import re
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
from cellwatch.attribution.models import Attribution, IdentityLink
from cellwatch.settings import Settings
from cellwatch.store import open_store

pytestmark = pytest.mark.browser
HANDSET, SIM, SENDER = "352099001761481", "234150123456789", "+447700900222"


@pytest.fixture(scope="module")
def agencies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The known estate, a police force with an investigator and a victim-liaison officer,
    and the sender's number linked through a SIM to a handset attributed to A1234BC."""
    settings = Settings(home=tmp_path_factory.mktemp("agency-home"), environment="test")
    store = open_store(settings)
    web_estate.build(store)
    seen = datetime(2025, 3, 1, 22, tzinfo=UTC)
    digest = PasswordHasher().hash(PASSWORD)
    with store.session() as s:
        s.add(Organisation(code="WMP", name="West Midlands Police", kind="POLICE"))
        s.flush()
        s.add(User(username="police.investigator", org_code="WMP", roles=["investigator"],
                   password_hash=digest))
        s.add(User(username="victim.liaison", org_code="WMP", roles=["victim_liaison"],
                   password_hash=digest))
        run_id = finished_run(s, seen)
        s.add(Attribution(run_id=run_id, identifier_type="IMEI", identifier=HANDSET,
                          prison_number="A1234BC", probability=0.93, rank=1,
                          valid_from=date(2025, 2, 1), valid_to=date(2025, 3, 9)))
        s.add(IdentityLink(a_type="IMSI", a=SIM, b_type="IMEI", b=HANDSET,
                           source="DETECTION", first_seen=seen, last_seen=seen, count=5))
        s.add(IdentityLink(a_type="IMSI", a=SIM, b_type="MSISDN", b=SENDER,
                           source="CALL_RECORDS", first_seen=seen, last_seen=seen, count=9))
    store.dispose()
    with serve(settings) as server:
        yield server


def _refer(browser: Browser, to: str, summary: str) -> None:
    browser.open("/work")
    Select(browser.find("#to_org")).select_by_value(to)
    browser.fill("#prison_number", "A1234BC")
    browser.fill("#summary", summary)
    browser.submit("#refer")
    assert "Referral" in browser.text(".govuk-notification-banner")


def _page(browser: Browser, name: str) -> None:
    browser.screenshot(name)
    browser.assert_accessible()


def test_a_force_receives_a_referral_and_records_its_outcome(
        browser: Browser, agencies: LiveServer) -> None:
    browser.base = agencies.url
    browser.sign_in("hei.analyst")
    _refer(browser, "WMP", "Threats to a witness sent from a phone on A wing")
    browser.sign_out()

    browser.sign_in("police.investigator")
    assert browser.path == "/work"
    _page(browser, "40-work-police")
    link = browser.find("a[id^=open-referral-]")
    browser.click_and_wait(link)
    assert "Acknowledge the referral to record an outcome" in browser.text()
    _page(browser, "41-referral-received")
    browser.submit("#acknowledge")
    assert "acknowledged" in browser.text(".govuk-notification-banner")
    browser.submit("#record-outcome")  # nothing chosen: said, and nothing recorded
    assert "Choose the outcome" in browser.text(".govuk-error-summary")
    Select(browser.find("#outcome")).select_by_value("CHARGED")
    browser.fill("#note", "Charged with witness intimidation")
    browser.submit("#record-outcome")
    assert "Charged" in browser.text(".govuk-notification-banner")
    assert "Charged with witness intimidation" in browser.text("#outcomes")
    _page(browser, "42-referral-outcome")

    browser.open("/cases")  # and a case of the force's own, shared with Hewell's team
    browser.fill("#ref", "OP-WREN")
    browser.fill("#title", "Operation Wren")
    browser.submit("#create-case")
    Select(browser.find("#org")).select_by_value("HEI-SIT")
    Select(browser.find("#level")).select_by_value("CONTRIBUTE")
    browser.submit("#share-case")
    assert "shared with HEI-SIT" in browser.text(".govuk-notification-banner")
    _page(browser, "43-case")


def test_victim_liaison_records_a_report_that_resolves_and_sees_the_alert(
        browser: Browser, agencies: LiveServer) -> None:
    browser.base = agencies.url
    browser.sign_in("victim.liaison")
    browser.click_and_wait(browser.find("#protected-persons-link"))
    assert browser.path == "/protected-persons"
    _page(browser, "44-protected-persons")
    browser.fill("#prison_number", "A1234BC")
    Select(browser.find("#condition")).select_by_value("RESTRAINING_ORDER")
    browser.fill("#valid_from", "2025-01-01")
    browser.fill("#person_ref", "PP-WITNESS-1")
    browser.submit("#create-person")
    assert "PP-WITNESS-1 recorded" in browser.text(".govuk-notification-banner")
    browser.fill("#identifier", "07700 900111")
    browser.submit("#add-identifier")
    assert "+447700900111" in browser.text("#identifiers")
    browser.fill("#sender", "07700 900222")
    Select(browser.find("#channel")).select_by_value("SMS")
    Select(browser.find("#contacted")).select_by_value("+447700900111")
    browser.fill("#occurred_ts", "2025-03-01 21:30")
    browser.fill("#content", "You can't hide from me")
    browser.submit("#record-report")
    assert re.match(r"/contact-reports/\d+\?", browser.path)
    resolution = browser.text("#resolution")
    assert "Put down to A1234BC" in resolution
    assert HANDSET in resolution
    assert "A1234BC" in browser.text("#person-alerts")  # the alert, about their person
    _page(browser, "45-report-resolved")
    browser.open("/protected-persons/PP-WITNESS-1")
    assert "A1234BC" in browser.text("#reports")
    _page(browser, "46-protected-person")
    browser.open("/protected-persons")
    assert "PP-WITNESS-1" in browser.text("#person-alerts")


def test_the_parole_board_requests_an_update_and_hewell_answers(
        browser: Browser, agencies: LiveServer) -> None:
    browser.base = agencies.url
    browser.sign_in("hei.analyst")
    _refer(browser, "PAROLE", "Parole review due: phone evidence to consider")
    browser.sign_out()

    browser.sign_in("parole.manager")
    browser.click_and_wait(browser.find("#review-A1234BC"))
    browser.fill("#reason", "parole review hearing")
    browser.submit()
    assert browser.path == "/reviews/A1234BC"
    assert "A1234BC" in browser.text("body")
    browser.open("/work")
    browser.click_and_wait(browser.find("#update-A1234BC"))
    _page(browser, "47-update-request")
    browser.fill("#note", "Any finds or phone use since the summary's cut-off?")
    browser.submit("#request-update")
    assert "requested from HEI-SIT" in browser.text(".govuk-notification-banner")
    assert "OPEN" in browser.text("#requests")
    browser.sign_out()

    browser.sign_in("hei.analyst")
    browser.open("/work")
    assert "since the summary's cut-off" in browser.text("#update-requests")
    _page(browser, "48-work-update-requested")
    browser.fill("textarea[id^=answer-]", "One handset found 9 March, see SZ-0042")
    browser.submit("button[id^=done-]")
    assert "marked done" in browser.text(".govuk-notification-banner")
    browser.sign_out()

    browser.sign_in("parole.manager")
    browser.open("/reviews/A1234BC/update")
    assert "One handset found 9 March" in browser.text("#requests")
    _page(browser, "49-update-answered")
