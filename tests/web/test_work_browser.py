"""A day at the Parole Board, in headless Chromium: Hewell's analyst refers a prisoner for
his parole review from their page; the Board's case manager finds him on theirs, gives a
reason and reads his summary in the browser. Each page axe-checked and photographed."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.support.ui import Select
from web_browser import Browser

pytestmark = pytest.mark.browser


def test_the_parole_board_opens_a_referred_summary(browser: Browser) -> None:
    browser.sign_in("parole.manager")
    assert browser.path == "/work"  # no prison of its own: its day starts here
    assert "Nothing referred to you is waiting" in browser.text()
    browser.screenshot("30-work-parole-empty")
    browser.assert_accessible()
    browser.sign_out()

    browser.sign_in("hei.analyst")
    browser.open("/work")
    browser.screenshot("31-work-analyst")
    browser.assert_accessible()
    Select(browser.find("#to_org")).select_by_value("PAROLE")
    browser.fill("#prison_number", "A1234BC")
    browser.fill("#summary", "Parole review due: phone evidence to consider")
    browser.submit("#refer")
    assert "Referral" in browser.text(".govuk-notification-banner")
    browser.sign_out()

    browser.sign_in("parole.manager")
    assert "Prisoners referred to you for a review" in browser.text()
    browser.screenshot("32-work-parole")
    browser.assert_accessible()
    browser.click_and_wait(browser.find("#review-A1234BC"))
    # Not the Board's own prisoner: the reason asked first, then the summary itself.
    browser.fill("#reason", "parole review hearing")
    browser.submit()
    assert browser.path == "/reviews/A1234BC"
    assert "A1234BC" in browser.text("body")
    browser.screenshot("33-review-summary")


def test_the_statistics_page_reads_and_downloads(browser: Browser) -> None:
    browser.sign_in("national.analyst")
    browser.open("/statistics")
    assert "Per month" in browser.text()
    assert browser.find_all("main svg")
    browser.screenshot("34-statistics")
    browser.assert_accessible()
    browser.open("/statistics?by=region")
    assert "Per region" in browser.text()
    browser.assert_accessible()


def test_a_refused_assignment_and_a_bad_upload_keep_their_forms(
        browser: Browser, tmp_path: Path) -> None:
    browser.sign_in("hei.analyst")
    browser.open("/queues/alerts")
    browser.click_and_wait(browser.find("table tbody tr a.govuk-link"))
    browser.fill("#assignee", "lei.analyst")  # Leeds's analyst cannot see a Hewell alert
    browser.submit("button[value=assign]")
    assert "cannot see or work alert" in browser.text(".govuk-error-summary")
    assert browser.find("#assignee").get_attribute("value") == "lei.analyst"
    assert not browser.find_all(".govuk-notification-banner--success")
    browser.screenshot("35-alert-assign-refused")
    browser.assert_accessible()

    browser.open("/ingest")
    Select(browser.find("#kind")).select_by_value("seizures")
    upload = tmp_path / "export.csv"
    upload.write_bytes("seizure_ref;item_no;ts;establishment;item_type\r\n".encode("utf-16"))
    browser.find("#file").send_keys(str(upload))
    browser.submit("#upload")
    assert "saved as UTF-16" in browser.text("#file-error")
    assert str(tmp_path) not in browser.text("body")
    browser.screenshot("36-upload-explained")
    browser.assert_accessible()
