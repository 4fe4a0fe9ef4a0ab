"""Phone extractions as an ingest kind: provenance, quarantine with file/line/field/reason,
the one identifier verdict, and links into the identity graph with source EXTRACTION."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cellwatch.attribution.graph import update_links
from cellwatch.attribution.models import IdentityLink
from cellwatch.attribution.sources import open_engine
from cellwatch.cli import main
from cellwatch.errors import MalformedFile
from cellwatch.ingest.extraction_tables import (
    Extraction,
    ExtractionEvent,
    ExtractionIdentifier,
    ExtractionLink,
)
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, QuarantinedRow, Store

sys.path.insert(0, str(Path(__file__).parent))
from ingest_support import context, count, load

FILES = Path(__file__).parent / "extraction_files"
IMEI, IMSI, ICCID = "352099001761481", "234150123456789", "89441100000000000017"
NUMBER = "+447911123456"
HEADER = ("record,imei,imsi,iccid,msisdn,service,username,name,number,ts,direction,parties,"
          "application\n")


def _graph(settings: Settings, store: Store) -> dict[tuple[str, str, str, str], IdentityLink]:
    engine = open_engine(settings, store)
    try:
        update_links(store, engine)
    finally:
        engine.close()
    with store.session() as s:
        return {(k.a_type, k.a, k.b_type, k.b): k for k in s.scalars(
            select(IdentityLink).where(IdentityLink.source == "EXTRACTION"))}


def test_report_xml_is_stored_with_provenance_and_quarantine(settings: Settings,
                                                             store: Store) -> None:
    summary = load(context(store, settings), "extractions", FILES / "report.xml")
    # 4 device identifiers, 1 account, 1 contact; 1 call and 1 message party.
    assert (summary.accepted, summary.quarantined) == (8, 1)
    assert summary.reasons == {"contact number: invalid MSISDN: bad format": 1}
    with store.session() as s:
        batch = s.get(IngestBatch, summary.batch_id)
        assert batch is not None
        assert (batch.kind, batch.status, batch.file_format) == (
            "extractions", "DONE", "xml")
        row = s.scalars(select(Extraction)).one()
        assert (row.batch_id, row.tool) == (summary.batch_id, "UFDR")
        assert row.extracted_at.isoformat() == "2026-05-03T09:00:00+00:00"
        held = {(i.role, i.identifier_type, i.identifier, i.name)
                for i in s.scalars(select(ExtractionIdentifier))}
        assert held == {("DEVICE", "IMEI", IMEI, None), ("DEVICE", "IMSI", IMSI, None),
                        ("DEVICE", "ICCID", ICCID, None), ("DEVICE", "MSISDN", NUMBER, None),
                        ("ACCOUNT", "ACCOUNT", "instagram:jd_hewell", None),
                        ("CONTACT", "MSISDN", "+447700900123", "Mum")}
        events = {(e.kind, e.party, e.ts.isoformat() if e.ts else None)
                  for e in s.scalars(select(ExtractionEvent))}
        assert events == {("CALL", "+447700900123", "2026-05-01T20:14:00+00:00"),
                          ("MESSAGE", "+447700900456", "2026-05-02T21:01:00+00:00")}
        bad = s.scalars(select(QuarantinedRow)).one()
        lines = (FILES / "report.xml").read_text(encoding="utf-8").splitlines()
        assert (bad.kind, bad.file_name, bad.field, bad.reason) == (
            "extractions", str(FILES / "report.xml"), "contact number",
            "invalid MSISDN: bad format")
        assert 'id="c2"' in lines[bad.line - 1]
        assert bad.raw == {"field": "contact number", "value": "not a number"}
    # Message content went nowhere: not in any stored row.
    with store.session() as s:
        stored = [repr(r.__dict__) for m in (ExtractionIdentifier, ExtractionEvent)
                  for r in s.scalars(select(m))]
    assert not any("SECRET" in text for text in stored)
    # The same file again changes nothing.
    assert load(context(store, settings), "extractions", FILES / "report.xml").already_ingested
    assert count(store, Extraction) == 1


def test_extraction_links_enter_the_graph_once(settings: Settings, store: Store) -> None:
    load(context(store, settings), "extractions", FILES / "report.xml")
    links = _graph(settings, store)
    assert set(links) == {("IMEI", IMEI, "IMSI", IMSI), ("IMEI", IMEI, "ICCID", ICCID),
                          ("ICCID", ICCID, "IMSI", IMSI), ("IMSI", IMSI, "MSISDN", NUMBER),
                          ("IMEI", IMEI, "ACCOUNT", "instagram:jd_hewell")}
    link = links[("IMEI", IMEI, "IMSI", IMSI)]
    assert (link.count, link.status, link.first_seen.isoformat()) == (
        1, "ACTIVE", "2026-05-03T09:00:00+00:00")
    # A second build merges nothing again; every extraction link is marked as merged.
    again = _graph(settings, store)
    assert {k: v.count for k, v in again.items()} == {k: 1 for k in links}
    with store.session() as s:
        assert all(x.build_id is not None for x in s.scalars(select(ExtractionLink)))


def test_two_sims_link_the_handset_but_no_number(settings: Settings, store: Store,
                                                 tmp_path: Path) -> None:
    flat = tmp_path / "xry.csv"
    flat.write_text(HEADER +
                    f"DEVICE,{IMEI},{IMSI},,{NUMBER},,,,,2026-05-03T10:00:00,,,\n"
                    "DEVICE,,234150987654321,,07700 900999,,,,,,,,\n"
                    "DEVICE,352099001761482,,,,,,,,,,,\n"
                    "CALL,,,,,,,,,yesterday,Outgoing,07700900123,\n", encoding="utf-8")
    summary = load(context(store, settings), "extractions", flat)
    assert summary.reasons == {"device imei: invalid IMEI: wrong check digit": 1,
                               "ts: not an ISO 8601 timestamp: 'yesterday'": 1}
    with store.session() as s:
        lines = sorted((q.line, q.field) for q in s.scalars(select(QuarantinedRow)))
    assert lines == [(4, "device imei"), (5, "ts")]
    links = _graph(settings, store)
    assert set(links) == {("IMEI", IMEI, "IMSI", IMSI),
                          ("IMEI", IMEI, "IMSI", "234150987654321")}


def test_an_allow_listed_identifier_is_not_linked(settings: Settings, store: Store,
                                                   tmp_path: Path) -> None:
    ctx = context(store, settings)
    allow = tmp_path / "allow.csv"
    allow.write_text(f"identifier,reason\n{IMEI},STAFF\n", encoding="utf-8")
    load(ctx, "allow_list", allow)
    load(ctx, "extractions", FILES / "report.xml")
    assert set(_graph(settings, store)) == {("ICCID", ICCID, "IMSI", IMSI),
                                            ("IMSI", IMSI, "MSISDN", NUMBER)}


def test_hostile_and_malformed_files_store_nothing(settings: Settings, store: Store,
                                                    tmp_path: Path) -> None:
    ctx = context(store, settings)
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n'
                    "<project>&lol;</project>\n", encoding="utf-8")
    deep = tmp_path / "deep.xml"
    deep.write_text("<project>" + "<a>" * 5000 + "</a>" * 5000 + "</project>")
    broken = tmp_path / "broken.xml"
    broken.write_text("<project>\n<metadata section='Device Info'>\n</project>")
    odd = tmp_path / "odd.csv"
    odd.write_text(HEADER + "PHOTO,,,,,,,,,,,,\n")
    for path, reason in ((bomb, "DTD or entity"), (deep, "nesting deeper than 64"),
                         (broken, r"broken.xml:3: not well-formed"),
                         (odd, r"odd.csv:2: field record")):
        with pytest.raises(MalformedFile, match=reason):
            load(ctx, "extractions", path)
    assert count(store, IngestBatch) == 0
    assert count(store, Extraction) == 0


def test_cli_refuses_a_hostile_file_with_exit_2(settings: Settings, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CELLWATCH_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CELLWATCH_PRINCIPAL", "system")
    deep = tmp_path / "report.xml"
    deep.write_text("<project>" + "<a>" * 5000 + "</a>" * 5000 + "</project>")
    assert main(["ingest", "extractions", str(deep)]) == 2
    out = capsys.readouterr()
    assert "nesting deeper than 64" in out.out + out.err
    assert "Traceback" not in out.out + out.err
    code = main(["ingest", "extractions", str(FILES / "report.xml"), "--json"])
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert (code, doc["accepted"], doc["quarantined"]) == (1, 8, 1)
