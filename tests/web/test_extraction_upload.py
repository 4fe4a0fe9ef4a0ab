"""Issue 20, item 7: a phone extraction's UFDR report.xml is uploaded by its own name on
the ingest page, with the CLI's checks; an XML file that is not a UFDR report, or sent as
another kind, is said in words, and nothing is stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_client import estate_with_liaisons, sign_in

from cellwatch.api.app import create_app
from cellwatch.ingest.extraction_tables import Extraction, ExtractionIdentifier
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, Store

REPORT = Path(__file__).parents[1] / "ingest" / "extraction_files" / "report.xml"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    estate_with_liaisons(store)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _post(client: TestClient, kind: str, name: str, body: bytes) -> str:
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ingest").text)
    assert csrf is not None
    page = client.post("/ingest", data={"kind": kind, "csrf_token": csrf[1]},
                       files={"file": (name, body, "application/xml")})
    return f"{page.status_code} {page.text}"


def test_report_xml_goes_in_by_its_own_name(client: TestClient, store: Store) -> None:
    sign_in(client, "nat_admin")
    page = _post(client, "extractions", "report.xml", REPORT.read_bytes())
    assert page.startswith("200 ")
    assert "Ingested" in page
    with store.session() as s:
        batch = s.scalars(select(IngestBatch)).one()
        assert (batch.kind, batch.file_name, batch.file_format) == (
            "extractions", "report.xml", "xml")
        x = s.scalars(select(Extraction)).one()
        assert (x.file_name, x.tool) == ("report.xml", "UFDR")
        device = s.scalars(select(ExtractionIdentifier.identifier).where(
            ExtractionIdentifier.role == "DEVICE", ExtractionIdentifier.identifier_type ==
            "IMEI")).all()
        assert device == ["352099001761481"]


NOT_UFDR = (b'<?xml version="1.0" encoding="utf-8"?>\n<!-- a catalogue -->\n'
            b'<catalog><book id="1"/></catalog>\n')
CASES = {
    "other-xml": ("extractions", "phone.xml", NOT_UFDR,
                  "is XML but not a Cellebrite UFDR report: its first element is "
                  "&lt;catalog&gt;"),
    "dtd": ("extractions", "report.xml",
            b'<?xml version="1.0"?>\n<!DOCTYPE project [<!ENTITY a "a">]>\n<project/>\n',
            "declares a document type or entities"),
    "not-xml": ("extractions", "report.xml", b"<<<>>> nonsense",
                "is not XML that cellwatch can read"),
    "wrong-kind": ("seizures", "report.xml", REPORT.read_bytes(),
                   "only phone extractions (a Cellebrite UFDR report.xml) are read from XML"),
    "xml-named-csv": ("prisoners", "prisoners.csv", NOT_UFDR, "is an XML file"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_xml_that_is_no_ufdr_report_is_said_in_words(client: TestClient, store: Store,
                                                     settings: Settings, case: str) -> None:
    kind, name, body, said = CASES[case]
    sign_in(client, "nat_admin")
    page = _post(client, kind, name, body)
    assert page.startswith("422 ")
    assert said in page
    assert name in page
    assert str(settings.home) not in page
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(IngestBatch)) == 0

