"""Issue 16, item 7: the fixes found walking the UI as each role.

Only server-issued banners show; a refused alert assignment is not a success and an alert
is never assigned to someone who cannot see it; order dates are checked by the TRO
service; the overview's twelve weeks end today; the navigation highlights the page's own
tab and offers only what the role may open; a refused form comes back with its values.

No browser: FastAPI's TestClient signs in through the real sign-in form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_client import estate_with_liaisons, sign_in

from audit_support import two_alerts
from cellwatch.access.models import AuditEntry
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.alerts.models import Alert
from cellwatch.alerts.service import assign_for
from cellwatch.api.app import create_app
from cellwatch.errors import InvalidData
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.tro.models import TroApplication
from cellwatch.tro.service import orders as tro

BANNER = "govuk-notification-banner--success"
USERS = ("nat_analyst", "nat_admin", "wm_analyst", "hei_analyst", "hei_supervisor",
         "hei_liaison", "lei_analyst", "lei_admin", "nat_liaison")


@pytest.fixture
def world(settings: Settings, store: Store) -> Iterator[tuple[TestClient, Store, int, int]]:
    """The fixture estate with an alert at Hewell and at Leeds and a filed order at Hewell."""
    estate_with_liaisons(store)
    hei, lei = two_alerts(store)
    with store.session() as s:
        s.add(TroApplication(ref="TRO-HEI-9", establishment="HEI", state="FILED",
                             created_by="system"))
    with TestClient(create_app(settings)) as client:
        yield client, store, hei, lei


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def _access(store: Store, user: str, settings: Settings | None = None) -> Access:
    with store.session() as s:
        return Access(store, principal_for(s, user), settings)


# --- banners -------------------------------------------------------------------------

def test_a_crafted_done_shows_no_banner(world: tuple[TestClient, Store, int, int]) -> None:
    client = world[0]
    sign_in(client, "hei_analyst")
    for done in ("Your account is locked: call 0800 000 000", "signed_out",
                 "alerts_done&dv=%7B%22verb%22%3A%22x%22%7D&ds=0"):
        page = client.get(f"/queues/alerts?done={done}").text
        assert BANNER not in page
        assert "0800" not in page


def test_a_server_issued_banner_shows_once_and_only_to_its_session(
        world: tuple[TestClient, Store, int, int]) -> None:
    client, _store, hei, _lei = world
    sign_in(client, "hei_analyst")
    csrf = _csrf(client.get("/queues/alerts").text)
    answer = client.post("/queues/alerts/action", follow_redirects=False,
                         data={"csrf_token": csrf, "one": f"acknowledge:{hei}"})
    assert answer.status_code == 303
    where = answer.headers["location"]
    assert where.startswith("/queues/alerts?done=alerts_done")
    page = client.get(where).text
    assert BANNER in page
    assert "Acknowledged 1 alert" in page
    # The same link in another user's session: no banner.
    sign_in(client, "hei_supervisor")
    assert BANNER not in client.get(where).text
    # Tampered values: no banner.
    assert BANNER not in client.get(where.replace("Acknowledged", "Deleted")).text


# --- alert assignment ----------------------------------------------------------------

def test_an_alert_is_not_assigned_to_someone_who_cannot_see_it(
        world: tuple[TestClient, Store, int, int]) -> None:
    _client, store, hei, _lei = world
    with pytest.raises(InvalidData, match="lei_analyst cannot see or work alert"):
        assign_for(_access(store, "hei_analyst"), hei, "lei_analyst")
    with store.session() as s:
        alert = s.get(Alert, hei)
        assert alert is not None
        assert alert.assigned_to is None
        assert alert.status == "OPEN"
        denied = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "assign", AuditEntry.outcome == "denied")).all()
        assert [e.resource_id for e in denied] == [str(hei)]
    # Someone who can see it: assigned.
    assert assign_for(_access(store, "hei_analyst"), hei, "hei_supervisor").assigned_to \
        == "hei_supervisor"


def test_a_refused_assignment_is_no_success_and_keeps_the_form(
        world: tuple[TestClient, Store, int, int]) -> None:
    client, _store, hei, _lei = world
    sign_in(client, "hei_analyst")
    csrf = _csrf(client.get(f"/alerts/{hei}").text)
    answer = client.post("/queues/alerts/action", follow_redirects=False, data={
        "csrf_token": csrf, "alert_id": str(hei), "back": f"/alerts/{hei}",
        "action": "assign", "assignee": "lei_analyst"})
    assert answer.status_code == 422
    assert BANNER not in answer.text
    assert "Success" not in answer.text
    assert "lei_analyst cannot see or work alert" in answer.text
    assert 'name="assignee" type="text" value="lei_analyst"' in answer.text
    # Nothing ticked in the queue: said on the queue, not an error page.
    answer = client.post("/queues/alerts/action", data={"csrf_token": csrf,
                                                        "action": "acknowledge"})
    assert answer.status_code == 422
    assert "Select at least one alert" in answer.text
    assert 'id="alerts-form"' in answer.text


# --- order dates ---------------------------------------------------------------------

def test_the_tro_service_refuses_future_order_dates_and_serving_before_the_order(
        world: tuple[TestClient, Store, int, int], settings: Settings) -> None:
    store = world[1]
    access = _access(store, "hei_supervisor", settings)
    today = date.today()
    with pytest.raises(InvalidData, match="in the future"):
        tro.transition(access, "TRO-HEI-9", "GRANTED", "granted", court="Worcester",
                       order_date=today + timedelta(days=3))
    tro.transition(access, "TRO-HEI-9", "GRANTED", "granted", court="Worcester",
                   order_date=today - timedelta(days=2))
    with pytest.raises(InvalidData, match="before it was made"):
        tro.transition(access, "TRO-HEI-9", "SERVED", "served", on=today - timedelta(days=5))
    served = tro.transition(access, "TRO-HEI-9", "SERVED", "served",
                            on=today - timedelta(days=1))
    assert served.state == "SERVED"


def test_a_refused_order_step_shows_the_form_again_with_its_values(
        world: tuple[TestClient, Store, int, int]) -> None:
    client = world[0]
    sign_in(client, "hei_supervisor")
    csrf = _csrf(client.get("/orders/TRO-HEI-9").text)
    future = (date.today() + timedelta(days=30)).isoformat()
    answer = client.post("/orders/TRO-HEI-9/transition", data={
        "csrf_token": csrf, "to": "GRANTED", "court": "Worcester Crown Court",
        "order_date": future, "reason": "granted at the hearing"})
    assert answer.status_code == 422
    assert "is in the future" in answer.text
    assert "govuk-error-summary" in answer.text
    assert f'value="{future}"' in answer.text
    assert 'value="Worcester Crown Court"' in answer.text
    assert "granted at the hearing</textarea>" in answer.text
    assert re.search(r'value="GRANTED"\s+checked', answer.text)


# --- overview window -----------------------------------------------------------------

def test_an_order_served_today_shows_on_the_overview(
        world: tuple[TestClient, Store, int, int]) -> None:
    client, store = world[0], world[1]
    with store.session() as s:
        s.add(TroApplication(ref="TRO-HEI-10", establishment="HEI", state="SERVED",
                             created_by="system", served_date=date.today()))
    sign_in(client, "hei_analyst")
    page = client.get("/").text
    assert 'id="disc-HEI-title"' in page, page[-3000:]
    figure = page.split('id="disc-HEI-title"', 1)[1].split("</figure>", 1)[0]
    counts = [int(n) for n in re.findall(r"govuk-table__cell--numeric\">(\d+)<", figure)]
    assert counts[-1] == 1  # this week, the last of the twelve


# --- navigation ----------------------------------------------------------------------

def _active(page: str) -> list[str]:
    return re.findall(r'aria-current="page"><strong[^>]*>([^<]+)<', page)


def test_only_the_page_s_own_tab_is_highlighted(
        world: tuple[TestClient, Store, int, int]) -> None:
    client, _store, hei, _lei = world
    sign_in(client, "hei_analyst")
    assert _active(client.get("/").text) == ["Overview"]
    assert _active(client.get("/queues/alerts").text) == ["Work queues"]
    assert _active(client.get(f"/alerts/{hei}").text) == ["Work queues"]
    assert _active(client.get("/ingest").text) == ["Ingest"]
    assert _active(client.get("/prisoners/A1111AA").text) == []


@pytest.mark.parametrize("user", USERS)
def test_every_tab_offered_opens_and_none_hidden_would(
        world: tuple[TestClient, Store, int, int], user: str) -> None:
    client = world[0]
    sign_in(client, user)
    queue = client.get("/queues/alerts")
    nav = re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', queue.text)
    tabs = re.findall(r'<a class="govuk-link" href="(/queues/[a-z]+)">', queue.text.split(
        'aria-label="Work queues"', 1)[1].split("</nav>", 1)[0]) if queue.status_code == 200 \
        else []
    for href in ("/", "/queues/alerts", "/ingest", "/queues/candidates", "/queues/guard",
                 "/queues/orders", "/queues/referrals"):
        status = client.get(href, follow_redirects=False).status_code
        offered = href in nav or href in tabs or (href == "/queues/alerts" and bool(tabs))
        if href in ("/", "/queues/alerts"):
            continue  # the overview and the alerts queue open for everyone in a prison org
        assert offered == (status == 200), (user, href, status)
