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
from ingest_support import context, load

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
    from cellwatch.access.service import Access, Denied
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
