"""The device page's lake sections say what the lake holds: its detections per establishment
and its count of call records equal a direct count of the lake's rows, its call timeline
shows the newest records but never a privileged number's, from one read of the call
records. The app's lake cursors keep the files' footers between pages.

No browser: FastAPI's TestClient signs in through the real sign-in form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from web_client import sign_in

from cellwatch.access.fixtures import build_estate
from cellwatch.api.app import create_app
from cellwatch.lake import Lake, append_batch
from cellwatch.settings import Settings
from cellwatch.store import AllowListEntry, SeizureItem, Store

IMEI = "353456789012348"  # seized at Hewell: a Hewell analyst may open it
SOLICITOR = "+442079460000"
START = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
CALLS = 57  # more than the page's 50: the count is not the timeline's length
PRIVILEGED_CALLS = 3  # the newest of them, to a solicitor


def _detections(batch: int, establishment: str, days: int, per_day: int) -> str:
    """``per_day`` detections of IMEI (and one of another handset) on each of ``days``."""
    return (
        f"SELECT '{establishment}' AS establishment, CAST(ts AS DATE) AS day, ts, "
        "'S1' AS sensor_id, NULL AS event_id, "
        f"'{establishment}' || '|' || ts || '|' || imei AS event_key, 'LTE' AS technology, "
        "NULL AS band_mhz, NULL AS rssi_dbm, NULL AS duration_s, NULL AS imsi, imei, "
        "NULL AS location_code, true AS location_resolved, false AS ts_ambiguous, "
        f"{batch} AS batch_id, 2 AS source_line, NULL AS extra FROM ("
        f"SELECT TIMESTAMPTZ '{START.isoformat()}' + d * INTERVAL 1 DAY "
        "+ n * INTERVAL 7 MINUTE AS ts, "
        f"CASE WHEN n < {per_day} THEN '{IMEI}' ELSE '356938035643809' END AS imei "
        f"FROM range({days}) AS a(d), range({per_day + 1}) AS b(n))"
    )


def _calls(batch: int) -> str:
    """CALLS call records of IMEI an hour apart over three days; the newest to SOLICITOR."""
    return (
        "SELECT CAST(start_ts AS DATE) AS day, 'EE' AS operator, '23430' AS operator_mccmnc, "
        "'VOICE' AS record_type, start_ts, 60.0 AS duration_s, 'MO' AS direction, "
        "'+447700900001' AS subject_msisdn, NULL AS subject_imsi, "
        f"'{IMEI}' AS subject_imei, other_party, other_party AS other_party_raw, "
        "'C1' AS cell_id, NULL AS cell_lat, NULL AS cell_lon, 'k' || n AS event_key, "
        f"false AS ts_ambiguous, {batch} AS batch_id, n + 2 AS source_line, NULL AS extra "
        f"FROM (SELECT n, TIMESTAMPTZ '{START.isoformat()}' + n * INTERVAL 1 HOUR AS start_ts, "
        f"CASE WHEN n >= {CALLS - PRIVILEGED_CALLS} THEN '{SOLICITOR}' "
        "ELSE '+4477009' || lpad(CAST(n AS VARCHAR), 5, '0') END AS other_party "
        f"FROM range({CALLS}) AS t(n))"
    )


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The fixture estate, the handset seized at Hewell, detected at Hewell and Leeds,
    calling over three days (the last calls to a solicitor's privileged number)."""
    build_estate(store)
    with store.session() as s:
        s.add(SeizureItem(seizure_ref="SZ-1", item_no=1, ts=START, establishment="HEI",
                          item_type="HANDSET", imei=IMEI, prison_number="A1111AA"))
        s.add(AllowListEntry(identifier_type="MSISDN", identifier=SOLICITOR,
                             reason="PRIVILEGED", description="solicitor"))
    lake = Lake(settings)
    con = lake.connect()
    append_batch(con, lake.root, "detections", 1, _detections(1, "HEI", 4, 5))
    append_batch(con, lake.root, "detections", 2, _detections(2, "LEI", 2, 3))
    append_batch(con, lake.root, "call_records", 3, _calls(3))
    con.close()
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _uk(when: datetime) -> str:
    return when.astimezone(ZoneInfo("Europe/London")).strftime("%d %b %Y %H:%M")


def _direct(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    con = Lake(settings).connect()
    try:
        return con.execute(sql, [IMEI]).fetchall()
    finally:
        con.close()


def test_the_device_pages_lake_counts_equal_a_direct_count(
        client: TestClient, settings: Settings) -> None:
    sign_in(client, "hei_analyst")
    page = client.get(f"/identifiers/IMEI/{IMEI}")
    assert page.status_code == 200
    (hei, n, first, last), = _direct(
        settings, "SELECT establishment, count(*), min(ts), max(ts) FROM detections "
        "WHERE imei = ? AND establishment = 'HEI' GROUP BY establishment")
    table = page.text.split('id="detections-by-establishment"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="govuk-table__row"><td class="govuk-table__cell">(\w+)</td>'
                      r'<td [^>]*>(\d+)</td><td [^>]*>([\d-]+)</td><td [^>]*>([\d-]+)</td>',
                      table)
    # Only Hewell: Leeds' detections are outside a Hewell analyst's scope.
    assert rows == [(hei, str(n), str(first)[:10], str(last)[:10])]
    assert n == 20
    (calls, first_call, last_call), = _direct(
        settings, "SELECT count(*), min(start_ts), max(start_ts) FROM call_records "
        "WHERE subject_imei = ?")
    said = re.search(r'id="call-records">([^<]*)</dd>', page.text)
    assert said is not None
    # Every record naming it is counted, the privileged ones too; none of those is shown.
    assert said[1] == f"{calls} naming it, {str(first_call)[:10]} to {str(last_call)[:10]}"
    assert calls == CALLS
    timeline = page.text.split('id="calls"', 1)[1].split("</table>", 1)[0]
    assert timeline.count('<tr class="govuk-table__row">') == 1 + 50  # header + the newest
    assert SOLICITOR not in page.text
    # The 50 shown are the newest not to the solicitor: from call 4 to call 53.
    shown = [_uk(START + timedelta(hours=n)) for n in (4, CALLS - PRIVILEGED_CALLS - 1)]
    assert all(when in timeline for when in shown)
    assert _uk(START + timedelta(hours=3)) not in timeline


def test_the_apps_lake_cursors_keep_the_files_footers(client: TestClient) -> None:
    # A plain SET held only on the connection that ran it, and each page reads through a
    # cursor of its own: the footers were read again on every page.
    shared = client.app.state.lake  # type: ignore[attr-defined]
    with shared.cursor() as first:
        pass
    with shared.cursor() as cursor:
        setting = cursor.execute(
            "SELECT current_setting('parquet_metadata_cache')").fetchall()
    assert first is not cursor
    assert setting == [(True,)]
