"""Issue 17: judging a prisoner or device held in another establishment answered 403 naming
that establishment ("LEI is outside the principal's scope"), while an unknown one got
another answer, so ``POST /judgements/attributions`` and ``/links`` told a caller whether,
and where, a prisoner is held. Each attack reproduced, then shown answered as unknown.

Over the fixture estate with one attribution run: SHARED attributed at Hewell and Leeds,
LEEDS_ONLY at Leeds alone, SHARED linked to SIM.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from api_support import LEEDS_ONLY, SIM, attributed, audited
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from test_access_holes import web_sign_in

from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.attribution.models import Judgement
from cellwatch.store import Store

Login = Callable[[str], dict[str, str]]
JUDGEMENTS = "/api/v1/judgements"
SHARED = "353456789012348"
NOBODY = "Z9999ZZ"  # a prison number nobody holds
NOWHERE = "490154203237518"  # an IMEI known nowhere
NOWHERE_SIM = "234109999999999"  # an IMSI known nowhere


@pytest.fixture(autouse=True)
def _estate(client: TestClient, store: Store) -> None:
    """The attribution run, and a force's supervisor: a role that judges, in an
    organisation that covers no prison."""
    attributed(store)
    create_user(Access(store, SYSTEM), "wmp_supervisor", "WMP", ["supervisor"], PASSWORD)


def _blank(text: str, *ids: str) -> str:
    for ident in ids:
        text = re.sub(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", "<id>", text)
    return text


def _problem(r: Response, *ids: str) -> dict[str, object]:
    body = r.json()
    body.pop("request_id", None)
    return {k: (_blank(v, *ids) if isinstance(v, str) else v) for k, v in body.items()}


def _judgements(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(Judgement)) or 0)


def _attribution(client: TestClient, headers: dict[str, str], prisoner: str) -> Response:
    return client.post(f"{JUDGEMENTS}/attributions", headers=headers, json={
        "identifier_type": "IMEI", "identifier": SHARED, "prison_number": prisoner,
        "verdict": "REJECTED", "reason": "probe"})


def _link(client: TestClient, headers: dict[str, str], device: str, sim: str) -> Response:
    return client.post(f"{JUDGEMENTS}/links", headers=headers, json={
        "a_type": "IMSI", "a": sim, "b_type": "IMEI", "b": device, "verdict": "REJECTED",
        "reason": "probe"})


@pytest.mark.parametrize(("user", "held"), [
    ("lei_analyst", "A1111AA"),  # another prison's analyst, a Hewell man
    ("hei_analyst", "A3333CC"),  # and the other way round
    ("wmp_supervisor", "A1111AA"),  # a force's supervisor
])
def test_judging_a_prisoner_held_elsewhere_answers_as_an_unknown_one(
        client: TestClient, login: Login, store: Store, user: str, held: str) -> None:
    headers = login(user)
    hidden = _attribution(client, headers, held)
    unknown = _attribution(client, headers, NOBODY)
    assert (hidden.status_code, unknown.status_code) == (404, 404), hidden.text
    assert _problem(hidden, held) == _problem(unknown, NOBODY)
    assert hidden.json()["detail"] == f"prisoner {held} not found"
    for where in ("HEI", "LEI", "scope"):
        assert where not in hidden.text
    # Nothing recorded; the refusal of what exists is still audited as a denial.
    assert _judgements(store) == 0
    assert ("update", f"IMEI {SHARED} PRISONER {held}", "denied") in audited(
        store, user, "attribution")


def test_judging_a_link_seen_only_elsewhere_answers_as_an_unknown_one(
        client: TestClient, login: Login, store: Store) -> None:
    for user in ("hei_analyst", "wmp_supervisor"):
        headers = login(user)
        # LEEDS_ONLY is known at Leeds alone; the pair below is known nowhere.
        hidden = _link(client, headers, LEEDS_ONLY, SIM)
        unknown = _link(client, headers, NOWHERE, NOWHERE_SIM)
        assert (hidden.status_code, unknown.status_code) == (404, 404), hidden.text
        assert _problem(hidden, LEEDS_ONLY, SIM) == _problem(unknown, NOWHERE, NOWHERE_SIM)
        assert "LEI" not in hidden.text
        assert ("update", f"IMSI {SIM} IMEI {LEEDS_ONLY}", "denied") in audited(
            store, user, "attribution")
    assert _judgements(store) == 0


def test_what_one_sees_is_still_judged_and_a_role_without_the_right_still_refused(
        client: TestClient, login: Login, store: Store) -> None:
    assert _attribution(client, login("hei_analyst"), "A1111AA").status_code == 201
    assert _link(client, login("lei_analyst"), SHARED, SIM).status_code == 201
    # A national analyst sees every prisoner: an unknown one is not judged either.
    national = login("nat_analyst")
    assert _attribution(client, national, "A3333CC").status_code == 201
    assert _attribution(client, national, NOBODY).status_code == 404
    # A role that judges nothing is refused before anything is looked up: 403, known or not.
    for user in ("lei_admin", "parole_cm"):
        answers = [_attribution(client, login(user), n) for n in ("A1111AA", NOBODY)]
        assert [a.status_code for a in answers] == [403, 403]
        assert _problem(answers[0], "A1111AA") == _problem(answers[1], NOBODY)
    assert _judgements(store) == 3


def test_the_web_form_answers_a_prisoner_held_elsewhere_as_an_unknown_one(
        client: TestClient, store: Store) -> None:
    web_sign_in(client, "lei_analyst")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert token is not None
    answers = [client.post(f"/identifiers/IMEI/{SHARED}/judgements", data={
        "csrf_token": token[1], "target": "attribution", "prison_number": number,
        "verdict": "UNSURE", "reason": "probe", "form": f"attr-{number}"})
        for number in ("A1111AA", NOBODY)]
    assert [a.status_code for a in answers] == [404, 404]
    mains = [re.search(r"<main.*?</main>", a.text, re.S) for a in answers]
    assert mains[0] is not None
    assert mains[1] is not None
    assert _blank(mains[0][0], "A1111AA") == _blank(mains[1][0], NOBODY)
    assert "HEI" not in mains[0][0]
    assert _judgements(store) == 0
