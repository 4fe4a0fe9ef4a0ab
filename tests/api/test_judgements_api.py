"""``/api/v1/judgements``: analysts confirm, reject or mark unsure an attribution or a link,
undo a judgement and list those about an identifier or a prisoner, through the same
access-checked, audited service as ``cellwatch judge`` (cellwatch.attribution.service.attributions).

Over the fixture estate (Hewell and Berwyn in the West Midlands, Leeds in Yorkshire) with
one attribution run: SHARED attributed at Hewell and at Leeds, LEEDS_ONLY at Leeds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from api_support import LEEDS_ONLY, SHARED, SIM, attributed, audited
from fastapi.testclient import TestClient
from sqlalchemy import select

from cellwatch.access.audit import verify_chain
from cellwatch.attribution.export import attribution_rows
from cellwatch.attribution.models import IdentityLink, Judgement
from cellwatch.store import Store

Login = Callable[[str], dict[str, str]]
JUDGEMENTS = "/api/v1/judgements"
REASON = "cellmate's phone, per search record SR-118"
ON_HEWELL = f"IMEI {SHARED} PRISONER A1111AA"
ON_LEEDS = f"IMEI {SHARED} PRISONER A3333CC"


@pytest.fixture(autouse=True)
def _attributed(client: TestClient, store: Store) -> None:
    """An attribution run over the estate the ``client`` fixture built."""
    attributed(store)


def _judge(client: TestClient, headers: dict[str, str], prisoner: str = "A1111AA",
           identifier: str = SHARED, **body: Any) -> tuple[int, dict[str, Any]]:
    r = client.post(f"{JUDGEMENTS}/attributions", headers=headers, json={
        "identifier_type": "IMEI", "identifier": identifier, "prison_number": prisoner,
        "verdict": "REJECTED", "reason": REASON, **body})
    return r.status_code, r.json()


def _link(client: TestClient, headers: dict[str, str], device: str = SHARED,
          verdict: str = "CONFIRMED") -> tuple[int, dict[str, Any]]:
    # Ends given SIM first: the service stores them in the graph's order.
    r = client.post(f"{JUDGEMENTS}/links", headers=headers, json={
        "a_type": "IMSI", "a": SIM, "b_type": "IMEI", "b": device, "verdict": verdict,
        "reason": "seen together in the search of cell 14"})
    return r.status_code, r.json()


def _listed(client: TestClient, headers: dict[str, str], **params: str) -> list[int]:
    r = client.get(JUDGEMENTS, headers=headers, params=params)
    assert r.status_code == 200, r.text
    return [j["id"] for j in r.json()]


def _recorded(store: Store) -> list[tuple[str, str, str | None]]:
    with store.session() as s:
        return [(j.object, j.by, j.undone_by)
                for j in s.scalars(select(Judgement).order_by(Judgement.id))]


def _status(store: Store, prisoner: str) -> str:
    [row] = [r for r in attribution_rows(store)
             if r["identifier"] == SHARED and r["prison_number"] == prisoner]
    return str(row["status"])


def test_an_analyst_in_scope_judges_and_a_supervisor_undoes(
        client: TestClient, login: Login, store: Store) -> None:
    # Typed as a person would: the identifier is stored in the run's normal form.
    status, body = _judge(client, login("hei_analyst"), prisoner="a1111aa",
                          identifier="35-345678-901234-8")
    assert status == 201, body
    assert {k: body[k] for k in ("target", "subject_type", "subject", "object_type",
                                 "object", "verdict", "reason", "by", "undone_at")} == {
        "target": "ATTRIBUTION", "subject_type": "IMEI", "subject": SHARED,
        "object_type": "PRISONER", "object": "A1111AA", "verdict": "REJECTED",
        "reason": REASON, "by": "hei_analyst", "undone_at": None}
    # The very record the next run reads (cellwatch.attribution.judgements.judge writes it).
    assert _status(store, "A1111AA") == "REJECTED"
    assert audited(store, "hei_analyst", "attribution") == [("judge", ON_HEWELL, "allowed")]

    undo = client.post(f"{JUDGEMENTS}/{body['id']}/undo", headers=login("hei_supervisor"))
    assert undo.status_code == 200, undo.text
    assert (undo.json()["undone_by"], undo.json()["verdict"]) == ("hei_supervisor", "REJECTED")
    assert undo.json()["undone_at"] is not None
    assert _status(store, "A1111AA") == "PROPOSED"
    again = client.post(f"{JUDGEMENTS}/{body['id']}/undo", headers=login("hei_supervisor"))
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    missing = client.post(f"{JUDGEMENTS}/999999/undo", headers=login("hei_supervisor"))
    assert missing.status_code == 404
    assert audited(store, "hei_supervisor", "attribution") == [("undo", ON_HEWELL, "allowed")]
    assert verify_chain(store).ok


def test_out_of_scope_or_without_the_permission_is_refused_and_audited(
        client: TestClient, login: Login, store: Store) -> None:
    assert _judge(client, login("hei_analyst"))[0] == 201
    # Leeds' prisoner is outside Hewell's team's geography: answered as an unknown prisoner
    # (issue 17), the refusal audited.
    status, body = _judge(client, login("hei_analyst"), prisoner="A3333CC")
    assert status == 404
    assert body["detail"] == "prisoner A3333CC not found"
    # The Parole Board and a Leeds administrator hold no attribution update permission.
    for user in ("parole_cm", "lei_admin"):
        r = client.post(f"{JUDGEMENTS}/attributions", headers=login(user), json={
            "identifier_type": "IMEI", "identifier": SHARED, "prison_number": "A3333CC",
            "verdict": "CONFIRMED", "reason": REASON})
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"
        assert audited(store, user, "attribution") == [("update", ON_LEEDS, "denied")]
    # Nor may Leeds undo Hewell's judgement, nor Hewell judge a link known only at Leeds
    # (neither of which it can see: each answered as an unknown one).
    [judgement_id] = [j["id"] for j in client.get(
        JUDGEMENTS, headers=login("hei_analyst"), params={"identifier": SHARED}).json()]
    assert client.post(f"{JUDGEMENTS}/{judgement_id}/undo",
                       headers=login("lei_analyst")).status_code == 404
    status, body = _link(client, login("hei_analyst"), device=LEEDS_ONLY)
    assert (status, body["detail"]) == (404, f"no link IMEI {LEEDS_ONLY} - IMSI {SIM}")
    assert audited(store, "hei_analyst", "attribution") == [
        ("judge", ON_HEWELL, "allowed"), ("update", ON_LEEDS, "denied"),
        ("list", SHARED, "allowed"), ("update", f"IMSI {SIM} IMEI {LEEDS_ONLY}", "denied")]
    assert audited(store, "lei_analyst", "attribution") == [("update", ON_HEWELL, "denied")]
    assert _recorded(store) == [("A1111AA", "hei_analyst", None)]
    assert client.post(f"{JUDGEMENTS}/attributions", json={}).status_code == 401


def test_undo_without_the_right_is_403_whether_or_not_the_judgement_exists(
        client: TestClient, login: Login, store: Store) -> None:
    status, body = _judge(client, login("hei_analyst"))
    assert status == 201
    for user in ("lei_admin", "parole_cm"):
        answers = [client.post(f"{JUDGEMENTS}/{n}/undo", headers=login(user))
                   for n in (body["id"], 999999)]
        assert [r.status_code for r in answers] == [403, 403]
        assert answers[0].json()["detail"] == answers[1].json()["detail"].replace(
            "999999", str(body["id"]))
    # With the right, an unknown judgement is still not found.
    assert client.post(f"{JUDGEMENTS}/999999/undo",
                       headers=login("hei_supervisor")).status_code == 404
    assert _recorded(store) == [("A1111AA", "hei_analyst", None)]


@pytest.mark.parametrize(("field", "value"), [
    ("reason", None), ("reason", ""), ("reason", "   "), ("verdict", "MAYBE"),
    ("identifier", "353456789012349"),  # a bad check digit
])
def test_a_judgement_needs_a_verdict_a_reason_and_a_valid_identifier(
        client: TestClient, login: Login, store: Store, field: str, value: str | None) -> None:
    payload = {"identifier_type": "IMEI", "identifier": SHARED, "prison_number": "A1111AA",
               "verdict": "REJECTED", "reason": REASON}
    if value is None:
        del payload[field]
    else:
        payload[field] = value
    r = client.post(f"{JUDGEMENTS}/attributions", headers=login("hei_analyst"), json=payload)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(field in key for key in r.json()["errors"])
    assert _recorded(store) == []


def test_a_link_verdict_applies_to_the_link_at_once(
        client: TestClient, login: Login, store: Store) -> None:
    status, body = _link(client, login("lei_analyst"), verdict="REJECTED")
    assert status == 201, body
    assert (body["target"], body["subject_type"], body["subject"], body["object"]) == (
        "LINK", "IMEI", SHARED, SIM)

    def link_status() -> str:
        with store.session() as s:
            return s.scalars(select(IdentityLink.status)).one()

    assert link_status() == "REJECTED"
    assert client.post(f"{JUDGEMENTS}/{body['id']}/undo",
                       headers=login("hei_analyst")).status_code == 200
    assert link_status() == "ACTIVE"


def test_listing_shows_only_what_the_caller_may_see(
        client: TestClient, login: Login, store: Store) -> None:
    hei, lei = login("hei_analyst"), login("lei_analyst")
    on_hewell = _judge(client, hei)[1]["id"]
    on_leeds = _judge(client, lei, prisoner="A3333CC", verdict="UNSURE")[1]["id"]
    link = _link(client, lei)[1]["id"]
    # Newest first; each team sees the link and its own prisoner's attribution only.
    assert _listed(client, hei, identifier=SHARED) == [link, on_hewell]
    assert _listed(client, lei, identifier="35 345678 901234 8") == [link, on_leeds]
    assert _listed(client, hei, identifier=SHARED, limit="1", offset="1") == [on_hewell]
    assert _listed(client, hei, prison_number="A1111AA") == [on_hewell]
    # Another establishment's prisoner is refused (audited) as unknown; its device too.
    assert client.get(JUDGEMENTS, headers=hei,
                      params={"prison_number": "A3333CC"}).status_code == 404
    assert audited(store, "hei_analyst", "prisoner")[-1] == ("read", "A3333CC", "denied")
    assert client.get(JUDGEMENTS, headers=hei,
                      params={"identifier": LEEDS_ONLY}).status_code == 404
    # Outside one's own organisation a reason is needed, and then everything is shown.
    national = login("nat_analyst")
    assert client.get(JUDGEMENTS, headers=national,
                      params={"identifier": SHARED}).status_code == 403
    assert _listed(client, {**national, "Cellwatch-Reason": "Operation Kestrel"},
                   identifier=SHARED) == [link, on_leeds, on_hewell]
    # Exactly one of identifier and prison number.
    for params in ({}, {"identifier": SHARED, "prison_number": "A1111AA"}):
        assert client.get(JUDGEMENTS, headers=hei, params=params).status_code == 422
    assert ("list", SHARED, "allowed") in audited(store, "hei_analyst", "attribution")


def test_the_endpoints_are_published(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/judgements", "/api/v1/judgements/attributions",
            "/api/v1/judgements/links", "/api/v1/judgements/{judgement_id}/undo"} <= set(paths)
    assert "409" in paths["/api/v1/judgements/{judgement_id}/undo"]["post"]["responses"]
