"""A seized phone's contacts as evidence: which prisoners' PIN numbers its contacts hold.

:func:`pin_matches` counts, exactly, the distinct contact numbers of the extractions of
a phone (any extraction naming the identifier as the device's own) that are PIN numbers
of a prisoner (``cellwatch identify``). :func:`extraction_evidence` weighs them as
evidence about who used the phone (issue 20, item 7; attribution lives above ingest, so
this is here): an extraction of a handset whose contacts or call log hold numbers on a
prisoner's PIN list points at him, within limits that keep it from over-reaching
(docs/attribution.md, "Extraction evidence"):

* **Numbers**: the extraction's contacts and the parties of its calls and messages.
  Allow-listed numbers (staff, official, legally privileged lines) are never evidence.
* **Specific only**: a number on exactly one prisoner's PIN list (any approval period)
  points at him; a number on several lists (a family number of brothers, a solicitor)
  points at none of them, and is reported as shared. Specificity is judged over every
  prisoner, whoever the reader may see.
* **Where and when**: the extraction is tied to the seizure record naming one of its
  device identifiers (the latest seized at or before the extraction, else the first)
  and dated by it; an extraction no seizure record ties to an establishment points at no
  one, as the custody rule has nothing to check.
* **Custody, the hard rule**: only a prisoner who occupied a location of the seizure's
  establishment at the seizure's time.
* **Weight**: ``level`` 1 for one specific number, 2 for two or more; ``share`` is the
  specific numbers over his PIN list's distinct numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from cellwatch.ingest.extraction_tables import Extraction, ExtractionEvent, ExtractionIdentifier
from cellwatch.store import AllowListEntry, Location, Occupancy, PinContact, Prisoner, SeizureItem


@dataclass(frozen=True)
class PinMatch:
    """A prisoner whose PIN numbers a phone's extracted contacts hold."""

    prison_number: str
    numbers: tuple[str, ...]  # the matching contact numbers, distinct, in order
    extractions: tuple[int, ...]  # the extractions holding them
    shared: int = 0  # of ``numbers``, those on other prisoners' PIN lists too

    @property
    def sentence(self) -> str:
        """What the evidence says, and no more: a shared number points at no one alone."""
        also = (f"; {self.shared} also on other prisoners' lists" if self.shared else "")
        return (f"extraction contacts match PIN numbers of {self.prison_number} "
                f"({len(self.numbers)}{also})")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"prison_number": self.prison_number, "matched": len(self.numbers),
                "numbers": list(self.numbers), "extractions": list(self.extractions),
                "shared": self.shared, "sentence": self.sentence}


def pin_matches(session: Session, identifier: str, visible: Any = None) -> list[PinMatch]:
    """The prisoners (``visible``: a filter on :class:`Prisoner`) whose PIN numbers are
    among the contacts of the extractions of the phone with ``identifier``."""
    phones = select(ExtractionIdentifier.extraction_id).where(
        ExtractionIdentifier.role == "DEVICE", ExtractionIdentifier.identifier == identifier)
    rows = session.execute(
        select(PinContact.prison_number, ExtractionIdentifier.identifier,
               ExtractionIdentifier.extraction_id)
        .join(PinContact, PinContact.contact_number == ExtractionIdentifier.identifier)
        .join(Prisoner, Prisoner.prison_number == PinContact.prison_number)
        .where(ExtractionIdentifier.role == "CONTACT",
               ExtractionIdentifier.extraction_id.in_(phones),
               true() if visible is None else visible)
        .distinct())
    found: dict[str, tuple[set[str], set[int]]] = {}
    for prison_number, number, extraction_id in rows:
        numbers, extractions = found.setdefault(prison_number, (set(), set()))
        numbers.add(number)
        extractions.add(extraction_id)
    # Shared over every prisoner, whoever the reader may see.
    listed = _listings(session, sorted({n for ns, _ in found.values() for n in ns}))
    return sorted((PinMatch(p, tuple(sorted(n)), tuple(sorted(x)),
                            sum(1 for v in n if len(listed.get(v, ())) > 1))
                   for p, (n, x) in found.items()),
                  key=lambda m: (-len(m.numbers), m.prison_number))


LONDON = ZoneInfo("Europe/London")
DAY_START = timedelta(hours=8)


def evidence_day(ts: datetime) -> date:
    """The night a time falls in (08:00 to 08:00 UK time), as every source's
    (``attribution.features.evidence_day``; statements check the same rule)."""
    aware = ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)
    return (aware.astimezone(LONDON) - DAY_START).date()


DEVICE_COLUMNS = {"IMEI": SeizureItem.imei, "IMSI": SeizureItem.imsi,
                  "ICCID": SeizureItem.iccid, "MSISDN": SeizureItem.msisdn}


@dataclass(frozen=True)
class Seized:
    """The seizure record an extraction is tied to, as recorded."""

    seizure_ref: str
    item_no: int
    ts: datetime
    establishment: str
    location_code: str | None
    taken_from: str | None  # the prisoner the record names, if any

    @property
    def place(self) -> str:
        """The location as recorded, else the establishment."""
        return self.location_code or self.establishment


@dataclass(frozen=True)
class ExtractionEvidence:
    """What one extraction says of one prisoner whose PIN numbers it holds."""

    extraction_id: int
    file_name: str
    tool: str
    extracted_at: datetime
    device: tuple[tuple[str, str], ...]  # the phone's own (type, value), in type order
    seized: Seized | None
    prison_number: str
    specific: tuple[str, ...]  # his PIN numbers on no other prisoner's list
    shared: tuple[str, ...]  # his PIN numbers also on other prisoners' lists
    pin_numbers: int  # distinct numbers on his PIN list
    in_custody: bool  # in the seizure's establishment at its time

    @property
    def points(self) -> bool:
        """Whether this is evidence pointing at him: a specific number, and custody."""
        return bool(self.specific) and self.in_custody and self.seized is not None

    @property
    def level(self) -> int:
        """0 none, 1 one specific number, 2 two or more (only when it :attr:`points`)."""
        return 0 if not self.points else min(len(self.specific), 2)

    @property
    def share(self) -> float:
        """The specific numbers as a share of his PIN list."""
        return len(self.specific) / self.pin_numbers if self.pin_numbers else 0.0

    @property
    def when(self) -> date:
        """The evidence day: the seizure's, else the extraction's."""
        return evidence_day(self.seized.ts if self.seized else self.extracted_at)

    @property
    def why_not(self) -> str | None:
        """Why it does not point at him, in words; None when it does."""
        if self.seized is None:
            return "no seizure record ties the handset to an establishment"
        if not self.specific:
            return "every matching number is on other prisoners' PIN lists too"
        if not self.in_custody:
            return f"not in custody at {self.seized.establishment} when it was seized"
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with provenance."""
        s = self.seized
        return {"source": "EXTRACTION", "extraction_id": self.extraction_id,
                "file": self.file_name, "tool": self.tool,
                "extracted_at": self.extracted_at.isoformat(),
                "device": [{"type": t, "value": v} for t, v in self.device],
                "seizure": None if s is None else {
                    "seizure_ref": s.seizure_ref, "item_no": s.item_no,
                    "ts": s.ts.isoformat(), "establishment": s.establishment,
                    "location_code": s.location_code, "taken_from": s.taken_from},
                "prison_number": self.prison_number, "specific": list(self.specific),
                "shared": list(self.shared), "pin_numbers": self.pin_numbers,
                "in_custody": self.in_custody, "points": self.points, "level": self.level,
                "day": self.when.isoformat(), "why_not": self.why_not}


def extraction_evidence(session: Session, identifiers: Iterable[str] | None = None,
                        prison_numbers: Iterable[str] | None = None,
                        visible: ColumnElement[bool] | None = None) -> list[ExtractionEvidence]:
    """Evidence of the extractions of the phones with ``identifiers`` (all when None), for
    the prisoners ``prison_numbers`` (all when None) that ``visible`` (a filter on
    :class:`Prisoner`) lets the reader see; by extraction, strongest first."""
    query = select(Extraction)
    if identifiers is not None:
        query = query.where(Extraction.id.in_(
            select(ExtractionIdentifier.extraction_id).where(
                ExtractionIdentifier.role == "DEVICE",
                ExtractionIdentifier.identifier.in_(sorted(set(identifiers))))))
    only: set[str] | None = None
    if prison_numbers is not None:
        # Only their PIN numbers can match: the rest of the phone is not read.
        only = set(session.scalars(select(PinContact.contact_number).where(
            PinContact.prison_number.in_(sorted(set(prison_numbers))))))
        if not only:
            return []
        query = query.where(or_(
            Extraction.id.in_(select(ExtractionIdentifier.extraction_id).where(
                ExtractionIdentifier.role == "CONTACT",
                ExtractionIdentifier.identifier.in_(sorted(only)))),
            Extraction.id.in_(select(ExtractionEvent.extraction_id).where(
                ExtractionEvent.party.in_(sorted(only))))))
    extractions = list(session.scalars(query.order_by(Extraction.id)))
    if not extractions:
        return []
    ids = [x.id for x in extractions]
    device, numbers = _device_and_numbers(session, ids, only)
    every = sorted({n for ns in numbers.values() for n in ns})
    allowed = set(session.scalars(select(AllowListEntry.identifier).where(
        AllowListEntry.identifier.in_(every)))) if every else set()
    listed = _listings(session, [n for n in every if n not in allowed])
    wanted = None if prison_numbers is None else set(prison_numbers)
    people = {p for ps in listed.values() for p in ps if wanted is None or p in wanted}
    if visible is not None and people:
        people = set(session.scalars(select(Prisoner.prison_number).where(
            Prisoner.prison_number.in_(sorted(people)), visible)))
    sizes = _list_sizes(session, people)
    items = _seizure_items(session, device)
    stays = _stays(session, people)
    out = []
    for x in extractions:
        seized = _seized(items, device.get(x.id, ()), x.extracted_at)
        mine: dict[str, tuple[list[str], list[str]]] = {}
        for number in sorted(numbers.get(x.id, set()) - allowed):
            holders = listed.get(number, set())
            for p in holders & people:
                mine.setdefault(p, ([], []))[0 if len(holders) == 1 else 1].append(number)
        out += [ExtractionEvidence(
            x.id, x.file_name, x.tool, x.extracted_at, tuple(device.get(x.id, ())), seized, p,
            tuple(spec), tuple(shared), sizes.get(p, 0),
            seized is not None and _held(stays.get(p, ()), seized))
            for p, (spec, shared) in mine.items()]
    return sorted(out, key=lambda e: (e.extraction_id, -e.level, -len(e.specific),
                                      e.prison_number))


def seizures_of(session: Session, extractions: Iterable[Extraction]) -> dict[int, Seized | None]:
    """The seizure each extraction is tied to (None when no record names its phone)."""
    xs = list(extractions)
    device, _ = _device_and_numbers(session, [x.id for x in xs], set())
    items = _seizure_items(session, device)
    return {x.id: _seized(items, device.get(x.id, ()), x.extracted_at) for x in xs}


TYPE_ORDER = ("IMEI", "ICCID", "IMSI", "MSISDN")


def _device_and_numbers(session: Session, ids: list[int], only: set[str] | None
                        ) -> tuple[dict[int, list[tuple[str, str]]], dict[int, set[str]]]:
    """Each extraction's own identifiers, and the numbers of its contacts and call log
    (only those in ``only``, when given)."""
    device: dict[int, list[tuple[str, str]]] = {}
    numbers: dict[int, set[str]] = {}
    for x, kind, value in session.execute(
            select(ExtractionIdentifier.extraction_id, ExtractionIdentifier.identifier_type,
                   ExtractionIdentifier.identifier)
            .where(ExtractionIdentifier.extraction_id.in_(ids),
                   ExtractionIdentifier.role == "DEVICE")):
        if kind in TYPE_ORDER:
            device.setdefault(x, []).append((kind, value))
    contact = select(ExtractionIdentifier.extraction_id, ExtractionIdentifier.identifier).where(
        ExtractionIdentifier.extraction_id.in_(ids), ExtractionIdentifier.role == "CONTACT")
    party = select(ExtractionEvent.extraction_id, ExtractionEvent.party).distinct().where(
        ExtractionEvent.extraction_id.in_(ids), ExtractionEvent.party.is_not(None))
    if only is not None:
        contact = contact.where(ExtractionIdentifier.identifier.in_(sorted(only)))
        party = party.where(ExtractionEvent.party.in_(sorted(only)))
    for query in (contact, party):
        for x, number in session.execute(query):
            if number is not None:
                numbers.setdefault(x, set()).add(number)
    for values in device.values():
        values.sort(key=lambda tv: (TYPE_ORDER.index(tv[0]), tv[1]))
    return device, numbers


def _listings(session: Session, numbers: list[str]) -> dict[str, set[str]]:
    """Each number's prisoners, over every PIN list and approval period."""
    out: dict[str, set[str]] = {}
    if numbers:
        for number, p in session.execute(
                select(PinContact.contact_number, PinContact.prison_number).distinct()
                .where(PinContact.contact_number.in_(numbers))):
            out.setdefault(number, set()).add(p)
    return out


def _list_sizes(session: Session, people: set[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    if people:
        for p, _number in session.execute(
                select(PinContact.prison_number, PinContact.contact_number).distinct()
                .where(PinContact.prison_number.in_(sorted(people)))):
            sizes[p] = sizes.get(p, 0) + 1
    return sizes


Items = dict[tuple[str, str], list[SeizureItem]]


def _seizure_items(session: Session, device: dict[int, list[tuple[str, str]]]) -> Items:
    """Seizure items naming one of the extractions' device identifiers, by (type, value)."""
    by_type: dict[str, set[str]] = {}
    for values in device.values():
        for t, v in values:
            by_type.setdefault(t, set()).add(v)
    out: Items = {}
    match = [DEVICE_COLUMNS[t].in_(sorted(vs)) for t, vs in by_type.items()]
    if match:
        for item in session.scalars(select(SeizureItem).where(or_(*match))):
            for t in DEVICE_COLUMNS:
                if (value := getattr(item, t.lower())) in by_type.get(t, ()):
                    out.setdefault((t, value), []).append(item)
    return out


def _seized(items: Items, device: Iterable[tuple[str, str]],
            extracted_at: datetime) -> Seized | None:
    """The seizure of the phone: the latest at or before the extraction, else the first."""
    found = sorted({i.id: i for key in device for i in items.get(key, [])}.values(),
                   key=lambda i: (i.ts, i.id))
    if not found:
        return None
    before = [i for i in found if i.ts <= extracted_at]
    item = before[-1] if before else found[0]
    return Seized(item.seizure_ref, item.item_no, item.ts, item.establishment,
                  item.location_code, item.prison_number)


Stay = tuple[str, datetime, datetime | None]  # establishment, start, end


def _stays(session: Session, people: set[str]) -> dict[str, list[Stay]]:
    """Each prisoner's stays: the establishment of the location, start and end."""
    out: dict[str, list[Stay]] = {}
    if people:
        for p, est, start, end in session.execute(
                select(Occupancy.prison_number, Location.establishment, Occupancy.start_ts,
                       Occupancy.end_ts)
                .join(Location, Location.code == Occupancy.location_code)
                .where(Occupancy.prison_number.in_(sorted(people)))):
            out.setdefault(p, []).append((est, start, end))
    return out


def _held(stays: Iterable[Stay], seized: Seized) -> bool:
    """In custody in the seizure's establishment at its time (a stay covering it)."""
    return any(est == seized.establishment and start <= seized.ts
               and (end is None or end > seized.ts) for est, start, end in stays)
