"""The ingest page: upload a file with bad rows, read the report, fix a row and retry."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from web_browser import Browser
from web_server import UPLOAD_LIMIT

pytestmark = pytest.mark.browser

HEADER = "prison_number,surname,forenames,date_of_birth,establishment,reception_date\n"
GOOD = ["D4567EF,BROWN,Alan,1985-02-03,HEI,2024-05-06",
        "E5678FG,GREEN,Brian,1979-11-12,HEI,2023-01-02"]
BAD = ["F67,WHITE,Colin,1990-01-01,HEI,2024-02-02",          # not a prison number
       "G7890HI,BLACK,David,1988-13-45,HEI,2024-03-03"]       # no such date


def test_upload_shows_the_report_and_the_quarantine(browser: Browser, tmp_path: Path) -> None:
    upload = tmp_path / "new-receptions.csv"
    upload.write_text(HEADER + "\n".join(GOOD + BAD) + "\n")
    browser.sign_in("hei.analyst")
    browser.click_and_wait(browser.find("a[href='/ingest']"))
    browser.screenshot("10-ingest")
    browser.assert_accessible()
    browser.find("#kind option[value=prisoners]").click()
    browser.find("#file").send_keys(str(upload))
    browser.click_and_wait(browser.find("#upload"))
    counts = browser.text("#counts")
    assert "Rows read 4" in counts
    assert "Accepted 2" in counts
    assert "Quarantined 2" in counts
    reasons = browser.text("#reasons")
    assert "prison_number" in reasons
    assert "date_of_birth" in reasons
    quarantine = browser.text("#quarantine")
    assert "new-receptions.csv" in quarantine
    browser.screenshot("10-ingest-report")
    browser.assert_accessible()
    # Fix the bad date and retry: the row goes in and leaves the quarantine.
    for link in browser.find_all("#quarantine a"):
        row = link.find_element("xpath", "./ancestor::tr")
        if "date_of_birth" in row.text:
            browser.click_and_wait(link)
            break
    assert "date_of_birth" in browser.text("#problems")
    browser.screenshot("11-quarantine-row")
    browser.assert_accessible()
    browser.fill("#v-date_of_birth", "1988-12-15")
    browser.click_and_wait(browser.find("#fix"))
    assert "went in" in browser.text(".govuk-notification-banner")
    assert "date_of_birth" not in browser.text("#quarantine")
    browser.open("/prisoners/G7890HI")
    assert browser.find("h1").text == "BLACK, David"
    # The bad prison number cannot be fixed from here: discard it, saying why.
    browser.open("/ingest")
    for link in browser.find_all("#quarantine a"):
        if "prison_number" in link.find_element("xpath", "./ancestor::tr").text:
            browser.click_and_wait(link)
            break
    else:
        raise AssertionError("the bad prison number is not in the quarantine")
    browser.click_and_wait(browser.find("#discard"))
    assert "Enter why the row is being discarded" in browser.text(".govuk-error-summary")
    browser.assert_accessible()
    browser.fill("#reason", "Not one of ours: the sender is checking the number")
    browser.click_and_wait(browser.find("#discard"))
    assert "was discarded" in browser.text(".govuk-notification-banner")
    # The row has left the open quarantine (the table goes when nothing is left in it).
    left = browser.find_all("#quarantine")
    assert not left or "prison_number" not in left[0].text


def test_upload_needs_a_kind_and_a_file(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    browser.open("/ingest")
    browser.click_and_wait(browser.find("#upload"))
    summary = browser.text(".govuk-error-summary")
    assert "Choose the kind of file" in summary
    assert "Choose a file to upload" in summary
    browser.assert_accessible()


def test_an_analyst_without_the_supervisor_role_cannot_upload(browser: Browser) -> None:
    browser.sign_in("lei.analyst")
    cookie = browser.driver.get_cookie("cellwatch_session")
    assert cookie is not None
    answer = httpx.post(f"{browser.base}/ingest",
                        cookies={"cellwatch_session": cookie["value"]},
                        files={"file": ("x.csv", HEADER.encode())}, data={"kind": "prisoners"})
    assert answer.status_code == 403


def test_an_upload_over_the_limit_is_refused(browser: Browser) -> None:
    browser.sign_in("hei.analyst")
    cookie = browser.driver.get_cookie("cellwatch_session")
    assert cookie is not None
    big = b"x" * (2 * UPLOAD_LIMIT)
    answer = httpx.post(f"{browser.base}/ingest",
                        cookies={"cellwatch_session": cookie["value"]},
                        files={"file": ("big.csv", big)}, data={"kind": "prisoners"},
                        timeout=60)
    assert answer.status_code == 413
