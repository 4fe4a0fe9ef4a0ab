"""Statements that rest on an attribution: the holding itself, its detections, seizures
of it and orders on it. Each counts only evidence inside the holding's periods."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cellwatch.statements.counts import DayCount
from cellwatch.statements.model import Basis, Statement
from cellwatch.statements.periods import Holding, evidence_day
from cellwatch.statements.wording import describe, nights, spans
from cellwatch.store import SeizureItem
from cellwatch.tro.models import TroApplication, TroLine


def standing(h: Holding) -> str:
    """How strongly the identifier is tied to the prisoner, in words."""
    if h.confirmed:
        return "attribution confirmed by an analyst" if h.verdict == "CONFIRMED" else \
            "attribution confirmed"
    return f"attribution probability {h.probability:.2f}"


def held(h: Holding) -> str:
    """``attributed to the prisoner on 3 nights: from ... to ...`` (and borrowing)."""
    text = f"attributed to the prisoner on {nights(h.nights)}: {spans(h.periods)}"
    if h.borrowed:
        text += (f"; a short use of an identifier another prisoner held for "
                 f"{nights(h.others_nights)} (borrowed or shared)")
    return text


def attribution(h: Holding) -> Statement:
    """The holding itself."""
    what = describe(h.identifier_type, h.identifier)
    return Statement(h.first, "ATTRIBUTION", f"attr:{h.identifier_type}:{h.identifier}",
                     h.prison_number, f"{what[0].upper()}{what[1:]} {held(h)}", standing(h),
                     Basis(recorded=False, holding=h))


def detections(h: Holding, days: Sequence[DayCount]) -> Statement | None:
    """How many times the identifier was detected inside the holding's periods."""
    if not days:
        return None
    n = sum(d.n for d in days)
    first, last = min(d.first for d in days), max(d.last for d in days)
    what = describe(h.identifier_type, h.identifier)
    on = f"on {nights(len(days))}" if len(days) > 1 else f"on {days[0].eday.isoformat()}"
    return Statement(
        days[0].eday, "DETECTIONS", f"det:{h.identifier}", h.prison_number,
        f"{what[0].upper()}{what[1:]} detected {n} time(s) by sensors {on}, all within the "
        f"periods it is {held(h)}",
        f"sensor records; {standing(h)}", Basis(recorded=False, holding=h), count=n,
        first=first, last=last, extra={"days": [d.eday.isoformat() for d in days]})


def _item_ids(item: SeizureItem) -> list[tuple[str, str]]:
    return [(t, v) for t, v in (("IMEI", item.imei), ("IMSI", item.imsi),
                                ("ICCID", item.iccid), ("MSISDN", item.msisdn)) if v]


def seizures(s: Session, prison_number: str, held_: Iterable[Holding]) -> list[Statement]:
    """Seizures recorded as taken from the prisoner, and seizures of an identifier he held
    on the day it was seized (evidence day inside a period); described as recorded."""
    by_id = {h.identifier: h for h in held_}
    match = [SeizureItem.prison_number == prison_number]
    idents = sorted(by_id)
    if idents:
        match += [SeizureItem.imei.in_(idents), SeizureItem.imsi.in_(idents),
                  SeizureItem.iccid.in_(idents), SeizureItem.msisdn.in_(idents)]
    items = s.scalars(select(SeizureItem).where(or_(*match))
                      .order_by(SeizureItem.ts, SeizureItem.id))
    return [st for item in items if (st := seizure(item, prison_number, by_id)) is not None]


def seizure(item: SeizureItem, prison_number: str,
            by_id: Mapping[str, Holding]) -> Statement | None:
    """One seizure item said of ``prison_number`` (``by_id``: his holdings by identifier),
    or None when it is not his to state: it names someone else and none of its identifiers
    was his on the day it was seized."""
    day = evidence_day(item.ts)
    where = f"at {item.location_code}" if item.location_code else f"in {item.establishment}"
    what = (f"{item.item_type.replace('_', ' ').lower()} seized {where} on "
            f"{item.ts.date().isoformat()} ({item.seizure_ref} item {item.item_no})")
    ref = f"seizure:{item.seizure_ref}/{item.item_no}"
    idents = [v for _t, v in _item_ids(item)]
    if item.prison_number == prison_number:
        return Statement(day, "SEIZURE", ref, prison_number,
                         f"{what[0].upper()}{what[1:]}, recorded as taken from the prisoner",
                         "seizure record naming the prisoner", Basis(recorded=True),
                         extra={"identifiers": idents})
    tied = [(t, v) for t, v in _item_ids(item) if v in by_id and by_id[v].covers(day)]
    if not tied:
        return None  # his identifier, but seized outside every period he held it
    t, v = tied[0]
    h = by_id[v]
    whom = "from another prisoner" if item.prison_number else "from no named prisoner"
    return Statement(
        day, "SEIZURE", ref, prison_number,
        f"{what[0].upper()}{what[1:]}, recorded as taken {whom}; its "
        f"{describe(t, v)} is {held(h)}",
        f"seizure record; {standing(h)}", Basis(recorded=False, holding=h),
        extra={"taken_from": item.prison_number, "identifiers": idents})


def orders(s: Session, prison_number: str, held_: Iterable[Holding]) -> list[Statement]:
    """Disconnection orders on an identifier he held on the order's date (an order names
    identifiers, not people)."""
    by_id = {h.identifier: h for h in held_}
    if not by_id:
        return []
    query = (select(TroLine, TroApplication)
             .join(TroApplication, TroApplication.id == TroLine.application_id)
             .where(TroLine.identifier.in_(sorted(by_id)))
             .order_by(TroApplication.id, TroLine.id))
    out = []
    for line, app in s.execute(query).all():
        when = app.order_date or app.created_at.date()
        h = by_id.get(line.identifier)
        text = (f"{describe(line.identifier_type, line.identifier)} on disconnection "
                f"application/order {app.ref} ({app.state.lower()}; line "
                f"{line.status.lower()})")
        ref = f"tro:{app.ref}:{line.identifier}"
        if h is not None and h.covers(when):
            out.append(Statement(when, "DISCONNECTION_ORDER", ref, prison_number,
                                 f"{text[0].upper()}{text[1:]}; it is {held(h)}",
                                 f"court order record; {standing(h)}",
                                 Basis(recorded=False, holding=h)))
    return out
