"""The overview's weekly served-orders (TRO) chart is shown only to a user whose role reads
TRO orders (the API's rule for orders, as the alerts page applies it), and only for the
establishments the user covers.

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

from cellwatch.access.models import AuditEntry
from cellwatch.api.app import create_app
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.tro.models import TroApplication

NAMES = {"HEI": "Hewell (HMP)", "BWI": "Berwyn (HMP)", "LEI": "Leeds (HMP)"}


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The whole app over the fixture estate, with an order served at Hewell and at Leeds."""
    estate_with_liaisons(store)
    served = date.today() - timedelta(days=7)  # inside the chart's twelve weeks
    with store.session() as s:
        for est in ("HEI", "LEI"):
            s.add(TroApplication(ref=f"TRO-{est}-1", establishment=est, state="SERVED",
                                 created_by="system", served_date=served))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _overview(client: TestClient, user: str) -> str:
    sign_in(client, user)
    page = client.get("/")
    assert page.status_code == 200
    return page.text


def _charts(page: str, title: str) -> set[str]:
    """The establishments with a chart called ``title`` on the page."""
    return {code for code, name in NAMES.items() if f"{title} at {name}" in page}


def _served(page: str, code: str) -> int:
    """The total of the served-orders chart's data table for one establishment."""
    figure = page.split(f'id="disc-{code}-title"', 1)[1].split("</figure>", 1)[0]
    return sum(int(n) for n in re.findall(r"govuk-table__cell--numeric\">(\d+)<", figure))


@pytest.mark.parametrize(("user", "charts"), [
    ("hei_analyst", {"HEI"}),  # their own establishment only
    ("hei_supervisor", {"HEI"}),
    ("lei_analyst", {"LEI"}),
    ("wm_analyst", {"HEI", "BWI"}),  # West Midlands: Hewell and Berwyn, not Leeds
    ("nat_analyst", {"HEI", "BWI", "LEI"}),
    # No role reads TRO orders: no chart, however wide their geography.
    ("nat_admin", set()),
    ("nat_liaison", set()),
    ("hei_liaison", set()),
    ("lei_admin", set()),
])
def test_the_served_orders_chart_follows_the_tro_role_and_scope(
        client: TestClient, store: Store, user: str, charts: set[str]) -> None:
    page = _overview(client, user)
    assert _charts(page, "Disconnection orders served per week") == charts
    # The rest of the overview is unchanged: finds per week of every establishment in scope.
    assert charts <= _charts(page, "Finds per week")
    assert _charts(page, "Finds per week")
    for code in charts:
        assert _served(page, code) == (0 if code == "BWI" else 1)
    # Not being shown the chart is not a refusal: the page leaves no denial in the audit.
    with store.session() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.principal == user,
                                                  AuditEntry.outcome == "denied")).all() == []
