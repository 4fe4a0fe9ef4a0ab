"""Display analytics over the lake: privileged other parties never come back."""

from __future__ import annotations

import duckdb
import pytest

from cellwatch.lake import DuckDBEngine, Lake, append_batch
from cellwatch.lake.analytics import (
    call_summary,
    call_timeline,
    identifier_calls,
    identifier_detections,
)
from cellwatch.settings import Settings

SUBJECT = "+447700900001"
SOLICITOR = "+442079460000"


def _calls() -> DuckDBEngine:
    con = duckdb.connect()
    con.sql(
        "CREATE TABLE call_records AS SELECT TIMESTAMPTZ '2026-10-01 22:00:00+00' AS start_ts, "
        "'VOICE' AS record_type, 'MO' AS direction, 60.0 AS duration_s, 'EE' AS operator, "
        f"'{SUBJECT}' AS subject_msisdn, NULL AS subject_imsi, NULL AS subject_imei, "
        "x AS other_party, NULL AS cell_id, 'k' || coalesce(x, '-') AS event_key "
        f"FROM (VALUES ('+447700900002'), ('{SOLICITOR}'), (NULL)) AS t(x)"
    )
    return DuckDBEngine(con)


def test_privileged_other_parties_are_never_shown() -> None:
    rows = call_timeline(_calls(), SUBJECT, hidden=[SOLICITOR])
    assert {r["other_party"] for r in rows} == {"+447700900002", None}


def test_without_a_hidden_list_every_record_comes_back() -> None:
    assert len(call_timeline(_calls(), SUBJECT)) == 3


def test_a_privileged_number_asked_for_directly_shows_nothing_of_its_calls() -> None:
    assert call_timeline(_calls(), SOLICITOR, hidden=[SOLICITOR]) == []


def test_a_number_is_found_as_subject_or_other_party_when_its_type_is_given() -> None:
    con = _calls()
    assert len(call_timeline(con, SUBJECT, kind="MSISDN")) == 3
    assert len(call_timeline(con, "+447700900002", kind="MSISDN")) == 1


def test_the_type_narrows_the_columns_looked_in() -> None:
    # A number asked for as an IMEI is looked for in the handset column only.
    assert call_timeline(_calls(), SUBJECT, kind="IMEI") == []
    assert len(call_timeline(_calls(), SUBJECT, kind=None)) == 3


def _many_calls() -> DuckDBEngine:
    """Five calls of SUBJECT an hour apart; the two newest are to the solicitor."""
    con = duckdb.connect()
    con.sql(
        "CREATE TABLE call_records AS SELECT TIMESTAMPTZ '2026-10-01 10:00:00+00' "
        "+ n * INTERVAL 1 HOUR AS start_ts, 'VOICE' AS record_type, 'MO' AS direction, "
        f"60.0 AS duration_s, 'EE' AS operator, '{SUBJECT}' AS subject_msisdn, "
        "NULL AS subject_imsi, NULL AS subject_imei, "
        f"CASE WHEN n >= 3 THEN '{SOLICITOR}' ELSE '+4477009000' || n END AS other_party, "
        "NULL AS cell_id, 'k' || n AS event_key FROM range(5) AS t(n)"
    )
    return DuckDBEngine(con)


@pytest.mark.parametrize("limit", [0, 1, 2, 3, 50])
@pytest.mark.parametrize("hidden", [[], [SOLICITOR]])
def test_one_read_gives_the_timeline_and_the_count_of_two(limit: int,
                                                         hidden: list[str]) -> None:
    # The device page's single scan answers as the timeline and the count did apart: the
    # count takes every record (privileged ones too), the timeline the newest shown ones
    # even when the newest of all are hidden.
    con = _many_calls()
    summary, rows = identifier_calls(con, SUBJECT, limit=limit, hidden=hidden, kind="MSISDN")
    assert rows == call_timeline(con, SUBJECT, limit=limit, hidden=hidden, kind="MSISDN")
    assert summary == call_summary(con, SUBJECT, kind="MSISDN")
    direct = con.connection.execute(
        "SELECT count(*), min(start_ts), max(start_ts) FROM call_records "
        "WHERE subject_msisdn = ? OR other_party = ?", [SUBJECT, SUBJECT]).fetchall()
    assert [(summary.count, summary.first, summary.last)] == direct
    assert summary.count == 5
    assert len(rows) == min(limit, 3 if hidden else 5)
    if hidden:
        assert SOLICITOR not in {r["other_party"] for r in rows}


def test_nothing_naming_it_counts_zero_and_shows_nothing() -> None:
    summary, rows = identifier_calls(_many_calls(), "+447700900999", kind="MSISDN")
    assert (summary.count, summary.first, summary.last, rows) == (0, None, None, [])
    assert summary.to_dict() == {"count": 0, "first": None, "last": None}


def _detections_at(establishment: str, batch: int, imeis: list[str]) -> str:
    """One detection per IMEI at ``establishment`` on two days."""
    values = ", ".join(f"('{imei}', {n})" for n, imei in enumerate(imeis))
    return (
        f"SELECT '{establishment}' AS establishment, CAST(ts AS DATE) AS day, ts, "
        "'S1' AS sensor_id, NULL AS event_id, imei || n AS event_key, 'LTE' AS technology, "
        "NULL AS band_mhz, NULL AS rssi_dbm, NULL AS duration_s, NULL AS imsi, imei, "
        "NULL AS location_code, true AS location_resolved, false AS ts_ambiguous, "
        f"{batch} AS batch_id, 2 AS source_line, NULL AS extra FROM (SELECT imei, n, "
        "TIMESTAMPTZ '2026-10-01 21:00:00+00' + (n % 2) * INTERVAL 1 DAY AS ts "
        f"FROM (VALUES {values}) AS t(imei, n))"
    )


@pytest.mark.parametrize("scope", [None, [], ["HEI"], ["LEI", "HEI"], ["MDI"],
                                   ["MDI", "LEI"], ["HEI", "../x"]])
def test_an_establishments_own_files_count_as_the_view_does(
        sqlite_settings: Settings, scope: list[str] | None) -> None:
    # Read from the establishments' own directories (no listing of every partition), an
    # identifier's detections are the view's: MDI has no files at all, "../x" is no code.
    lake = Lake(sqlite_settings)
    con = lake.connect()
    imei = "353456789012348"
    append_batch(con, lake.root, "detections", 1, _detections_at("HEI", 1, [imei] * 3))
    append_batch(con, lake.root, "detections", 2, _detections_at("LEI", 2, [imei, "1"]))
    lake.refresh_views(con)
    engine = DuckDBEngine(con)
    from_files = identifier_detections(engine, "imei", imei, scope, root=lake.root)
    assert from_files == identifier_detections(engine, "imei", imei, scope)
    expected = {"HEI": 3, "LEI": 1}
    assert {e: n for e, n, _first, _last in from_files} == {
        e: n for e, n in expected.items() if scope is None or e in scope}
    con.close()
