"""The takedown API: a request's whole lifecycle, illegal moves, and who may see and move what.

The fixture estate (Hewell and Berwyn in the West Midlands, Leeds in Yorkshire, and a
released prisoner) gets one observed account per prisoner, so each may be requested.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from api_support import audited, move
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit_support import observe
from cellwatch.access.policy import Target, can
from cellwatch.access.principal import principal_for
from cellwatch.access.roles import Action, Resource
from cellwatch.alerts.models import Alert
from cellwatch.store import Prisoner, Store
from cellwatch.takedown.requests import draft_request
from cellwatch.takedown.rules import RULE

Login = Callable[[str], dict[str, str]]
TAKEDOWNS = "/api/v1/takedowns"
# account, platform, prisoner (establishment): one per prisoner of the fixture estate
ACCOUNTS = (("https://x.com/BigMan", "x", "A1111AA"),            # HEI
            ("berwyn.b", "snapchat", "A2222BB"),                  # BWI
            ("leeds.lad", "instagram", "A3333CC"),                # LEI
            ("gone.home", "tiktok", "A4444DD"))                   # released


@pytest.fixture
def observed(client: TestClient, store: Store) -> None:
    """Every prisoner of the estate seen behind one account (after the estate is built)."""
    for n, (account, platform, prisoner) in enumerate(ACCOUNTS):
        observe(store, f"SO-{n}", account, platform, prisoner)


def _draft(client: TestClient, headers: dict[str, str], account: str = "https://x.com/BigMan",
           prisoner: str = "A1111AA", **extra: str) -> tuple[int, dict[str, Any]]:
    r = client.post(TAKEDOWNS, headers=headers,
                    json={"account": account, "prison_number": prisoner,
                          "reason": "threats posted from custody", **extra})
    return r.status_code, r.json()


def _move(client: TestClient, headers: dict[str, str], request_id: int, state: str,
          **extra: str) -> tuple[int, dict[str, Any]]:
    return move(client, f"{TAKEDOWNS}/{request_id}/transition", headers, state, **extra)


def _audited(store: Store, user: str) -> list[tuple[str, str | None, str]]:
    return audited(store, user, "takedown_request")


@pytest.mark.usefixtures("observed")
def test_a_request_from_draft_to_removed(client: TestClient, login: Login,
                                         store: Store) -> None:
    analyst = login("hei_analyst")
    status, body = _draft(client, analyst)
    assert status == 201, body
    assert (body["account"], body["platform"], body["prison_number"], body["establishment"],
            body["state"], body["created_by"]) == (
        "x:bigman", "x", "A1111AA", "HEI", "DRAFTED", "hei_analyst")
    rid = body["id"]
    assert _move(client, analyst, rid, "sent")[0] == 200
    status, body = _move(client, analyst, rid, "ACKNOWLEDGED", platform_ref="X-LE-42")
    assert (status, body["platform_ref"]) == (200, "X-LE-42")
    status, body = _move(client, login("hei_supervisor"), rid, "REMOVED")
    assert (status, body["state"]) == (200, "REMOVED")

    shown = client.get(f"{TAKEDOWNS}/{rid}", headers=analyst).json()
    assert [(t["from"], t["to"], t["actor"]) for t in shown["transitions"]] == [
        (None, "DRAFTED", "hei_analyst"), ("DRAFTED", "SENT", "hei_analyst"),
        ("SENT", "ACKNOWLEDGED", "hei_analyst"), ("ACKNOWLEDGED", "REMOVED", "hei_supervisor")]
    listed = client.get(TAKEDOWNS, headers=analyst, params={"state": "removed"}).json()
    assert [r["id"] for r in listed] == [rid]
    assert client.get(TAKEDOWNS, headers=analyst, params={"state": "SENT"}).json() == []
    # Each decision and each change is in the audit chain, under the caller's name.
    assert _audited(store, "hei_analyst") == [
        ("takedown.draft.decision", None, "allowed"), ("takedown.draft", str(rid), "allowed"),
        ("takedown.transition.decision", str(rid), "allowed"),
        ("takedown.sent", str(rid), "allowed"),
        ("takedown.transition.decision", str(rid), "allowed"),
        ("takedown.acknowledged", str(rid), "allowed"),
        ("takedown.read", str(rid), "allowed"), ("takedown.list", None, "allowed"),
        ("takedown.list", None, "allowed")]


@pytest.mark.usefixtures("observed")
def test_an_illegal_move_is_a_409_problem(client: TestClient, login: Login) -> None:
    analyst = login("hei_analyst")
    rid = _draft(client, analyst)[1]["id"]
    status, body = _move(client, analyst, rid, "REMOVED")
    assert status == 409
    assert body["title"] == "IllegalTransition"
    assert all(word in body["detail"] for word in ("takedown request", "DRAFTED", "REMOVED",
                                                   "SENT"))
    assert _move(client, analyst, rid, "EATEN")[0] == 409
    r = client.post(f"{TAKEDOWNS}/{rid}/transition", headers=analyst,
                    json={"state": "SENT", "reason": "   "})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    for state in ("SENT", "ACKNOWLEDGED", "REFUSED"):
        assert _move(client, analyst, rid, state)[0] == 200
    status, body = _move(client, analyst, rid, "REMOVED")
    assert status == 409
    assert "REFUSED is final" in body["detail"]
    assert client.get(f"{TAKEDOWNS}/{rid}", headers=analyst).json()["state"] == "REFUSED"


@pytest.mark.usefixtures("observed")
def test_drafts_need_a_linked_readable_account_and_only_one_request(
        client: TestClient, login: Login) -> None:
    analyst = login("hei_analyst")
    assert _draft(client, analyst)[0] == 201
    status, body = _draft(client, analyst, "@bigman", platform="twitter")
    assert (status, body["title"]) == (409, "Conflict")  # the same account, already requested
    status, body = _draft(client, analyst, "x:someoneelse")
    assert (status, body["title"]) == (409, "Conflict")  # nothing links it to the prisoner
    assert _draft(client, analyst, "https://example.org/nobody")[0] == 422
    assert _draft(client, analyst, prisoner="A11")[0] == 422


@pytest.mark.usefixtures("observed")
def test_another_establishments_request_answers_as_missing(client: TestClient, login: Login,
                                                           store: Store) -> None:
    rid = _draft(client, login("hei_analyst"))[1]["id"]
    leeds = login("lei_analyst")
    assert client.get(TAKEDOWNS, headers=leeds).json() == []
    hidden = client.get(f"{TAKEDOWNS}/{rid}", headers=leeds)
    missing = client.get(f"{TAKEDOWNS}/99999", headers=leeds)
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"] == missing.json()["detail"].replace("99999", str(rid))
    assert _move(client, leeds, rid, "SENT")[0] == 404
    # Drafting for a Hewell prisoner reads as drafting for one who does not exist.
    status, body = _draft(client, leeds)
    _, unknown = _draft(client, leeds, prisoner="A9999ZZ")
    assert status == 404
    assert body["detail"] == unknown["detail"].replace("A9999ZZ", "A1111AA")
    assert _audited(store, "lei_analyst") == [
        ("takedown.list", None, "allowed"), ("takedown.read", str(rid), "denied"),
        ("takedown.transition.decision", str(rid), "denied"),
        ("takedown.draft.decision", None, "denied")]
    assert client.get(f"{TAKEDOWNS}/{rid}", headers=login("hei_analyst")).json()["state"] \
        == "DRAFTED"
    # The region and the nation reach Hewell's request.
    assert client.get(f"{TAKEDOWNS}/{rid}", headers=login("wm_analyst")).status_code == 200
    assert _move(client, login("nat_analyst"), rid, "SENT")[0] == 200


@pytest.mark.usefixtures("observed")
def test_each_list_holds_exactly_what_the_policy_allows(client: TestClient, login: Login,
                                                        store: Store) -> None:
    made = {draft_request(store, "system", account, prisoner, "seen", platform=platform).id:
            prisoner for account, platform, prisoner in ACCOUNTS}
    with store.session() as s:
        where = {rid: s.scalars(select(Prisoner.establishment)
                                .where(Prisoner.prison_number == pn)).one()
                 for rid, pn in made.items()}
    seen = {}
    for user in ("nat_analyst", "wm_analyst", "hei_analyst", "hei_supervisor", "lei_analyst"):
        with store.session() as s:
            principal = principal_for(s, user)
        allowed = {rid for rid, est in where.items() if can(
            principal, Action.READ, Target(Resource.TAKEDOWN, str(rid), establishment=est))}
        listed = {r["id"] for r in client.get(TAKEDOWNS, headers=login(user)).json()}
        assert listed == allowed, user
        seen[user] = sorted(made[rid] for rid in listed)
    assert seen["nat_analyst"] == ["A1111AA", "A2222BB", "A3333CC", "A4444DD"]
    assert seen["wm_analyst"] == ["A1111AA", "A2222BB"]
    assert seen["hei_analyst"] == seen["hei_supervisor"] == ["A1111AA"]
    assert seen["lei_analyst"] == ["A3333CC"]


@pytest.mark.usefixtures("observed")
@pytest.mark.parametrize("user", ["parole_cm", "voda_liaison", "wmp_investigator", "nat_admin"])
def test_roles_without_takedowns_are_refused_whatever_exists(client: TestClient, login: Login,
                                                              store: Store, user: str) -> None:
    rid = _draft(client, login("hei_analyst"))[1]["id"]
    me = login(user)
    assert client.get(TAKEDOWNS, headers=me).status_code == 403
    assert client.get(f"{TAKEDOWNS}/{rid}", headers=me).status_code == 403
    assert client.get(f"{TAKEDOWNS}/99999", headers=me).status_code == 403
    assert _move(client, me, rid, "SENT")[0] == 403
    assert _draft(client, me, "leeds.lad", "A3333CC", platform="instagram")[0] == 403
    assert [outcome for _a, _r, outcome in _audited(store, user)] == ["denied"] * 5


@pytest.mark.usefixtures("observed")
def test_a_move_runs_the_new_account_rule(client: TestClient, login: Login,
                                          store: Store) -> None:
    analyst = login("hei_analyst")
    rid = _draft(client, analyst)[1]["id"]
    # A second account of the same prisoner, first seen after the request goes out.
    observe(store, "SO-NEW", "bigman.returns", "instagram", "A1111AA",
             datetime(2099, 1, 1, tzinfo=UTC))
    assert _move(client, analyst, rid, "SENT")[0] == 200
    with store.session() as s:
        raised = [(a.prison_number, a.identifier) for a in s.scalars(
            select(Alert).where(Alert.rule == RULE))]
    assert raised == [("A1111AA", "instagram:bigman.returns")]
