"""/api/v1/guard: the suspected staff or visitor phones queue, scoped like TRO candidates."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from cellwatch.access.models import AuditEntry
from cellwatch.guard.models import GuardHold
from cellwatch.store import AllowListEntry, Store

HEI_PHONE, LEI_PHONE = "353918057315836", "490154203237518"
EVIDENCE = {"days": 8, "work_share": 1.0, "weekday_share": 1.0, "zones": 4,
            "access_share": 0.0, "cell_nights": 0, "linked": []}


def _holds(store: Store) -> dict[str, int]:
    with store.session() as s:
        for identifier, est in ((HEI_PHONE, "HEI"), (LEI_PHONE, "LEI")):
            s.add(GuardHold(identifier_type="IMEI", identifier=identifier, establishment=est,
                            flag="STAFF_PATTERN", status="HELD", evidence=EVIDENCE))
        s.flush()
        return {h.identifier: h.id for h in s.scalars(select(GuardHold))}


def test_the_queue_is_scoped_and_decisions_take_the_right_role(
        client: TestClient, store: Store, login: Callable[[str], dict[str, str]]) -> None:
    ids = _holds(store)
    analyst, supervisor = login("hei_analyst"), login("hei_supervisor")
    listed = client.get("/api/v1/guard/holds", headers=analyst)
    assert listed.status_code == 200
    assert [r["identifier"] for r in listed.json()] == [HEI_PHONE]
    assert listed.json()[0]["evidence"]["zones"] == 4
    assert client.get(f"/api/v1/guard/holds/{ids[LEI_PHONE]}", headers=analyst
                      ).status_code == 404
    assert client.get("/api/v1/guard/holds", headers=login("wmp_investigator")
                      ).status_code == 403
    assert len(client.get("/api/v1/guard/holds", headers=login("nat_analyst")).json()) == 2
    url = f"/api/v1/guard/holds/{ids[HEI_PHONE]}"
    # Allow-listing is a supervisor's sign-off; a reason is required.
    assert client.post(f"{url}/allow", headers=analyst,
                       json={"reason": "officer's phone"}).status_code == 403
    assert client.post(f"{url}/allow", headers=supervisor, json={"reason": ""}
                       ).status_code == 422
    done = client.post(f"{url}/allow", headers=supervisor,
                       json={"reason": "Officer 123's phone", "kind": "staff"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "ALLOWED"
    assert client.post(f"{url}/release", headers=analyst,
                       json={"reason": "changed my mind"}).status_code == 409
    with store.session() as s:
        entry = s.scalars(select(AllowListEntry).where(
            AllowListEntry.identifier == HEI_PHONE)).one()
        assert entry.extra is not None
        assert entry.extra["decided_by"] == "hei_supervisor"
        actions = [(a.action, a.outcome) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.action.like("guard.%")))]
    assert ("guard.allow", "denied") in actions
    assert ("guard.allow", "allowed") in actions
    assert ("guard.read", "denied") in actions


def test_an_analyst_releases_a_phone_of_their_own_establishment(
        client: TestClient, store: Store, login: Callable[[str], dict[str, str]]) -> None:
    ids = _holds(store)
    analyst = login("hei_analyst")
    assert client.post(f"/api/v1/guard/holds/{ids[LEI_PHONE]}/release", headers=analyst,
                       json={"reason": "contraband"}).status_code == 404
    # A region reads the queue but does not decide.
    region = login("wm_analyst")
    assert client.get(f"/api/v1/guard/holds/{ids[HEI_PHONE]}", headers=region).status_code == 200
    assert client.post(f"/api/v1/guard/holds/{ids[HEI_PHONE]}/release", headers=region,
                       json={"reason": "x"}).status_code == 403
    done = client.post(f"/api/v1/guard/holds/{ids[HEI_PHONE]}/release", headers=analyst,
                       json={"reason": "found in a cell search"})
    assert done.status_code == 200
    assert done.json()["status"] == "RELEASED"
    assert done.json()["decision_reason"] == "found in a cell search"
