"""The API under the one rule of protected persons: a victim-liaison officer reads its own
organisation's persons only (another's is a 404 worded as an unknown one's), and recording a
person answers alike whether or not the store holds the prisoner named (no oracle)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.protect.models import ProtectedPerson
from cellwatch.store import Store

Login = Callable[[str], dict[str, str]]


def test_another_organisations_person_is_an_unknown_one(client: TestClient, login: Login,
                                                        store: Store) -> None:
    create_user(Access(store, SYSTEM), "wmp_victim", "WMP", ["victim_liaison"], PASSWORD)
    with store.session() as s:  # loaded by Hewell's team, as a prison's file is
        s.add(ProtectedPerson(person_ref="PP-HEI", prison_number="A1111AA",
                              condition="RESTRAINING_ORDER", owner_org="HEI-SIT"))
    vl = login("wmp_victim")
    other = client.get("/api/v1/protected-persons/PP-HEI", headers=vl)
    missing = client.get("/api/v1/protected-persons/PP-NONE", headers=vl)
    assert (other.status_code, missing.status_code) == (404, 404)
    assert other.json()["detail"].replace("PP-HEI", "X") == \
        missing.json()["detail"].replace("PP-NONE", "X")
    assert client.get("/api/v1/protected-persons", headers=vl).json() == []
    # The owning prison team still reads it.
    team = client.get("/api/v1/protected-persons/PP-HEI", headers=login("hei_analyst"))
    assert team.status_code == 403  # the pages are victim liaison's (the role first)


def test_recording_against_an_unknown_prisoner_answers_as_a_known_one(
        client: TestClient, login: Login, store: Store) -> None:
    create_user(Access(store, SYSTEM), "wmp_victim", "WMP", ["victim_liaison"], PASSWORD)
    vl = login("wmp_victim")
    answers = [client.post("/api/v1/protected-persons", headers=vl, json={
        "prison_number": number, "condition": "OTHER", "person_ref": ref})
        for number, ref in (("A1111AA", "PP-K"), ("Z9999ZZ", "PP-U"))]
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    known, unknown = (a.json() for a in answers)
    for body, number, ref in ((known, "A1111AA", "PP-K"), (unknown, "Z9999ZZ", "PP-U")):
        assert body.pop("prison_number") == number
        assert body.pop("person_ref") == ref
    assert known == unknown
    malformed = client.post("/api/v1/protected-persons", headers=vl, json={
        "prison_number": "Z999ZZ", "condition": "OTHER"})
    assert malformed.status_code == 422
