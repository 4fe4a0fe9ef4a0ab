"""Submitting a graded report (``intelligence.service.submit_intelligence``) on every engine:
the 3x5x2 grade checked, a C code released only to the organisations its conditions name,
identifiers kept in normal form, a prisoner one may not read refused as an unknown one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cellwatch.access.fixtures import build_estate
from cellwatch.access.models import IntelligenceRelease, IntelligenceSubject
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.errors import InvalidData, NotFound
from cellwatch.intelligence.service import (
    GRADES,
    IntelligenceDraft,
    get_intelligence,
    submit_intelligence,
)
from cellwatch.store import Store


@pytest.fixture
def as_user(store: Store) -> Callable[[str], Access]:
    build_estate(store)

    def make(username: str) -> Access:
        with store.session() as s:
            return Access(store, principal_for(s, username))
    return make


def test_a_c_code_reaches_only_the_organisations_it_names(
        as_user: Callable[[str], Access], store: Store) -> None:
    report = submit_intelligence(as_user("hei_analyst"), IntelligenceDraft(
        "Phone in the servery", "2", "b", "C", "Disseminate to wmp only", "HEI",
        "A1111AA", "352099001761481\n+44 7700 900222, 35-209900-176148-1"))
    assert (report.owner_org, report.intelligence_assessment) == ("HEI-SIT", "B")
    assert report.identifiers == ["352099001761481", "+447700900222"]  # one IMEI, kept once
    with store.session() as s:
        assert set(s.scalars(select(IntelligenceRelease.org_code).where(
            IntelligenceRelease.report_id == report.id))) == {"WMP"}
        assert list(s.scalars(select(IntelligenceSubject.prison_number).where(
            IntelligenceSubject.report_id == report.id))) == ["A1111AA"]
    assert get_intelligence(as_user("wmp_investigator"), report.report_ref,
                            "Operation Kite").id == report.id
    with pytest.raises(NotFound):
        get_intelligence(as_user("nat_analyst"), report.report_ref, "review")


def test_a_prisoner_out_of_scope_is_refused_as_unknown(
        as_user: Callable[[str], Access]) -> None:
    access = as_user("lei_analyst")
    answers = []
    for number in ("A1111AA", "Z9999ZZ"):  # Hewell's prisoner, and none
        with pytest.raises(InvalidData) as refused:
            submit_intelligence(access, IntelligenceDraft("x", "1", "A", "P",
                                                          subjects=number))
        answers.append(refused.value.errors["subjects"][0].replace(number, "N"))
    assert answers == ["unknown prisoner N", "unknown prisoner N"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.text(max_size=2), assessment=st.text(max_size=2),
       code=st.text(max_size=2))
def test_every_grade_outside_3x5x2_is_refused_by_its_field(
        as_user: Callable[[str], Access], source: str, assessment: str, code: str) -> None:
    grade = {"source_evaluation": source, "intelligence_assessment": assessment,
             "handling_code": code}
    wrong = {k for k, v in grade.items() if v.strip().upper() not in GRADES[k]}
    draft = IntelligenceDraft("text", source, assessment, code, handling_conditions="NIU")
    if not wrong:
        submit_intelligence(as_user("nat_analyst"), draft)
        return
    with pytest.raises(InvalidData) as refused:
        submit_intelligence(as_user("nat_analyst"), draft)
    assert wrong <= set(refused.value.errors)
