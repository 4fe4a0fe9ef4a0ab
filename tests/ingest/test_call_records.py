"""Call-record ingest: numbers to E.164 in SQL with a Python fallback, enums, subjects."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.lake_phones import e164_sql, python_e164
from cellwatch.ingest.registry import ingest_file
from cellwatch.lake import Lake
from cellwatch.lake.analytic_engine import DuckDBEngine
from cellwatch.settings import Settings
from cellwatch.store import QuarantinedRow, Store

HEADER = (
    "operator,record_type,start_ts,duration_s,direction,"
    "subject_msisdn,subject_imsi,subject_imei,other_party"
)


@pytest.fixture
def ctx(store: Store, settings: Settings) -> IngestContext:
    return IngestContext(store, settings, "analyst.one")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("00447700900123", "+447700900123"),
        ("447700900123", "+447700900123"),
        ("020-7946-0018", "+442079460018"),
        ("+1 202 555 0143", "+12025550143"),
        ("WITHHELD", None),
        ("7700900123", None),
    ],
)
def test_sql_settles_the_usual_shapes(raw: str, expected: str | None) -> None:
    engine = DuckDBEngine()
    got = engine.run(f"SELECT {e164_sql('x')} AS e FROM (SELECT ? AS x)", [raw])
    assert got.column("e")[0].as_py() == expected
    if expected is not None:
        assert python_e164(raw) == expected


def test_call_records_go_in_with_numbers_normalised(ctx: IngestContext, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        f"{HEADER}\n"
        "Vodafone UK,voice,2025-06-01T10:00:00Z,60,MO,07700 900123,,,+44 (0)7700 900456\n"
        "234-15,SMS,2025-10-26 01:10:00,,mt,,234150123456789,,WITHHELD\n"
        "EE,DATA,2025-06-01T10:00:00Z,,out,7700900123,,3520990017614823,\n"
        "O2,FAX,2025-06-01T10:00:00Z,,MX,,,,\n"
        "O2,SMS,2025-06-01T10:00:00Z,,MO,hello,,,\n",
        encoding="utf-8",
    )
    summary = ingest_file(ctx, "call_records", path)
    assert (summary.read, summary.accepted, summary.quarantined) == (5, 3, 2)
    assert summary.flagged == {"ambiguous_time": 1}
    rows = Lake(ctx.settings).query("SELECT * FROM call_records ORDER BY source_line").to_pylist()
    first, second, third = rows
    assert first["subject_msisdn"] == "+447700900123"
    assert first["other_party"] == "+447700900456"
    assert first["other_party_raw"] == "+44 (0)7700 900456"
    assert first["record_type"] == "VOICE"
    assert second["operator_mccmnc"] == "23415"
    assert second["direction"] == "MT"
    assert second["other_party"] == "WITHHELD"
    assert second["ts_ambiguous"] is True
    # Settled by phonenumbers in Python: a UK mobile written without its 0.
    assert third["subject_msisdn"] == "+447700900123"
    assert third["subject_imei"] == "352099001761481"
    assert third["direction"] == "MO"
    with ctx.store.session() as session:
        bad = list(session.scalars(select(QuarantinedRow).order_by(QuarantinedRow.line)))
    assert [r.line for r in bad] == [5, 6]
    assert {p["field"] for p in bad[0].problems} == {"record_type", "direction", "subject_msisdn"}
    # The reason a PIN list gives for the same value (one verdict everywhere).
    assert bad[1].problems == [{"field": "subject_msisdn", "reason": "invalid MSISDN: bad format"}]
    again = ingest_file(ctx, "call_records", path)
    assert again.already_ingested
