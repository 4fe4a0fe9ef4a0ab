"""The prisoner and device pages (no browser: TestClient through the real sign-in): the
prisoner's identifiers as a table linked to their pages, one card per identifier in date
order with all its periods (the latest run only), a timeline chart, a verdict shown at
once; the device page one entry per prisoner with its periods."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from web_client import sign_in

from attribution_seed import finished_run
from cellwatch.access.fixtures import build_estate
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.api.app import create_app
from cellwatch.attribution.models import Attribution
from cellwatch.attribution.service.attributions import judge_attribution
from cellwatch.settings import Settings
from cellwatch.store import Store

HANDSET, SIM, OTHER = "353456789012348", "234101234567890", "356938035643809"
DAY = date(2026, 5, 1)


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """An old run (to be ignored) and a newer one: the handset on three separate periods
    of A1111AA and one night of A3333CC; a SIM from later; another handset earlier."""
    build_estate(store)
    with store.session() as s:
        old = finished_run(s, datetime(2026, 4, 1, tzinfo=UTC))
        s.add(Attribution(run_id=old, identifier_type="IMEI", identifier=HANDSET,
                          prison_number="A1111AA", probability=0.99, rank=1,
                          valid_from=DAY - timedelta(days=30), valid_to=DAY - timedelta(days=30)))
        run = finished_run(s, datetime(2026, 6, 1, tzinfo=UTC))
        rows = [("IMEI", HANDSET, "A1111AA", 0.9, 0, 2), ("IMEI", HANDSET, "A1111AA", 0.7, 5, 5),
                ("IMEI", HANDSET, "A1111AA", 0.6, 9, 12), ("IMSI", SIM, "A1111AA", 0.55, 20, 21),
                ("IMEI", OTHER, "A1111AA", 0.4, -10, -8),
                ("IMEI", HANDSET, "A3333CC", 0.3, 3, 3)]
        for t, ident, pn, p, a, b in rows:
            s.add(Attribution(run_id=run, identifier_type=t, identifier=ident, prison_number=pn,
                              probability=p, rank=1, valid_from=DAY + timedelta(days=a),
                              valid_to=DAY + timedelta(days=b)))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_prisoner_page_lists_his_identifiers_once_each_in_date_order(
        client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    page = client.get("/prisoners/A1111AA").text
    table = page.split('id="identifiers"', 1)[1].split("</table>", 1)[0]
    linked = re.findall(r'href="/identifiers/(\w+)/(\d+)"', table)
    assert linked == [("IMEI", OTHER), ("IMEI", HANDSET), ("IMSI", SIM)]  # first night order
    row = table.split(HANDSET, 1)[1].split("</tr>", 1)[0]
    assert "2026-05-01" in row
    assert "2026-05-13" in row
    assert ">8<" in row  # nights: 3 + 1 + 4
    assert "90%" in row
    # One card per identifier, titled by the identifier (linked), periods listed.
    cards = page.split("<h2 class=\"govuk-heading-m\">Attributions</h2>", 1)[1]
    titles = re.findall(r'govuk-summary-card__title">(.*?)</h3>', cards, re.S)
    assert len(titles) == 3
    assert all("/identifiers/" in t for t in titles)
    assert "/prisoners/A1111AA" not in "".join(titles)
    handset = cards.split(f">{HANDSET}</a>", 1)[1].split("govuk-summary-card__title", 1)[0]
    assert "3 periods" in handset
    assert handset.count("<td class=\"govuk-table__cell\">2026-05-") >= 6
    assert "2026-04-01" not in page  # the older run is not shown
    # The timeline chart: one lane per identifier, with its periods' dates in titles.
    assert 'id="timeline"' in page
    assert "<svg" in page
    assert f"IMEI {HANDSET} 2026-05-10 to 2026-05-13" in page


def test_a_verdict_shows_at_once(client: TestClient, store: Store) -> None:
    with store.session() as s:
        hewell = Access(store, principal_for(s, "hei_analyst"))
    judge_attribution(hewell, "IMEI", OTHER, "A1111AA", "CONFIRMED", "found in his cell")
    sign_in(client, "hei_analyst")
    page = client.get("/prisoners/A1111AA").text
    row = page.split('id="identifiers"', 1)[1].split(OTHER, 2)[2].split("</tr>", 1)[0]
    assert ">CONFIRMED<" in row
    assert "confirmed by hei_analyst" in row
    device = client.get(f"/identifiers/IMEI/{OTHER}").text
    assert ">CONFIRMED<" in device
    assert ">PROPOSED<" not in device.split("Attribution: one entry per prisoner", 1)[1]


def test_the_device_page_has_one_entry_per_prisoner(client: TestClient) -> None:
    sign_in(client, "nat_analyst")
    page = client.get(f"/identifiers/IMEI/{HANDSET}").text
    if "Why are you opening" in page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        client.post("/reason", data={"csrf_token": token[1], "key": f"IDENTIFIER:{HANDSET}",
                                     "reason": "checking the device page layout",
                                     "next": f"/identifiers/IMEI/{HANDSET}"})
        page = client.get(f"/identifiers/IMEI/{HANDSET}").text
    cards = page.split("Attribution: one entry per prisoner", 1)[1]
    titles = re.findall(r'govuk-summary-card__title">(.*?)</h3>', cards, re.S)
    assert [re.search(r"A\d{4}[A-Z]{2}", t)[0] for t in titles] == ["A1111AA", "A3333CC"]
    first = cards.split("A3333CC", 1)[0]
    assert "3 periods" in first
    assert "8 nights" in first
