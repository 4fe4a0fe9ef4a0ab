"""``/api/v1/crime-referrals`` tells a force nothing of who is held where: a report is
taken for any well-formed prison number, known or not, and the force is shown only what
it sent (never the receiving team, the establishment nor who acknowledged); the prison
side sees where it went and resolves a number it does not hold (the national unit).

Over the fixture estate: A1111AA at Hewell, A3333CC at Leeds, A4444DD released; West
Midlands Police (``wmp_investigator``) reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from cellwatch.access.models import Referral
from cellwatch.protect.models import CrimeReferral
from cellwatch.store import Store

Login = Callable[[str], dict[str, str]]
URL = "/api/v1/crime-referrals"
HIDDEN = ("to_org", "establishment", "acknowledged_by")


def _report(client: TestClient, headers: dict[str, str], number: str,
            ref: str) -> tuple[int, dict[str, Any]]:
    r = client.post(URL, headers=headers, json={
        "prison_number": number, "offence": "harassment of a witness",
        "crime_reference": ref})
    return r.status_code, r.json()


def _alike(doc: dict[str, Any], number: str) -> dict[str, Any]:
    # What may differ between two reports: their ids, times, reference and the number.
    skip = {"id", "created_at", "crime_reference"}
    return {k: (None if v == number else v) for k, v in doc.items() if k not in skip}


def test_a_force_learns_nothing_of_whether_or_where_a_prisoner_is_held(
        client: TestClient, login: Login, store: Store) -> None:
    police = login("wmp_investigator")
    answers = {number: _report(client, police, number, f"WMP/{n}/26")
               for n, number in enumerate(("A1111AA", "A3333CC", "A4444DD", "Z9999ZZ"))}
    # Taken alike, held or released, here or there, known or not.
    assert {number: status for number, (status, _doc) in answers.items()} == dict.fromkeys(
        answers, 201)
    shapes = [_alike(doc, number) for number, (_s, doc) in answers.items()]
    assert all(shape == shapes[0] for shape in shapes)
    for number, (_status, doc) in answers.items():
        assert doc["prison_number"] == number
        assert {k: doc[k] for k in HIDDEN} == dict.fromkeys(HIDDEN)
        for leak in ("HEI", "LEI", "SIT", "NIU"):
            assert leak not in str(doc), (number, leak)
    # Its list and each referral alike: what it sent, nothing of where it went.
    listed = client.get(URL, headers=police).json()
    assert [r["prison_number"] for r in listed] == list(answers)
    for row in [*listed, *(client.get(f"{URL}/{doc['id']}", headers=police).json()
                           for _s, doc in answers.values())]:
        assert {k: row[k] for k in HIDDEN} == dict.fromkeys(HIDDEN)

    # The prison side: Hewell's team has its prisoner's; the national unit resolves the
    # released and the unknown ones (the unknown number kept as the force named it).
    hewell = client.get(URL, headers=login("hei_analyst"), params={"direction": "in"}).json()
    assert [(r["prison_number"], r["to_org"], r["establishment"]) for r in hewell] == [
        ("A1111AA", "HEI-SIT", "HEI")]
    national = client.get(URL, headers=login("nat_analyst"),
                          params={"direction": "in"}).json()
    assert [(r["prison_number"], r["to_org"]) for r in national] == [
        ("A4444DD", "NIU"), ("Z9999ZZ", "NIU")]
    with store.session() as s:
        unknown = s.get(Referral, answers["Z9999ZZ"][1]["id"])
        crime = s.get(CrimeReferral, answers["Z9999ZZ"][1]["id"])
        assert unknown is not None
        assert crime is not None
        assert (unknown.prison_number, crime.named_prison_number) == (None, "Z9999ZZ")
        assert len(s.scalars(select(Referral.id)).all()) == 4


def test_acknowledged_the_force_sees_the_state_not_who(
        client: TestClient, login: Login) -> None:
    police = login("wmp_investigator")
    status, doc = _report(client, police, "A1111AA", "WMP/9/26")
    assert status == 201
    ack = client.post(f"{URL}/{doc['id']}/acknowledge", headers=login("hei_analyst"))
    assert ack.status_code == 200, ack.text
    assert ack.json()["acknowledged_by"] == "hei_analyst"
    seen = client.get(f"{URL}/{doc['id']}", headers=police).json()
    assert seen["status"] == "ACKNOWLEDGED"
    assert {k: seen[k] for k in HIDDEN} == dict.fromkeys(HIDDEN)
    assert not re.search(r"hei|HEI", str(seen))


def test_a_malformed_prison_number_is_invalid_alike(client: TestClient, login: Login) -> None:
    police = login("wmp_investigator")
    for number in ("A1111A", "11111AA", "A1111AA; DROP"):
        assert _report(client, police, number, "WMP/1/26")[0] == 422
