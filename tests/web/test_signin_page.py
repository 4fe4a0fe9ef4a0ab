"""Sign-in and sign-out in a real browser, and the pages' access on the way in."""

from __future__ import annotations

import pytest
from web_browser import Browser

pytestmark = pytest.mark.browser


def test_signin_page_is_accessible(browser: Browser) -> None:
    browser.open("/signin")
    assert browser.find("h1").text == "Sign in to cellwatch"
    browser.screenshot("01-sign-in")
    browser.assert_accessible()


def test_a_page_asks_for_sign_in_then_returns_to_it(browser: Browser) -> None:
    browser.open("/")
    assert browser.path.startswith("/signin")
    browser.fill("#username", "hei.analyst")
    browser.fill("#password", "correct horse battery staple")
    browser.submit()
    assert browser.path == "/"
    assert "hei.analyst" in browser.text("header")


def test_wrong_password_shows_an_error_summary(browser: Browser) -> None:
    browser.sign_in("hei.analyst", "wrong password")
    assert browser.path == "/signin"
    assert "Enter a correct user name and password" in browser.text(".govuk-error-summary")
    browser.screenshot("01-sign-in-error")
    browser.assert_accessible()


def test_sign_out_ends_the_session(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    browser.sign_out()
    assert browser.path.startswith("/signin")
    assert "You have signed out" in browser.text()
    browser.open("/")
    assert browser.path.startswith("/signin")


def test_session_cookie_is_httponly_and_strict(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    cookie = browser.driver.get_cookie("cellwatch_session")
    assert cookie is not None
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    # Served on loopback over HTTP, so not Secure here; off loopback it is (test_session.py).
    assert cookie["secure"] is False


def test_overview_shows_each_establishment_in_scope(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    text = browser.text()
    assert "Hewell (HMP)" in text
    assert "Leeds (HMP)" not in text  # another establishment's team's prison
    # This estate has no detections; the simulated estate's heat map: test_simulated.py.
    assert "No detections to map yet." in browser.text("table.cw-heat")
    browser.screenshot("02-overview")
    browser.assert_accessible()
    browser.sign_out()
    browser.sign_in("national.analyst")
    assert "Leeds (HMP)" in browser.text()
    browser.screenshot("02-overview-national")
