"""Display analytics over the lake: privileged other parties never come back."""

from __future__ import annotations

import duckdb

from cellwatch.lake.analytics import call_timeline

SUBJECT = "+447700900001"
SOLICITOR = "+442079460000"


def _calls() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.sql(
        "CREATE TABLE call_records AS SELECT TIMESTAMPTZ '2026-10-01 22:00:00+00' AS start_ts, "
        "'VOICE' AS record_type, 'MO' AS direction, 60.0 AS duration_s, 'EE' AS operator, "
        f"'{SUBJECT}' AS subject_msisdn, NULL AS subject_imsi, NULL AS subject_imei, "
        "x AS other_party, NULL AS cell_id "
        f"FROM (VALUES ('+447700900002'), ('{SOLICITOR}'), (NULL)) AS t(x)"
    )
    return con


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
