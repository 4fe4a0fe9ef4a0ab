"""A user covering many establishments gets one summary table, not a section for each.

Above ``DETAIL_LIMIT`` establishments in scope, the overview shows estate-wide weekly
totals and a table of the establishments with activity; one establishment's full section
(charts and heat map) opens with ``?establishment=CODE``, only within the user's scope.
The heat map rolls cells numbered straight off the wing (``LEI-C-120``) up to their parent
through the store's hierarchy. No browser: TestClient signs in through the real form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from web_client import sign_in

from cellwatch.access.fixtures import build_estate
from cellwatch.api.app import create_app
from cellwatch.lake import Lake, append_batch
from cellwatch.settings import Settings
from cellwatch.store import Establishment, Location, SeizureItem, Store
from cellwatch.web.estate import DETAIL_LIMIT

FIND = datetime.now(UTC) - timedelta(days=3)
QUIET = [f"Q{n:02d}" for n in range(DETAIL_LIMIT)]  # codes of prisons with nothing going on


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The fixture estate plus enough quiet prisons to put a national user over the limit,
    a find at Leeds, and Leeds cells numbered straight off wing C."""
    build_estate(store)
    with store.session() as s:
        s.add_all(Establishment(code=code, name=f"Quiet {code} (HMP)") for code in QUIET)
        s.add(Location(code="LEI-C", establishment="LEI", type="WING"))
        s.flush()
        s.add_all(Location(code=f"LEI-C-{n}", establishment="LEI", type="CELL",
                           parent_code="LEI-C") for n in (120, 121))
        s.add(SeizureItem(seizure_ref="SZ-LEI-1", item_no=1, ts=FIND, establishment="LEI",
                          item_type="HANDSET"))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _page(client: TestClient, user: str, query: str = "") -> str:
    sign_in(client, user)
    answer = client.get("/" + query)
    assert answer.status_code == 200
    return answer.text


def test_a_national_user_gets_the_summary_table_and_totals(client: TestClient) -> None:
    page = _page(client, "nat_analyst")
    assert "Finds per week, all establishments in your scope" in page
    table = page.split("Establishments with activity in these 12 weeks", 1)[1]
    assert "Leeds (HMP)" in table
    assert "/?establishment=LEI" in table
    assert "Quiet Q00" not in page  # nothing happened there: counted, not listed
    assert f"{len(QUIET) + 2} other establishments in your scope had no finds" in page
    assert "Finds per week at Leeds (HMP)" not in page  # no per-prison sections
    assert 'class="govuk-table cw-heat"' not in page


def test_one_establishment_opens_in_full_from_the_summary(client: TestClient) -> None:
    page = _page(client, "nat_analyst", "?establishment=lei")
    assert "Finds per week at Leeds (HMP)" in page
    assert 'id="est-LEI"' in page
    assert 'id="est-HEI"' not in page
    assert "Back to all establishments" in page


def test_a_local_user_cannot_open_another_prisons_section_by_url(client: TestClient) -> None:
    page = _page(client, "hei_analyst", "?establishment=LEI")
    assert "Leeds" not in page
    assert "Finds per week at Hewell (HMP)" in page  # their own overview instead


def test_few_establishments_still_get_a_section_each(client: TestClient) -> None:
    page = _page(client, "wm_analyst")  # West Midlands: Hewell and Berwyn
    assert "Finds per week at Hewell (HMP)" in page
    assert "Finds per week at Berwyn (HMP)" in page
    assert "Establishments with activity in these 12 weeks" not in page


def _detection(n: int, location: str) -> str:
    """One detection at Leeds two days ago at noon UTC (inside the overview's weeks)."""
    day = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    return (
        f"SELECT 'LEI' AS establishment, DATE '{day}' AS day, "
        f"TIMESTAMPTZ '{day} 12:00:00+00' AS ts, 'S1' AS sensor_id, "
        f"'e{n}' AS event_id, 'LEI|S1|e{n}' AS event_key, 'LTE' AS technology, "
        "NULL AS band_mhz, NULL AS rssi_dbm, NULL AS duration_s, NULL AS imsi, NULL AS imei, "
        f"'{location}' AS location_code, true AS location_resolved, false AS ts_ambiguous, "
        f"{n} AS batch_id, 2 AS source_line, NULL AS extra"
    )


def test_the_heat_map_rolls_cells_up_to_their_wing(
        client: TestClient, settings: Settings) -> None:
    lake = Lake(settings)
    con = lake.connect()
    for n, location in enumerate(["LEI-C-120", "LEI-C-121", "LEI-C", "LEI-D-1"], start=1):
        append_batch(con, lake.root, "detections", n, _detection(n, location))
    con.close()
    page = _page(client, "lei_analyst")
    heat = page.split('class="govuk-table cw-heat"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', heat)
    assert rows == ["C", "D-1"]  # C-120 and C-121 are wing C's cells; D-1 is as cut
    wing_c = heat.split(">C</th>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r">(\d+)</td>", wing_c) == ["3"]  # three detections, in one hour
