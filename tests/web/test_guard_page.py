"""The "Suspected staff or visitor phones" page: the queue, and deciding from it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from web_client import sign_in

from cellwatch.access.fixtures import build_estate
from cellwatch.api import create_app
from cellwatch.guard.models import GuardHold
from cellwatch.settings import Settings
from cellwatch.store import Store

EVIDENCE = {"days": 8, "work_share": 1.0, "weekday_share": 0.9, "zones": 4,
            "access_share": 0.0, "cell_nights": 0, "linked": []}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def test_the_page_lists_holds_and_releases_one(settings: Settings, store: Store) -> None:
    build_estate(store)
    with store.session() as s:
        for identifier, est, flag in (("353918057315836", "HEI", "STAFF_PATTERN"),
                                      ("352099001761481", "HEI", "NIGHT_USE"),
                                      ("490154203237518", "LEI", "STAFF_PATTERN")):
            s.add(GuardHold(identifier_type="IMEI", identifier=identifier, establishment=est,
                            flag=flag, status="FLAGGED" if flag == "NIGHT_USE" else "HELD",
                            evidence=EVIDENCE))
    with TestClient(create_app(settings, store=store)) as client:
        sign_in(client, "hei_analyst")
        page = client.get("/queues/guard")
        assert page.status_code == 200
        assert "Suspected staff or visitor phones" in page.text
        assert "353918057315836" in page.text
        assert "Night in a cell" in page.text
        assert "490154203237518" not in page.text  # Leeds: not this team's
        assert "90% of days on weekdays" in page.text
        with store.session() as s:
            hold = s.scalars(select(GuardHold).where(
                GuardHold.identifier == "353918057315836")).one().id
        done = client.post(f"/queues/guard/{hold}/release", follow_redirects=False,
                           data={"reason": "cell search found it", "csrf_token": _csrf(page.text)})
        assert done.status_code == 303
        after = client.get("/queues/guard").text
        assert "Released as contraband" in after
        assert "cell search found it" in after
        # An analyst may not allow-list: refused, nothing changes.
        other = client.post(f"/queues/guard/{hold}/allow", follow_redirects=False,
                            data={"reason": "x", "csrf_token": _csrf(after)})
        assert other.status_code == 403
