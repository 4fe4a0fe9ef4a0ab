"""The alerts queue: acknowledging one alert, bulk actions, closing with an outcome, scope."""

from __future__ import annotations

import httpx
import pytest
from web_browser import Browser
from web_estate import ALERTS
from web_server import LiveServer

from cellwatch.access.directory import list_audit
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.store import open_store

pytestmark = pytest.mark.browser


def _row(browser: Browser, summary: str) -> str:
    for row in browser.find_all("table tbody tr"):
        if summary in row.text:
            return str(row.get_attribute("id"))
    raise AssertionError(f"no alert row for {summary!r}")


def _audited(server: LiveServer, action: str, alert_id: str) -> list[tuple[str, str]]:
    """(principal, outcome) of the audit entries for ``action`` on alert ``alert_id``,
    read from the live server's store as a national user (who sees every organisation's)."""
    store = open_store(server.settings)
    try:
        with store.session() as db:
            national = principal_for(db, "national.analyst")
        entries = list_audit(Access(store, national), Paging(limit=500), action=action)
        return [(e.principal, e.outcome) for e in entries
                if e.resource_type == "alert" and e.resource_id == alert_id]
    finally:
        store.dispose()


def test_acknowledge_one_alert_from_the_queue(browser: Browser,
                                              live_server: LiveServer) -> None:
    browser.sign_in("hei.analyst")
    browser.open("/queues/alerts")
    summary = ALERTS[0][1]
    row_id = _row(browser, summary)
    assert "OPEN" in browser.text(f"#{row_id}")
    assert "Flagged handset detected at Leeds" not in browser.text()  # another prison's
    browser.screenshot("07-alerts")
    browser.assert_accessible()
    browser.click_and_wait(browser.find(f"#{row_id} button[id^=ack-]"))
    assert "Acknowledged 1 alert" in browser.text(".govuk-notification-banner")
    assert "ACKNOWLEDGED" in browser.text(f"#{row_id}")
    assert "hei.analyst" in browser.text(f"#{row_id}")  # acknowledging takes it on
    # The web goes through the alerts service, so the acknowledgement is in the audit log.
    alert_id = row_id.removeprefix("alert-")
    assert ("hei.analyst", "allowed") in _audited(live_server, "acknowledge", alert_id)


def test_bulk_assign_then_close_with_an_outcome(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    browser.open("/queues/alerts")
    rows = [_row(browser, ALERTS[1][1]), _row(browser, ALERTS[2][1])]
    for row in rows:
        browser.find(f"#{row} input[type=checkbox]").click()
    browser.fill("#bulk-assignee", "duty.officer")
    browser.click_and_wait(browser.find("#bulk-assign"))
    # A confirmation page lists what will change; nothing is assigned until confirmed.
    assert "Assign: check the 2 alerts" in browser.text("h1")
    assert "duty.officer" in browser.text()
    browser.click_and_wait(browser.find("#confirm"))
    assert "Assign: 2 of 2 done" in browser.text("h1")
    browser.click_and_wait(browser.find("#back-to-queue"))
    for row in rows:
        assert "ASSIGNED" in browser.text(f"#{row}")
    browser.click_and_wait(browser.find(f"#{rows[0]} a"))
    browser.screenshot("07-alert")
    browser.assert_accessible()
    browser.find("#outcome-REFERRED_TO_POLICE").click()
    browser.fill("#note", "Passed to West Mercia Police")
    browser.click_and_wait(browser.find("#close"))
    text = browser.text()
    assert "CLOSED" in text
    assert "Passed to West Mercia Police" in text
    assert not browser.find_all("#close")  # nothing leaves CLOSED


def test_another_establishment_cannot_act_on_the_alert(browser: Browser,
                                                       live_server: LiveServer) -> None:
    browser.sign_in("lei.analyst")
    browser.open("/queues/alerts")
    assert "Flagged handset detected at Leeds" in browser.text()
    assert ALERTS[0][1] not in browser.text()
    cookie = browser.driver.get_cookie("cellwatch_session")
    assert cookie is not None
    page = httpx.get(f"{browser.base}/queues/alerts",
                     cookies={"cellwatch_session": cookie["value"]}).text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    # A hand-made post naming a Hewell alert (id 1) is refused like a missing alert.
    answer = httpx.post(f"{browser.base}/queues/alerts/action",
                        cookies={"cellwatch_session": cookie["value"]},
                        data={"csrf_token": csrf, "action": "acknowledge", "alert_id": "1"})
    # Not a "Success": the queue again, saying why, answered as the API answers (404).
    assert answer.status_code == 404
    assert "Not done: alert 1 not found" in answer.text
    assert "govuk-notification-banner--success" not in answer.text
    # The refusal is audited too, as it would be from the API.
    assert ("lei.analyst", "denied") in _audited(live_server, "acknowledge", "1")


def test_a_post_without_the_csrf_token_is_refused(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    cookie = browser.driver.get_cookie("cellwatch_session")
    assert cookie is not None
    answer = httpx.post(f"{browser.base}/queues/alerts/action",
                        cookies={"cellwatch_session": cookie["value"]},
                        data={"action": "acknowledge", "alert_id": "2"})
    assert answer.status_code == 422
    assert "form has expired" in answer.text
