"""Display analytics over the lake: privileged other parties never come back."""

from __future__ import annotations

import duckdb
import pytest

from cellwatch.lake.analytics import call_summary, call_timeline, identifier_calls

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


def _many_calls() -> duckdb.DuckDBPyConnection:
    """Five calls of SUBJECT an hour apart; the two newest are to the solicitor."""
    con = duckdb.connect()
    con.sql(
        "CREATE TABLE call_records AS SELECT TIMESTAMPTZ '2026-10-01 10:00:00+00' "
        "+ n * INTERVAL 1 HOUR AS start_ts, 'VOICE' AS record_type, 'MO' AS direction, "
        f"60.0 AS duration_s, 'EE' AS operator, '{SUBJECT}' AS subject_msisdn, "
        "NULL AS subject_imsi, NULL AS subject_imei, "
        f"CASE WHEN n >= 3 THEN '{SOLICITOR}' ELSE '+4477009000' || n END AS other_party, "
        "NULL AS cell_id FROM range(5) AS t(n)"
    )
    return con


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
    direct = con.execute(
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
