"""Work queues: alerts and walking a disconnection order through its lifecycle."""

from __future__ import annotations

import pytest
from web_browser import Browser
from web_estate import ORDER_REF

pytestmark = pytest.mark.browser


def test_alert_queue_lists_the_establishments_alerts(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    browser.click_and_wait(browser.find("a[href='/queues/alerts']"))
    assert "Seized handset seen again on A wing" in browser.text()
    browser.screenshot("07-alerts")
    browser.assert_accessible()
    browser.sign_out()
    browser.sign_in("lei.analyst")
    browser.open("/queues/alerts")
    assert "Seized handset" not in browser.text()


def _step(browser: Browser, to: str, reason: str, **fields: str) -> None:
    browser.find(f"#to-{to}").click()
    for name, value in fields.items():
        browser.fill(f"#{name}", value)
    browser.fill("#reason", reason)
    browser.submit()
    assert f"Order {ORDER_REF} is now {to}" in browser.text(".govuk-notification-banner")


def test_walk_a_disconnection_order(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    browser.open("/queues/orders")
    browser.click_and_wait(browser.find(f"a[href='/orders/{ORDER_REF}']"))
    browser.screenshot("08-order-draft")
    browser.assert_accessible()
    _step(browser, "APPROVED", "Evidence checked by the duty governor")
    _step(browser, "FILED", "Filed at the county court")
    _step(browser, "GRANTED", "Order made", court="Worcester County Court",
          order_date="2025-03-12")
    _step(browser, "SERVED", "Served on Vodafone UK by secure email")
    assert "Worcester County Court" in browser.text()
    history = browser.text("ol")
    assert "FILED → GRANTED by hei.analyst: Order made" in history
    browser.screenshot("08-order-served")


def test_another_establishment_cannot_open_the_order(browser: Browser) -> None:
    browser.sign_in("lei.analyst")
    browser.open(f"/orders/{ORDER_REF}")
    assert "Page not found" in browser.find("h1").text
