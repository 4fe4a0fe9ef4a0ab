"""Every statement of every parole summary and alert on simulated estates holds: its
evidence lies in the periods it names, belongs to the prisoner by a stated attribution,
and its counts equal a direct count in the lake (tests/statements/checks.py computes
them without cellwatch.statements). Two seeds; the second is slow."""

from __future__ import annotations

import itertools

import pytest
from checks import Truth, as_of, check, check_flagged
from sqlalchemy import select

from cellwatch.access.principal import SYSTEM
from cellwatch.alerts.detect.run import run_rules
from cellwatch.lake.rule_context import RuleContext
from cellwatch.parole.evidence import collect_for, gather
from cellwatch.parole.summary import build_summary
from cellwatch.settings import Settings
from cellwatch.store import Prisoner, Store


@pytest.mark.parametrize("floor", [0.5, 0.1])
def test_every_parole_statement_holds(estate: tuple[Settings, Store], floor: float) -> None:
    # At the default floor and a low one (many weak, short attributions: borrowers).
    base, store = estate
    settings = base.model_copy(update={"parole_probability_floor": floor})
    with store.session() as s:
        prisoners = sorted(s.scalars(select(Prisoner.prison_number)))
    ctx = RuleContext(settings, store, as_of(store))
    truth = Truth(settings, store)
    kinds: dict[str, int] = {}
    try:
        evidence = collect_for(ctx, prisoners)
        for pn in prisoners:
            for st in gather(ctx, pn, evidence):
                check(truth, st, floor)
                kinds[st.kind] = kinds.get(st.kind, 0) + 1
        assert kinds.get("ATTRIBUTION", 0) >= 1, kinds
        assert kinds.get("DETECTIONS", 0) >= 1, kinds
        # The summary as rendered: every hedged item keeps its acronyms.
        for pn in prisoners[:40]:
            for item in build_summary(ctx, SYSTEM, pn).items:
                assert "possibly sIM" not in item.text
                assert "possibly iMEI" not in item.text
    finally:
        ctx.close()


def test_borrowed_phones_are_said_to_be_borrowed(estate: tuple[Settings, Store]) -> None:
    base, store = estate
    settings = base.model_copy(update={"parole_probability_floor": 0.1})
    ctx = RuleContext(settings, store, as_of(store))
    try:
        with store.session() as s:
            prisoners = sorted(s.scalars(select(Prisoner.prison_number)))
        evidence = collect_for(ctx, prisoners)
        borrowed = [h for hs in evidence.held.values() for h in hs if h.borrowed]
        assert borrowed, "nobody borrowed a phone on the estate"
        for h in borrowed:
            (st,) = [x for x in gather(ctx, h.prison_number, evidence)
                     if x.kind == "ATTRIBUTION" and x.ref.endswith(h.identifier)]
            assert "borrowed or shared" in st.text
            assert h.nights < h.others_nights
    finally:
        ctx.close()


def test_every_alert_count_is_the_lakes(estate: tuple[Settings, Store]) -> None:
    settings, store = estate
    truth = Truth(settings, store)
    flagged = [a for a in truth.alerts if a.rule == "FLAGGED_DEVICE_DETECTED"]
    assert flagged, "the estate raised no flagged-device alert"
    checked = sum(check_flagged(truth, a, settings.parole_probability_threshold)
                  for a in flagged)
    assert checked >= len(flagged)
    # One alert per prisoner and episode: no two of a prisoner's episodes overlap.
    spans: dict[str, list[tuple[str, str]]] = {}
    for a in flagged:
        spans.setdefault(str(a.prison_number), []).append(tuple(a.details["episode"]))
    for pn, eps in spans.items():
        eps.sort()
        assert all(a[1] < b[0] for a, b in itertools.pairwise(eps)), pn


def test_a_second_run_changes_nothing(estate: tuple[Settings, Store]) -> None:
    settings, store = estate
    again = run_rules(settings, store, as_of=as_of(store), deliver=False)
    assert again.total == 0
    assert not any(again.updated.values())
