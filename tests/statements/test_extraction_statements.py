"""Issue 20, item 7: a seized phone's extraction stated about a prisoner: only when its
contacts and call log hold numbers on his PIN list alone and he was in custody where it
was seized; dated by the seizure; the record as recorded; never another man's name."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import delete

from attribution.extraction_world import add_extraction, build, number, pins
from cellwatch.ingest.extraction_tables import Extraction, ExtractionEvent, ExtractionIdentifier
from cellwatch.statements import Evidence, about
from cellwatch.statements.extractions import contacts
from cellwatch.store import PinContact, Prisoner, Store


def test_the_statement_says_what_the_extraction_and_the_pin_list_say(store: Store) -> None:
    build(store)
    pins(store, {"A1111AA": [number(1), number(2), number(3), number(9)],
                 "B2222BB": [number(3)], "C3333CC": [number(4)]})
    x = add_extraction(store, contacts=[number(1), number(3), number(4)],
                       parties=[number(2)])
    with store.session() as s:
        said = contacts(s, "A1111AA")
        assert [x.text for x in said] == [
            f"Extraction {x} of handset (IMEI 352099001761481) (seized 2026-05-01 at "
            "HEI-A-1-001 (HEI-2026-0042 item 1), recorded as taken from no named prisoner) "
            "lists 2 numbers among its contacts and call log that are on A1111AA's PIN "
            "list and on no other prisoner's (2 of the 4 on his list); 1 more number on his "
            "list is on other prisoners' lists too and not counted"]
        first = said[0]
        assert (first.when, first.kind, first.count, first.probability) == (
            date(2026, 5, 1), "EXTRACTION", 2, None)
        assert first.extra["extraction_id"] == x
        assert first.extra["specific"] == [number(1), number(2)]
        # B's one number is A's too: nothing about B. C is in Leicester: nothing about C.
        assert contacts(s, "B2222BB") == []
        assert contacts(s, "C3333CC") == []
        # A reader who may not see A gets nothing about him.
        assert contacts(s, "A1111AA", visible=Prisoner.establishment == "LEI") == []
        # The parole summary's statements include it, dated by the seizure.
        kinds = [x.kind for x in about(s, Evidence(), "A1111AA", 0.8)]
        assert kinds == ["EXTRACTION"]


@pytest.mark.parametrize(("taken_from", "said"), [
    ("A1111AA", "recorded as taken from the prisoner"),
    ("B2222BB", "recorded as taken from another prisoner"),
])
def test_from_whom_as_recorded_never_naming_another(store: Store, taken_from: str,
                                                     said: str) -> None:
    build(store, taken_from=taken_from)
    pins(store, {"A1111AA": [number(1)]})
    add_extraction(store, contacts=[number(1)])
    with store.session() as s:
        (statement,) = contacts(s, "A1111AA")
    assert said in statement.text
    assert "B2222BB" not in statement.text
    assert "1 number among its contacts and call log that is on A1111AA's" in statement.text


NUMBERS = [number(n) for n in range(6)]


@hsettings(max_examples=25, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.sets(st.sampled_from(NUMBERS)), b=st.sets(st.sampled_from(NUMBERS)),
       on_phone=st.sets(st.sampled_from(NUMBERS)))
def test_the_count_is_his_own_numbers_only(store: Store, a: set[str], b: set[str],
                                           on_phone: set[str]) -> None:
    with store.session() as s:
        for table in (ExtractionEvent, ExtractionIdentifier, Extraction, PinContact):
            s.execute(delete(table))
        built = s.get(Prisoner, "A1111AA") is not None
    if not built:
        build(store)
    pins(store, {"A1111AA": a, "B2222BB": b})
    add_extraction(store, contacts=on_phone)
    with store.session() as s:
        said = contacts(s, "A1111AA")
    own = (a - b) & on_phone
    assert [x.count for x in said] == ([len(own)] if own else [])
    for statement in said:
        assert "B2222BB" not in statement.text
        assert f"lists {len(own)} number" in statement.text
