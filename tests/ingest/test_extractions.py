"""Phone extractions: a UFDR report.xml and the flat CSV read into identifiers, contacts,
calls and message metadata (never message content); hostile files refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellwatch.errors import MalformedFile
from cellwatch.ingest.extractions import MAX_DEPTH, read_flat, read_ufdr

FILES = Path(__file__).parent / "extraction_files"


def test_report_xml_gives_device_contacts_events_and_accounts() -> None:
    x = read_ufdr(FILES / "report.xml")
    assert x.device == {"IMEI": {"352099001761481"}, "ICCID": {"89441100000000000017"},
                        "IMSI": {"234150123456789"}, "MSISDN": {"+447911123456"}}
    assert x.contacts == {"+447700900123": {"Mum"}}
    lines = (FILES / "report.xml").read_text(encoding="utf-8").splitlines()
    bad_contact = next(i for i, t in enumerate(lines, 1) if 'id="c2"' in t)
    assert [(r.line, r.field, r.value, r.reason) for r in x.rejected] == [
        (bad_contact, "contact number", "not a number", "invalid MSISDN: bad format")]
    assert x.extracted_at == "2026-05-03T10:00:00+01:00"
    calls = [e for e in x.events if e.kind == "CALL"]
    messages = [e for e in x.events if e.kind == "MESSAGE"]
    assert [(c.direction, c.parties) for c in calls] == [("Outgoing", ["+447700900123"])]
    assert [(m.application, m.parties) for m in messages] == [("WhatsApp", ["+447700900456"])]
    assert x.accounts == {("instagram", "instagram:jd_hewell")}
    # Message content is not kept anywhere in what was read.
    assert "SECRET" not in repr(x)


def test_flat_csv_gives_the_same_facts(tmp_path: Path) -> None:
    flat = tmp_path / "xry.csv"
    flat.write_text(
        "record,imei,imsi,iccid,msisdn,service,username,name,number,ts,direction,parties,"
        "application\n"
        "DEVICE,352099001761481,234150123456789,,07911 123456,,,,,,,,\n"
        "CONTACT,,,,,,,Mum,+44 7700 900123,,,,\n"
        "CALL,,,,,,,,,2026-05-01T21:14:00+01:00,Outgoing,07700900123,\n"
        "ACCOUNT,,,,,Instagram,jd_hewell,,,,,,\n", encoding="utf-8")
    x = read_flat(flat)
    assert x.device["IMEI"] == {"352099001761481"}
    assert x.contacts == {"+447700900123": {"Mum"}}
    assert x.events[0].parties == ["+447700900123"]
    assert x.accounts == {("instagram", "instagram:jd_hewell")}
    flat.write_text("record,imei\nPHOTO,1\n", encoding="utf-8")
    with pytest.raises(MalformedFile, match=r"xry.csv:2: field record"):
        read_flat(flat)


def test_xml_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "report.xml"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
                    "<project>&lol2;</project>\n", encoding="utf-8")
    with pytest.raises(MalformedFile, match="DTD or entity"):
        read_ufdr(bomb)


def test_deep_nesting_and_malformed_xml_are_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.xml"
    deep.write_text("<project>" + "<a>" * 5000 + "</a>" * 5000 + "</project>",
                    encoding="utf-8")
    with pytest.raises(MalformedFile, match=f"deeper than {MAX_DEPTH}"):
        read_ufdr(deep)
    broken = tmp_path / "broken.xml"
    broken.write_text("<project>\n<metadata section='Device Info'>\n<item>\n</project>",
                      encoding="utf-8")
    with pytest.raises(MalformedFile, match=r"broken.xml:\d+: not well-formed"):
        read_ufdr(broken)


def test_xml_that_is_no_ufdr_report_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_text('<?xml version="1.0"?>\n<!-- a catalogue -->\n<catalog><book/></catalog>',
                     encoding="utf-8")
    with pytest.raises(MalformedFile, match=r"other.xml:3: not a UFDR report: its root "
                       r"element is <catalog>"):
        read_ufdr(other)
