"""Issue 20, item 7: a seized phone's contacts as evidence, and its limits. Only numbers
on one prisoner's PIN list point at him (a number on two lists points at neither), only
at a man in custody where the phone was seized, never through an allow-listed number,
and never through what the reader may not see changing what counts as specific."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import ColumnElement, delete

from cellwatch.ingest.extraction_evidence import (
    ExtractionEvidence,
    evidence_day,
    extraction_evidence,
)
from cellwatch.ingest.extraction_tables import Extraction, ExtractionEvent, ExtractionIdentifier
from cellwatch.statements.periods import evidence_day as statements_day
from cellwatch.store import PinContact, Prisoner, Store

from .extraction_world import IMEI, SEIZED_AT, add_extraction, allow, build, number, pins


def _by_prisoner(store: Store, visible: ColumnElement[bool] | None = None
                 ) -> dict[str, ExtractionEvidence]:
    with store.session() as s:
        return {e.prison_number: e for e in extraction_evidence(s, visible=visible)}


def test_specific_numbers_point_and_shared_ones_point_at_no_one(store: Store) -> None:
    build(store)
    pins(store, {"A1111AA": [number(1), number(2), number(3), number(9)],
                 "B2222BB": [number(3), number(4)]})
    x = add_extraction(store, contacts=[number(1), number(3), number(4), number(7)],
                       parties=[number(2)])
    with store.session() as s:
        found = {e.prison_number: e for e in extraction_evidence(s, identifiers=[IMEI])}
    a, b = found["A1111AA"], found["B2222BB"]
    # A: two numbers on his list alone (one a contact, one called), one shared with B.
    assert (a.specific, a.shared, a.pin_numbers) == ((number(1), number(2)), (number(3),), 4)
    assert (a.points, a.level, a.share, a.in_custody) == (True, 2, 0.5, True)
    assert a.seized is not None
    assert a.seized.seizure_ref == "HEI-2026-0042"
    assert a.when == evidence_day(SEIZED_AT) == SEIZED_AT.date()
    doc = a.to_dict()
    assert (doc["source"], doc["extraction_id"], doc["specific"]) == (
        "EXTRACTION", x, [number(1), number(2)])
    # B: one number of his own (4), and the shared one counts for neither.
    assert (b.specific, b.shared, b.level) == ((number(4),), (number(3),), 1)
    # Another phone's identifier finds nothing; a contact is not the phone.
    with store.session() as s:
        assert extraction_evidence(s, identifiers=[number(1)]) == []


def test_a_man_whose_numbers_are_all_shared_is_not_pointed_at(store: Store) -> None:
    build(store)
    pins(store, {"A1111AA": [number(1), number(2)], "B2222BB": [number(1), number(2)]})
    add_extraction(store, contacts=[number(1), number(2)])
    found = _by_prisoner(store)
    assert set(found) == {"A1111AA", "B2222BB"}
    for e in found.values():
        assert (e.points, e.level, e.specific) == (False, 0, ())
        assert "other prisoners' PIN lists" in (e.why_not or "")


def test_custody_is_a_hard_rule(store: Store) -> None:
    build(store)
    # C is in Leicester, D was released from the very cell a month before the seizure.
    pins(store, {"C3333CC": [number(1), number(2)], "A4444DD": [number(3), number(4)],
                 "A1111AA": [number(5)]})
    add_extraction(store, contacts=[number(n) for n in (1, 2, 3, 4, 5)])
    found = _by_prisoner(store)
    for p in ("C3333CC", "A4444DD"):
        e = found[p]
        assert (e.specific != (), e.in_custody, e.points, e.level) == (True, False, False, 0)
        assert e.why_not == "not in custody at HEI when it was seized"
    assert found["A1111AA"].level == 1


def test_no_seizure_record_points_at_no_one(store: Store) -> None:
    build(store, seized=False)
    pins(store, {"A1111AA": [number(1), number(2)]})
    add_extraction(store, contacts=[number(1), number(2)])
    e = _by_prisoner(store)["A1111AA"]
    assert (e.seized, e.points, e.level) == (None, False, 0)
    assert "no seizure record" in (e.why_not or "")


def test_the_latest_seizure_before_the_extraction_is_the_one(store: Store) -> None:
    build(store)
    from cellwatch.store import SeizureItem
    with store.session() as s:  # the same handset found again, after it was extracted
        s.add(SeizureItem(seizure_ref="LEI-2026-0001", item_no=1,
                          ts=SEIZED_AT + timedelta(days=30), establishment="LEI",
                          item_type="HANDSET", imei=IMEI))
    pins(store, {"A1111AA": [number(1)]})
    add_extraction(store, contacts=[number(1)])
    e = _by_prisoner(store)["A1111AA"]
    assert e.seized is not None
    assert e.seized.seizure_ref == "HEI-2026-0042"
    assert e.points


def test_allow_listed_numbers_are_no_evidence(store: Store) -> None:
    build(store)
    pins(store, {"A1111AA": [number(1), number(2)]})
    allow(store, number(1))  # his solicitor: legally privileged
    add_extraction(store, contacts=[number(1)], parties=[number(2)])
    e = _by_prisoner(store)["A1111AA"]
    assert (e.specific, e.shared) == ((number(2),), ())


def test_what_the_reader_may_not_see_still_makes_a_number_shared(store: Store) -> None:
    build(store)
    pins(store, {"A1111AA": [number(1)], "C3333CC": [number(1)]})
    add_extraction(store, contacts=[number(1)])
    hei_only = Prisoner.establishment == "HEI"
    found = _by_prisoner(store, visible=hei_only)
    assert set(found) == {"A1111AA"}  # C is not named to this reader ...
    e = found["A1111AA"]
    assert (e.specific, e.shared, e.points) == ((), (number(1),), False)


NUMBERS = [number(n) for n in range(8)]
PEOPLE = ("A1111AA", "B2222BB", "C3333CC")


@hsettings(max_examples=30, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lists=st.fixed_dictionaries({p: st.sets(st.sampled_from(NUMBERS)) for p in PEOPLE}),
       contacts=st.sets(st.sampled_from(NUMBERS)), parties=st.sets(st.sampled_from(NUMBERS)))
def test_a_number_on_two_lists_never_points_at_either(
        store: Store, lists: dict[str, set[str]], contacts: set[str],
        parties: set[str]) -> None:
    with store.session() as s:
        s.execute(delete(ExtractionEvent))
        s.execute(delete(ExtractionIdentifier))
        s.execute(delete(Extraction))
        s.execute(delete(PinContact))
    if not _built(store):
        build(store)
    pins(store, lists)
    add_extraction(store, contacts=contacts, parties=parties)
    with store.session() as s:
        found = extraction_evidence(s)
    on_phone = contacts | parties
    for e in found:
        mine = lists[e.prison_number] & on_phone
        others = set().union(*(lists[p] for p in PEOPLE if p != e.prison_number))
        assert set(e.specific) == mine - others
        assert set(e.shared) == mine & others
        assert e.level == (0 if not e.points else min(len(mine - others), 2))
        # Custody: C is in Leicester, the phone was seized in Hewell.
        assert e.points == (bool(mine - others) and e.prison_number != "C3333CC")
    assert {e.prison_number for e in found} == {p for p in PEOPLE if lists[p] & on_phone}


def _built(store: Store) -> bool:
    with store.session() as s:
        return s.get(Prisoner, "A1111AA") is not None


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31),
                    timezones=st.just(UTC)))
def test_the_evidence_day_is_the_statements_and_attributions_night(ts: datetime) -> None:
    assert evidence_day(ts) == statements_day(ts)
