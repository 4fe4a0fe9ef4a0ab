"""A hand-made estate for extraction evidence: two prisons, a seized handset, PIN lists.

Hewell (HEI) holds A1111AA and B2222BB from January 2026; Leicester (LEI) holds
C3333CC. A4444DD was at Hewell until April and released. The handset IMEI
352099001761481 was seized in HEI-A-1-001 at 21:00 UTC on 1 May 2026, recorded as taken
from no one (``taken_from`` changes that); the extraction ``add_extraction`` stores lists
its contacts and call-log parties.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from cellwatch.ingest.extraction_tables import Extraction, ExtractionEvent, ExtractionIdentifier
from cellwatch.store import (
    AllowListEntry,
    Establishment,
    IngestBatch,
    Location,
    Occupancy,
    PinContact,
    Prisoner,
    SeizureItem,
    Store,
)

IMEI = "352099001761481"
IMSI = "234150123456789"
SEIZED_AT = datetime(2026, 5, 1, 21, 0, tzinfo=UTC)
EXTRACTED_AT = datetime(2026, 5, 3, 9, 0, tzinfo=UTC)
CELL = "HEI-A-1-001"


def number(n: int) -> str:
    """A distinct valid UK mobile number."""
    return f"+4477009{n:05d}"


def build(store: Store, taken_from: str | None = None, seized: bool = True) -> None:
    """The estate, the occupancy and (unless ``seized`` is False) the seizure record."""
    jan, apr = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    with store.session() as s:
        s.add_all([Establishment(code="HEI", name="Hewell"),
                   Establishment(code="LEI", name="Leicester")])
        s.flush()
        s.add_all([Location(code=CELL, establishment="HEI", type="CELL"),
                   Location(code="HEI-A-1-002", establishment="HEI", type="CELL"),
                   Location(code="LEI-A-1-001", establishment="LEI", type="CELL")])
        s.add_all([Prisoner(prison_number=p, surname="DOE", forenames=f, establishment=e)
                   for p, f, e in (("A1111AA", "Adam", "HEI"), ("B2222BB", "Ben", "HEI"),
                                   ("C3333CC", "Carl", "LEI"), ("A4444DD", "Dan", None))])
        s.flush()
        s.add_all([Occupancy(prison_number="A1111AA", location_code=CELL, start_ts=jan),
                   Occupancy(prison_number="B2222BB", location_code="HEI-A-1-002",
                             start_ts=jan),
                   Occupancy(prison_number="C3333CC", location_code="LEI-A-1-001",
                             start_ts=jan),
                   Occupancy(prison_number="A4444DD", location_code=CELL, start_ts=jan,
                             end_ts=apr)])
        if seized:
            s.add(SeizureItem(seizure_ref="HEI-2026-0042", item_no=1, ts=SEIZED_AT,
                              establishment="HEI", location_code=CELL,
                              search_type="CELL_SEARCH", item_type="HANDSET", imei=IMEI,
                              prison_number=taken_from))


def pins(store: Store, lists: Mapping[str, Iterable[str]]) -> None:
    """PIN lists: prison number -> numbers."""
    with store.session() as s:
        s.add_all(PinContact(prison_number=p, contact_number=n, relationship="FAMILY")
                  for p, ns in lists.items() for n in ns)


def allow(store: Store, identifier: str) -> None:
    """An allow-listed (legally privileged) number."""
    with store.session() as s:
        s.add(AllowListEntry(identifier_type="MSISDN", identifier=identifier,
                             reason="PRIVILEGED"))


def add_extraction(store: Store, contacts: Iterable[str], parties: Iterable[str] = (),
                   device: Mapping[str, str] | None = None) -> int:
    """An extraction of the handset (``device``: type -> value) with these contacts and
    call-log parties; its id."""
    with store.session() as s:
        batch = IngestBatch(kind="extractions", file_name="report.xml", file_sha256="",
                            file_size=0, file_format="xml", run_by="t", status="DONE")
        s.add(batch)
        s.flush()
        x = Extraction(batch_id=batch.id, file_name="report.xml", tool="UFDR",
                       extracted_at=EXTRACTED_AT)
        s.add(x)
        s.flush()
        for kind, value in (device or {"IMEI": IMEI, "IMSI": IMSI}).items():
            s.add(ExtractionIdentifier(extraction_id=x.id, source_line=5, role="DEVICE",
                                       identifier_type=kind, identifier=value))
        s.add_all(ExtractionIdentifier(extraction_id=x.id, source_line=10, role="CONTACT",
                                       identifier_type="MSISDN", identifier=n,
                                       name=f"contact {n[-3:]}") for n in contacts)
        s.add_all(ExtractionEvent(extraction_id=x.id, source_line=20, kind="CALL",
                                  ts=SEIZED_AT, direction="Outgoing", party=n)
                  for n in parties)
        return x.id
