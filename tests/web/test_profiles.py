"""Search, the prisoner and device pages, the reason prompt and establishment boundaries."""

from __future__ import annotations

import pytest
from web_browser import Browser
from web_estate import SEIZED_IMEI

pytestmark = pytest.mark.browser


def _search(browser: Browser, text: str) -> None:
    browser.fill("#header-search", text)
    browser.click_and_wait(browser.find(".cw-header__search-button"))


def test_search_by_prison_number_opens_the_prisoner(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    _search(browser, "a1234bc")
    assert browser.path == "/prisoners/A1234BC"
    assert browser.find("h1").text == "SMITH, John"
    text = browser.text()
    assert "HEI-A-2-014" in text  # cell history
    assert "HEI-2025-0042/1" in text  # the seizure
    browser.screenshot("03-prisoner")
    browser.assert_accessible()


def test_search_by_imei_with_spaces_opens_the_device(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    _search(browser, "35-345678-901234-8")
    assert browser.path == f"/identifiers/IMEI/{SEIZED_IMEI}"
    text = browser.text()
    assert "Device (IMEI)" in text
    assert "HEI-2025-0042/1" in text
    # What `cellwatch identify` would say of it, as its own section.
    assert "What is known of it" in text
    assert "Not on the allow-list" in browser.text("#allow-list")
    browser.screenshot("04-device")
    browser.assert_accessible()


def test_search_by_name(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    _search(browser, "John Smith")
    assert browser.path == "/prisoners/A1234BC"


def test_another_establishments_prisoner_cannot_be_reached_by_url(browser: Browser) -> None:
    browser.sign_in("lei.analyst")
    browser.open("/prisoners/A1234BC")
    # Out of scope answers exactly as unknown (issue 17): nothing is learnt of him.
    assert "Page not found" in browser.find("h1").text
    assert "SMITH" not in browser.text()
    browser.open(f"/identifiers/IMEI/{SEIZED_IMEI}")
    assert "Page not found" in browser.find("h1").text
    assert "HEI-2025-0042" not in browser.text()
    browser.screenshot("09-denied")
    browser.assert_accessible()


def test_national_analyst_is_asked_for_a_reason(browser: Browser) -> None:
    browser.sign_in("national.analyst")
    browser.open("/prisoners/C3456DE")
    assert "Why are you opening prisoner C3456DE?" in browser.find("h1").text
    browser.screenshot("05-reason-prompt")
    browser.assert_accessible()
    browser.fill("#reason", "short")
    browser.submit()
    assert "at least 10 characters" in browser.text(".govuk-error-summary")
    browser.fill("#reason", "Operation Kestrel, intelligence report IR-2025-118")
    browser.submit()
    assert browser.path == "/prisoners/C3456DE"
    assert browser.find("h1").text == "TAYLOR, Mark"
