"""Issue 17's remaining leaks, each attack reproduced first, then shown closed."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from test_access_holes import web_sign_in

from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.models import AuditEntry
from cellwatch.access.principal import SYSTEM, principal_for
from cellwatch.access.service import Access
from cellwatch.alerts.models import Alert
from cellwatch.attribution.models import Judgement
from cellwatch.attribution.service.attributions import judge_attribution
from cellwatch.store import Store

Login = Callable[[str], dict[str, str]]
V1 = "/api/v1"
UNKNOWN = 987654321


def _blank(text: str, ident: int | str) -> str:
    """``text`` with the id asked for (as a whole word) blanked."""
    return re.sub(rf"(?<![\w-]){re.escape(str(ident))}(?![\w-])", "<id>", text)


def _main(page: str, ident: int | str) -> str:
    """A page's <main>, without its CSRF token and with the id asked for blanked."""
    found = re.search(r"<main.*?</main>", page, re.S)
    return _blank(re.sub(r'name="csrf_token" value="[^"]+"', "", found[0] if found else page),
                  ident)


def _csrf(client: TestClient, page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found is not None
    return found[1]


def _alert(store: Store, establishment: str, prison_number: str) -> int:
    with store.session() as s:
        alert = Alert(rule="NEW_DEVICE", dedupe_key=f"leak|{prison_number}",
                      prison_number=prison_number, establishment=establishment,
                      status="OPEN", summary="a new device")
        s.add(alert)
        s.flush()
        return alert.id


def test_alert_action_on_another_prisons_alert_words_as_an_unknown_one(
        client: TestClient, store: Store) -> None:
    hidden = _alert(store, "HEI", "A1111AA")
    web_sign_in(client, "lei_analyst")
    token = _csrf(client, "/queues/alerts")
    act = {"csrf_token": token, "one": f"acknowledge:{hidden}"}
    answers = [client.post("/queues/alerts/action", data=act)]
    # The estate moves on between two probes: Leeds gets an alert of its own.
    _alert(store, "LEI", "A3333CC")
    answers.append(client.post("/queues/alerts/action", data={**act,
                                                              "one": f"acknowledge:{UNKNOWN}"}))
    assert [a.status_code for a in answers] == [404, 404]
    assert _main(answers[0].text, hidden) == _main(answers[1].text, UNKNOWN)
    assert f"Not done: alert {hidden} not found" in answers[0].text


def _judgement(store: Store, user: str = "hei_analyst", prisoner: str = "A1111AA") -> int:
    with store.session() as s:
        access = Access(store, principal_for(s, user))
    return judge_attribution(access, "IMEI", IMEI, prisoner, "UNSURE", "probe").id


IMEI = "353456789012348"


def _problem(r: Response, ident: int) -> dict[str, object]:
    body = r.json()
    body.pop("request_id", None)
    return {k: (_blank(v, ident) if isinstance(v, str) else v) for k, v in body.items()}


def test_undoing_a_judgement_out_of_sight_answers_as_an_unknown_one(
        client: TestClient, login: Login, store: Store) -> None:
    # A force's supervisor: a role that judges, in an organisation that covers no prison.
    create_user(Access(store, SYSTEM), "wmp_supervisor", "WMP", ["supervisor"], PASSWORD)
    hewell = _judgement(store)
    for user in ("wmp_supervisor", "lei_analyst"):
        headers = login(user)
        hidden = client.post(f"{V1}/judgements/{hewell}/undo", headers=headers)
        unknown = client.post(f"{V1}/judgements/{UNKNOWN}/undo", headers=headers)
        assert (hidden.status_code, unknown.status_code) == (404, 404), (user, hidden.text)
        assert _problem(hidden, hewell) == _problem(unknown, UNKNOWN)
        assert "HEI" not in hidden.text
        assert "A1111AA" not in hidden.text
    # Still kept and audited as a denial; the judgement is not undone.
    with store.session() as s:
        denied = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "update", AuditEntry.outcome == "denied",
            AuditEntry.principal.in_(["wmp_supervisor", "lei_analyst"]))).all()
        assert len(denied) == 2
        judgement = s.get(Judgement, hewell)
        assert judgement is not None
        assert judgement.undone_by is None
    # The prison's own team still undoes it.
    assert client.post(f"{V1}/judgements/{hewell}/undo",
                       headers=login("hei_supervisor")).status_code == 200
    # The web's undo button, posted by hand, answers alike too.
    web_sign_in(client, "wmp_supervisor")
    other = _judgement(store)
    token = _csrf(client, "/")
    answers = [client.post(f"/identifiers/IMEI/{IMEI}/judgements/{ident}/undo",
                           data={"csrf_token": token}) for ident in (other, UNKNOWN)]
    assert [a.status_code for a in answers] == [404, 404]
    assert _main(answers[0].text, other) == _main(answers[1].text, UNKNOWN)


def _report(client: TestClient, police: dict[str, str], number: str) -> int:
    r = client.post(f"{V1}/crime-referrals", headers=police, json={
        "prison_number": number, "offence": "harassment", "crime_reference": "20/1/26"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _as_sent(body: dict[str, object]) -> dict[str, object]:
    """A referral's answer less what differs between two reports by their nature."""
    return {k: v for k, v in body.items()
            if k not in ("id", "prison_number", "created_at", "acknowledged_at")}


def test_a_force_learns_nothing_of_where_or_whether_a_prisoner_is_held(
        client: TestClient, login: Login) -> None:
    police = login("wmp_investigator")
    # A Hewell prisoner, a Leeds prisoner and a number nobody holds.
    sent = {number: _report(client, police, number)
            for number in ("A1111AA", "A3333CC", "Z9999ZZ")}
    listed = {r["id"]: r for r in client.get(f"{V1}/referrals", headers=police).json()}
    for number, ident in sent.items():
        one = client.get(f"{V1}/referrals/{ident}", headers=police).json()
        assert one == listed[ident]
        # What it named, known or not; nobody who received it.
        assert one["prison_number"] == number
        assert one["to_org"] is None
        assert one["acknowledged_by"] is None
    answers = [_as_sent(listed[i]) for i in sent.values()]
    assert answers[0] == answers[1] == answers[2]
    # Acknowledged by Hewell's team: the force sees that it was, not by whom.
    hewell = login("hei_analyst")
    r = client.post(f"{V1}/referrals/{sent['A1111AA']}/acknowledge", headers=hewell)
    assert r.status_code == 200, r.text
    assert r.json()["to_org"] == "HEI-SIT"
    assert r.json()["acknowledged_by"] == "hei_analyst"
    after = client.get(f"{V1}/referrals/{sent['A1111AA']}", headers=police).json()
    assert after["status"] == "ACKNOWLEDGED"
    assert after["acknowledged_by"] is None
    assert after["to_org"] is None
    # The receiver sees the whole referral.
    assert [x["prison_number"] for x in client.get(
        f"{V1}/referrals", headers=hewell).json()] == ["A1111AA"]


def test_the_web_queue_shows_a_force_its_referrals_as_the_api_does(
        client: TestClient, login: Login) -> None:
    police = login("wmp_investigator")
    sent = [_report(client, police, number) for number in ("A1111AA", "Z9999ZZ", "A3333CC")]
    web_sign_in(client, "wmp_investigator")
    page = client.get("/queues/referrals")
    assert page.status_code == 200
    for number in ("A1111AA", "Z9999ZZ", "A3333CC"):
        assert number in page.text
    # Neither the receiving team (Hewell's, Leeds's, or the national unit for the unknown
    # man) nor the order of what it may not see.
    for team in ("HEI-SIT", "LEI-SIT", "NIU"):
        assert team not in _main(page.text, "")
    orders = []
    for key in ("to_org", "prison_number", "created_at"):
        listed = client.get(f"/queues/referrals?sort={key}&dir=asc").text
        orders.append([int(m) for m in re.findall(r'id="referral-(\d+)"', listed)])
    assert orders[0] == orders[1] == orders[2] == sent
