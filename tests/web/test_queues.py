"""Work queues: alerts, driving a queue (filter, sort, bulk action with confirmation) and
walking a disconnection order through its lifecycle."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from web_browser import Browser
from web_estate import ORDER_REF
from web_server import LiveServer

from cellwatch.alerts.models import Alert
from cellwatch.store import open_store

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


def _add_alert(server: LiveServer, rule: str, summary: str) -> None:
    """An open alert at Hewell of a rule no other test uses (this test changes only it)."""
    store = open_store(server.settings)
    try:
        with store.session() as db:
            db.add(Alert(rule=rule, dedupe_key=summary, status="OPEN", establishment="HEI",
                         prison_number="A1234BC", summary=summary, priority=2, details={}))
    finally:
        store.dispose()


def test_drive_the_alerts_queue(browser: Browser, live_server: LiveServer) -> None:
    """Filter, sort, select nothing, then tick one, confirm and see what was done."""
    _add_alert(live_server, "QUEUE_DRIVE", "Queue drive: handset on C wing")
    browser.sign_in("hei.analyst")
    browser.open("/queues/alerts")
    # Nothing ticked: said on the queue, with the form.
    browser.click_and_wait(browser.find("#bulk-acknowledge"))
    assert "Select at least one alert" in browser.text(".govuk-error-summary")
    # Filter by rule through the form; sort by priority from its header, either way.
    browser.fill("#f-rule", "QUEUE_DRIVE")
    browser.click_and_wait(browser.find("#apply-filters"))
    rows = browser.find_all("#queue-alerts tbody tr")
    assert len(rows) == 1
    assert "Queue drive: handset on C wing" in rows[0].text
    browser.click_and_wait(browser.find("#sort-priority"))
    header = browser.find("#sort-priority").find_element(By.XPATH, "..")
    assert header.get_attribute("aria-sort") == "descending"
    assert "rule=QUEUE_DRIVE" in browser.path
    export = browser.find("#export-csv").get_attribute("href") or ""
    assert "format=csv" in export
    assert "rule=QUEUE_DRIVE" in export
    browser.screenshot("18-queue-filtered")
    browser.assert_accessible()
    # Tick it, acknowledge: a confirmation first, then each row's result.
    browser.find("#queue-alerts tbody input[type=checkbox]").click()
    browser.click_and_wait(browser.find("#bulk-acknowledge"))
    assert "Acknowledge: check the 1 alert" in browser.text("h1")
    assert "Queue drive: handset on C wing" in browser.text("#confirm-rows")
    browser.screenshot("18-queue-confirm")
    browser.assert_accessible()
    browser.click_and_wait(browser.find("#confirm"))
    assert "Acknowledge: 1 of 1 done" in browser.text("h1")
    browser.screenshot("18-queue-done")
    browser.assert_accessible()
    browser.click_and_wait(browser.find("#back-to-queue"))
    assert "rule=QUEUE_DRIVE" in browser.path  # back to the same view
    assert "ACKNOWLEDGED" in browser.text("#queue-alerts")
