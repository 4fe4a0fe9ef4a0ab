"""Issue 20, item 7: the device page lists the phone's extractions with the numbers of its
contacts and call log on PIN lists, per prisoner the reader may see: which point at him,
which are shared and point at no one, and why not (custody, no seizure record)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from web_client import estate_with_liaisons, sign_in

from attribution.extraction_world import IMEI, SEIZED_AT, add_extraction, number, pins
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.api.app import create_app
from cellwatch.ingest.service.extractions import device_extractions
from cellwatch.settings import Settings
from cellwatch.store import Location, Occupancy, SeizureItem, Store

CELL = "HEI-A-1-001"
OTHER = "356938035643809"  # a seized handset whose contacts are no one's PIN numbers
THIRD = "356938035643817"  # a seized handset never extracted


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    estate_with_liaisons(store)
    jan = datetime(2026, 1, 1, tzinfo=UTC)
    with store.session() as s:
        s.add_all([Location(code=CELL, establishment="HEI", type="CELL"),
                   Location(code="LEI-A-1-001", establishment="LEI", type="CELL")])
        s.flush()
        s.add_all([Occupancy(prison_number="A1111AA", location_code=CELL, start_ts=jan),
                   Occupancy(prison_number="A3333CC", location_code="LEI-A-1-001",
                             start_ts=jan),
                   # Recorded as taken from a Leeds man (the record says so; the page
                   # names him only to those who may see him).
                   SeizureItem(seizure_ref="HEI-2026-0042", item_no=1, ts=SEIZED_AT,
                               establishment="HEI", location_code=CELL, item_type="HANDSET",
                               imei=IMEI, prison_number="A3333CC"),
                   SeizureItem(seizure_ref="HEI-2026-0043", item_no=1, ts=SEIZED_AT,
                               establishment="HEI", item_type="HANDSET", imei=OTHER),
                   SeizureItem(seizure_ref="HEI-2026-0044", item_no=1, ts=SEIZED_AT,
                               establishment="HEI", item_type="HANDSET", imei=THIRD)])
    pins(store, {"A1111AA": [number(1), number(2), number(4)], "A3333CC": [number(3)],
                 "A2222BB": [number(4)]})
    add_extraction(store, contacts=[number(1), number(3), number(4), number(8)],
                   parties=[number(2)])
    # The other seized phone's extraction holds no one's PIN number.
    add_extraction(store, contacts=[number(8)], device={"IMEI": OTHER})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _section(client: TestClient, user: str, imei: str = IMEI) -> str:
    sign_in(client, user)
    page = client.get(f"/identifiers/IMEI/{imei}")
    if "Why are you opening" in page.text:  # outside the reader's own organisation
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        client.post("/reason", data={"csrf_token": token[1], "key": f"IDENTIFIER:{imei}",
                                     "reason": "checking a seized phone's extraction",
                                     "next": f"/identifiers/IMEI/{imei}"})
        page = client.get(f"/identifiers/IMEI/{imei}")
    assert page.status_code == 200, page.text
    found = re.search(r'<section id="extractions".*?</section>', page.text, re.DOTALL)
    assert found is not None, "no extractions section"
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[0])))


def test_hewell_sees_its_prisoner_pointed_at_and_no_one_else(client: TestClient) -> None:
    text = _section(client, "hei_analyst")
    assert "Extraction 1: report.xml (UFDR)" in text
    assert "Seized 01 May 2026 22:00 at HEI-A-1-001 (HEI-2026-0042 item 1), recorded as " \
           "taken from another prisoner." in text
    assert "4 contact number(s)" in text
    # Two numbers on his list alone (a contact, a call); the third also on Berwyn's list.
    assert (f"A1111AA 2 of the 3 on his list: {number(1)}, {number(2)} 1: {number(4)} "
            "Yes, night of 2026-05-01") in text
    assert "A3333CC" not in text
    assert "A2222BB" not in text


def test_a_national_reader_sees_the_leeds_man_and_why_not(client: TestClient) -> None:
    text = _section(client, "nat_analyst")
    assert "recorded as taken from A3333CC" in text
    assert ("A3333CC 1 of the 1 on his list: " f"{number(3)} 0 "
            "No: not in custody at HEI when it was seized") in text
    # Berwyn's man shares a number with A1111AA and has none of his own: no row points.
    assert "A2222BB 0 of the 1 on his list 1: " in text
    assert "every matching number is on other prisoners' PIN lists too" in text


def test_a_phone_whose_contacts_are_no_ones_pin_numbers(client: TestClient) -> None:
    text = _section(client, "hei_analyst", OTHER)
    assert "Extraction 2: report.xml (UFDR)" in text
    assert "Seized 01 May 2026 22:00 at HEI (HEI-2026-0043 item 1), recorded as taken from " \
           "no named prisoner." in text
    assert "No number on it is on the PIN list of a prisoner you may see." in text


def test_a_phone_without_extractions_has_no_section(client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    page = client.get(f"/identifiers/IMEI/{THIRD}")
    assert page.status_code == 200
    assert "HEI-2026-0044" in page.text
    assert 'id="extractions"' not in page.text


def test_the_service_is_audited_and_scoped(client: TestClient, store: Store) -> None:
    with store.session() as s:
        access = Access(store, principal_for(s, "lei_analyst"))
    (x,) = device_extractions(access, IMEI)
    assert [m["prison_number"] for m in x["prisoners"]] == ["A3333CC"]
    assert x["seizure"]["taken_from"] == "A3333CC"


def test_the_prisoner_page_and_summary_state_it(client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    page = client.get("/prisoners/A1111AA")
    assert page.status_code == 200
    timeline = html.unescape(page.text.split('id="timeline"', 1)[1])
    assert "2026-05-01: a seized phone's extraction lists 2 of his PIN numbers" in timeline
    summary = client.get("/prisoners/A1111AA/parole-summary.html")
    assert summary.status_code == 200
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary.text)))
    assert ("lists 2 numbers among its contacts and call log that are on A1111AA's PIN list "
            "and on no other prisoner's (2 of the 3 on his list)") in text
    assert "recorded as taken from another prisoner" in text
    assert "A3333CC" not in text
