"""A seized phone's contacts as evidence: exactly the contacts that are a prisoner's PIN
numbers are counted, for prisoners the principal may see; shown by ``cellwatch identify``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from cellwatch.cli import main
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.extraction_evidence import pin_matches
from cellwatch.ingest.extraction_tables import Extraction, ExtractionIdentifier
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, PinContact, Prisoner, Store

sys.path.insert(0, str(Path(__file__).parent))
from ingest_support import context, estate, load, write_csv

FILES = Path(__file__).parent / "extraction_files"
IMEI = "352099001761481"
NUMBERS = [f"+4477009001{n:02d}" for n in range(10)]


def _people(ctx: IngestContext, tmp: Path, pins: dict[str, list[str]]) -> None:
    (tmp / "p.csv").write_text("prison_number,surname,forenames\n" + "".join(
        f"{p},Doe,John\n" for p in pins), encoding="utf-8")
    load(ctx, "prisoners", tmp / "p.csv")
    (tmp / "pin.csv").write_text("prison_number,contact_number\n" + "".join(
        f"{p},{n}\n" for p, ns in pins.items() for n in ns), encoding="utf-8")
    load(ctx, "pin_contacts", tmp / "pin.csv")


def test_contacts_that_are_pin_numbers_point_at_their_prisoner(
        settings: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ctx = context(store, settings)
    # The fixture phone's one good contact, Mum (+447700900123), is A1234BC's PIN number;
    # B2345CD's PIN number was called from the phone but is no contact: not counted.
    _people(ctx, tmp_path, {"A1234BC": ["07700 900123", NUMBERS[0]],
                            "B2345CD": ["+447700900456"]})
    load(ctx, "extractions", FILES / "report.xml")
    with store.session() as s:
        found = pin_matches(s, IMEI)
        assert [m.sentence for m in found] == [
            "extraction contacts match PIN numbers of A1234BC (1)"]
        assert found[0].numbers == ("+447700900123",)
        assert pin_matches(s, "+447700900123") == []  # a contact is not the phone
    monkeypatch.setenv("CELLWATCH_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CELLWATCH_PRINCIPAL", "system")
    capsys.readouterr()
    assert main(["identify", IMEI]) == 0
    assert "extraction contacts match PIN numbers of A1234BC (1)" in capsys.readouterr().out
    assert main(["identify", "234150123456789", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [m["matched"] for m in doc["extraction_contacts"]] == [1]


@hsettings(max_examples=20, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contacts=st.sets(st.sampled_from(NUMBERS)), pins=st.sets(st.sampled_from(NUMBERS)))
def test_the_count_is_exactly_the_contacts_that_are_pin_numbers(
        store: Store, contacts: set[str], pins: set[str]) -> None:
    with store.session() as s:
        s.query(ExtractionIdentifier).delete()
        s.query(Extraction).delete()
        s.query(PinContact).delete()
        if s.get(Prisoner, "A1234BC") is None:
            s.add(Prisoner(prison_number="A1234BC", surname="Doe", forenames="John"))
        batch = IngestBatch(kind="extractions", file_name="x", file_sha256="", file_size=0,
                            file_format="xml", run_by="t", status="DONE")
        s.add(batch)
        s.flush()
        x = Extraction(batch_id=batch.id, file_name="x", tool="FLAT")
        s.add(x)
        s.flush()
        s.add(ExtractionIdentifier(extraction_id=x.id, source_line=2, role="DEVICE",
                                   identifier_type="IMEI", identifier=IMEI))
        s.add_all(ExtractionIdentifier(extraction_id=x.id, source_line=3, role="CONTACT",
                                       identifier_type="MSISDN", identifier=n)
                  for n in contacts)
        s.add_all(PinContact(prison_number="A1234BC", contact_number=n) for n in pins)
    with store.session() as s:
        found = pin_matches(s, IMEI)
    matched = contacts & pins
    if not matched:
        assert found == []
    else:
        assert [(m.prison_number, set(m.numbers)) for m in found] == [("A1234BC", matched)]
        assert found[0].sentence.endswith(f"({len(matched)})")


def test_only_prisoners_the_principal_may_see_are_named(store: Store, settings: Settings,
                                                        tmp_path: Path) -> None:
    from cellwatch.access.fixtures import build_estate
    from cellwatch.access.principal import principal_for
    from cellwatch.access.service import Access
    from cellwatch.errors import Denied
    from cellwatch.ingest.service import uploads
    from cellwatch.ingest.service.extractions import extraction_contacts

    build_estate(store)
    with store.session() as s:
        s.add_all([PinContact(prison_number="A1111AA", contact_number=NUMBERS[1]),  # HEI
                   PinContact(prison_number="A1111AA", contact_number=NUMBERS[2]),
                   PinContact(prison_number="A3333CC", contact_number=NUMBERS[3])])  # LEI

    def as_user(name: str) -> Access:
        with store.session() as s:
            return Access(store, principal_for(s, name))

    flat = tmp_path / "phone.csv"
    flat.write_text("record,imei,name,number\n" + f"DEVICE,{IMEI},,\n" + "".join(
        f"CONTACT,,c{i},{NUMBERS[i]}\n" for i in (1, 2, 3, 4)), encoding="utf-8")
    # Only a national unit loads extractions (they feed the whole estate's graph).
    with pytest.raises(Denied):
        uploads.check_ingest(as_user("hei_supervisor"), "extractions")
    summary = uploads.ingest_upload(as_user("nat_admin"), settings, "extractions", flat)
    assert (summary.accepted, summary.quarantined) == (5, 0)
    national = extraction_contacts(as_user("nat_analyst"), IMEI)
    assert [(m["prison_number"], m["matched"]) for m in national] == [
        ("A1111AA", 2), ("A3333CC", 1)]
    local = extraction_contacts(as_user("hei_analyst"), IMEI)
    assert [m["sentence"] for m in local] == [
        "extraction contacts match PIN numbers of A1111AA (2)"]
    # A Leeds man's list holds one of A1111AA's numbers too: Hewell's reader is told it
    # is shared (not whose), as it points at no one alone.
    with store.session() as s:
        s.add(PinContact(prison_number="A3333CC", contact_number=NUMBERS[1]))
    local = extraction_contacts(as_user("hei_analyst"), IMEI)
    assert [(m["sentence"], m["shared"]) for m in local] == [
        ("extraction contacts match PIN numbers of A1111AA (2; 1 also on other prisoners' "
         "lists)", 1)]


def test_from_files_to_evidence_and_statement(settings: Settings, store: Store,
                                              tmp_path: Path) -> None:
    """The real path: reference files, a seizure with the IMEI as an officer types it, PIN
    lists and the fixture report.xml, ingested by their kinds, give evidence and a
    statement; the Leeds man sharing Mum's number makes it point at no one."""
    from cellwatch.ingest.extraction_evidence import extraction_evidence
    from cellwatch.statements.extractions import contacts

    ctx = IngestContext(store, settings, "system")  # seizures are written within a scope
    estate(ctx, tmp_path)
    people = [{"prison_number": p, "surname": "Doe", "forenames": "J", "establishment": e}
              for p, e in (("A1234BC", "HEI"), ("B2345CD", "HEI"), ("C3456DE", "LEI"))]
    load(ctx, "prisoners", write_csv(tmp_path / "p.csv", people,
                                     ["prison_number", "surname", "forenames",
                                      "establishment"]))
    stays = [{"prison_number": p, "location_code": f"{e}-A-1-001",
              "start_ts": "2026-01-01T00:00:00Z"} for p, e in
             (("A1234BC", "HEI"), ("B2345CD", "HEI"), ("C3456DE", "LEI"))]
    load(ctx, "occupancy", write_csv(tmp_path / "o.csv", stays,
                                     ["prison_number", "location_code", "start_ts"]))
    seizure = [{"seizure_ref": "HEI-2026-0042", "item_no": 1, "ts": "2026-05-01T23:30:00",
                "establishment": "HEI", "location_code": "HEI-A-1-001",
                "item_type": "HANDSET", "imei": "35-209900-176148-1"}]
    got = load(ctx, "seizures", write_csv(tmp_path / "s.csv", seizure, list(seizure[0])))
    assert got.accepted == 1, got
    # Mum (a contact, and called) is A's; the WhatsApp party is B's.
    _people_pins = {"A1234BC": ["07700 900123"], "B2345CD": ["+447700900456"]}
    (tmp_path / "pin.csv").write_text("prison_number,contact_number\n" + "".join(
        f"{p},{n}\n" for p, ns in _people_pins.items() for n in ns), encoding="utf-8")
    load(ctx, "pin_contacts", tmp_path / "pin.csv")
    load(ctx, "extractions", FILES / "report.xml")
    with store.session() as s:
        found = {e.prison_number: e for e in extraction_evidence(s, [IMEI])}
        assert {p: (e.specific, e.level) for p, e in found.items()} == {
            "A1234BC": (("+447700900123",), 1), "B2345CD": (("+447700900456",), 1)}
        a = found["A1234BC"]
        assert a.seized is not None
        assert (a.seized.seizure_ref, a.when.isoformat()) == ("HEI-2026-0042", "2026-05-01")
        (said,) = contacts(s, "A1234BC")
        assert "seized 2026-05-01 at HEI-A-1-001" in said.text
        assert "lists 1 number among its contacts and call log" in said.text
    # The Leeds man's list holds Mum's number too: it now points at neither.
    (tmp_path / "pin2.csv").write_text("prison_number,contact_number\nC3456DE,07700900123\n",
                                       encoding="utf-8")
    load(ctx, "pin_contacts", tmp_path / "pin2.csv")
    with store.session() as s:
        found = {e.prison_number: e for e in extraction_evidence(s, [IMEI])}
        assert (found["A1234BC"].points, found["A1234BC"].shared) == (
            False, ("+447700900123",))
        assert found["C3456DE"].why_not == "every matching number is on other prisoners' " \
            "PIN lists too"
        assert contacts(s, "A1234BC") == []
        assert [x.count for x in contacts(s, "B2345CD")] == [1]
