"""The ingest page: upload a file with bad rows, read the report, fix a row and retry;
only the kinds the user may load, decided and audited as the API's upload is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web_browser import PASSWORD, Browser
from web_server import UPLOAD_LIMIT, LiveServer

from cellwatch.access.models import AuditEntry
from cellwatch.access.roles import REFERENCE_KINDS
from cellwatch.store import IngestBatch, Prisoner, open_store

pytestmark = pytest.mark.browser

HEADER = "prison_number,surname,forenames,date_of_birth,establishment,reception_date\n"
GOOD = ["D4567EF,BROWN,Alan,1985-02-03,HEI,2024-05-06",
        "E5678FG,GREEN,Brian,1979-11-12,HEI,2023-01-02"]
BAD = ["F67,WHITE,Colin,1990-01-01,HEI,2024-02-02",          # not a prison number
       "G7890HI,BLACK,David,1988-13-45,HEI,2024-03-03"]       # no such date


def test_upload_shows_the_report_and_the_quarantine(browser: Browser, tmp_path: Path) -> None:
    upload = tmp_path / "new-receptions.csv"
    upload.write_text(HEADER + "\n".join(GOOD + BAD) + "\n")
    # Reference data is loaded nationally: a national unit's administrator uploads it.
    browser.sign_in("national.analyst")
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
    browser.click_row_link("#quarantine", "date_of_birth")
    assert "date_of_birth" in browser.text("#problems")
    browser.screenshot("11-quarantine-row")
    browser.assert_accessible()
    browser.fill("#v-date_of_birth", "1988-12-15")
    browser.click_and_wait(browser.find("#fix"))
    assert "went in" in browser.text(".govuk-notification-banner")
    assert "date_of_birth" not in browser.text("#quarantine")
    # The bad prison number cannot be fixed from here: discard it, saying why.
    browser.open("/ingest")
    browser.click_row_link("#quarantine", "prison_number")
    browser.click_and_wait(browser.find("#discard"))
    assert "Enter why the row is being discarded" in browser.text(".govuk-error-summary")
    browser.assert_accessible()
    browser.fill("#reason", "Not one of ours: the sender is checking the number")
    browser.click_and_wait(browser.find("#discard"))
    assert "was discarded" in browser.text(".govuk-notification-banner")
    # The row has left the open quarantine (the table goes when nothing is left in it).
    left = browser.find_all("#quarantine")
    assert not left or "prison_number" not in left[0].text
    # The fixed row went in: Hewell's own team opens the new prisoner without a reason.
    browser.sign_out()
    browser.sign_in("hei.analyst")
    browser.open("/prisoners/G7890HI")
    assert browser.find("h1").text == "BLACK, David"


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


@contextmanager
def _db(server: LiveServer) -> Iterator[Session]:
    """A session on the live server's store, to check what the pages wrote."""
    store = open_store(server.settings, migrate=False)
    try:
        with store.session() as db:
            yield db
    finally:
        store.dispose()


def _count(server: LiveServer, *where: object) -> int:
    with _db(server) as db:
        return int(db.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0)


def test_a_local_supervisor_is_not_offered_prisoners_and_cannot_upload_them(
        browser: Browser, live_server: LiveServer, tmp_path: Path) -> None:
    # The API answers 403 to Hewell's supervisor for reference data; the page must too.
    denied = (AuditEntry.principal == "hei.analyst", AuditEntry.outcome == "denied",
              AuditEntry.resource_type == "ingest_batch", AuditEntry.resource_id == "prisoners")
    before = _count(live_server, *denied)
    upload = tmp_path / "receptions.csv"
    upload.write_text(HEADER + "H8901JK,GREY,Edward,1991-04-05,HEI,2024-06-07\n")
    browser.sign_in("hei.analyst")
    browser.open("/ingest")
    offered = {o.get_attribute("value") for o in browser.find_all("#kind option")} - {""}
    assert {"seizures", "intelligence_reports"} <= offered
    assert not offered & REFERENCE_KINDS
    # A forged choice (an option the page never offered) is refused all the same.
    browser.driver.execute_script(
        "const s = document.querySelector('#kind');"
        "s.add(new Option('prisoners', 'prisoners')); s.value = 'prisoners';")
    browser.find("#file").send_keys(str(upload))
    browser.click_and_wait(browser.find("#upload"))
    status = browser.driver.execute_script(
        "return performance.getEntriesByType('navigation')[0].responseStatus;")
    assert status == 403
    assert browser.driver.title.startswith("Error: ")
    message = "You cannot upload prisoners files. Choose one of the kinds in the list"
    assert message in browser.text(".govuk-error-summary")
    assert message in browser.text("#kind-error")
    assert "prisoners" not in {o.get_attribute("value") for o in browser.find_all("#kind option")}
    browser.screenshot("10-ingest-refused")
    browser.assert_accessible()
    # Nothing was stored, and the refusal is in the audit trail as the API's is.
    assert _count(live_server, *denied) == before + 1
    with _db(live_server) as db:
        assert db.get(Prisoner, "H8901JK") is None
        theirs = select(IngestBatch).where(IngestBatch.run_by == "hei.analyst",
                                           IngestBatch.kind == "prisoners")
        assert db.scalars(theirs).first() is None


def test_an_analyst_is_offered_no_upload(browser: Browser) -> None:
    browser.sign_in("lei.analyst")
    browser.open("/ingest")
    assert not browser.find_all("#upload")
    assert "does not allow you to upload" in browser.text("#no-upload")


SEIZURES = "seizure_ref,item_no,ts,establishment,location_code,search_type,item_type\n"


def _seizures(prefix: str) -> str:
    # Two good items and one of a type nobody knows: the same counts from either door.
    return SEIZURES + "".join([f"{prefix}-1,1,2025-03-01T10:00:00,HEI,HEI-A-1-001,CELL_SEARCH,"
                               "HANDSET\n",
                               f"{prefix}-1,2,2025-03-01T10:00:00,HEI,HEI-A-1-001,CELL_SEARCH,"
                               "SIM\n",
                               f"{prefix}-2,1,2025-03-02T11:00:00,HEI,,RUB_DOWN,BANANA\n"])


def _ingest_entry(server: LiveServer, batch_id: int) -> AuditEntry:
    with _db(server) as db:
        return db.scalars(select(AuditEntry).where(
            AuditEntry.action == "ingest", AuditEntry.resource_type == "ingest_batch",
            AuditEntry.resource_id == str(batch_id))).one()


def _shape(entry: AuditEntry) -> tuple[object, ...]:
    detail = {k: v for k, v in entry.detail.items() if k != "file"}
    return (entry.principal, entry.org, entry.action, entry.resource_type, entry.outcome,
            entry.reason, sorted(entry.detail), detail)


def test_a_web_upload_is_audited_as_an_api_upload_is(
        browser: Browser, live_server: LiveServer, tmp_path: Path) -> None:
    web_file = tmp_path / "web-finds.csv"
    web_file.write_text(_seizures("HEI-2025-W"))
    browser.sign_in("hei.analyst")
    browser.open("/ingest")
    browser.find("#kind option[value=seizures]").click()
    browser.find("#file").send_keys(str(web_file))
    browser.click_and_wait(browser.find("#upload"))
    assert "Quarantined 1" in browser.text("#counts")
    web_batch = int(browser.text("#report").rsplit("batch ", 1)[1])
    token = httpx.post(f"{browser.base}/api/v1/auth/token",
                       data={"username": "hei.analyst", "password": PASSWORD})
    assert token.status_code == 200, token.text
    answer = httpx.post(f"{browser.base}/api/v1/ingest/seizures",
                        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                        files={"file": ("api-finds.csv", _seizures("HEI-2025-A").encode())})
    assert answer.status_code == 201, answer.text
    web, api = _ingest_entry(live_server, web_batch), _ingest_entry(live_server,
                                                                    answer.json()["batch_id"])
    assert _shape(web) == _shape(api)
    assert (web.principal, web.org, web.outcome) == ("hei.analyst", "HEI-SIT", "allowed")
    assert (web.detail["kind"], web.detail["file"], api.detail["file"]) == (
        "seizures", "web-finds.csv", "api-finds.csv")
    assert (web.detail["read"], web.detail["accepted"], web.detail["quarantined"]) == (3, 2, 1)
