"""Every attribution every export states on a simulated estate is a statement that holds:
STIX, MISP, FollowTheMoney and a user's attributions CSV carry exactly the periods
:func:`cellwatch.statements.service.export_claims` gives, and each period is checked
against the store and the lake independently (tests/statements/checks.py): its nights are
attributed to the prisoner in the latest run at or above the floor, it is a whole period
(the nights either side are not), its probability is the top of the run's intervals in
it, its detections and call records are the lake's on its nights, its evidence items and
seizures are dated inside it."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from checks import Truth, eday
from sqlalchemy import select

from cellwatch.access.principal import SYSTEM, Principal
from cellwatch.access.roles import OrgKind, Role
from cellwatch.access.service import Access
from cellwatch.attribution.models import EvidenceItem
from cellwatch.exchange.ftm import entities, identifier_entity_id, person_entity_id
from cellwatch.exchange.misp import build_event, misp_uuid
from cellwatch.exchange.rows import ExportScope
from cellwatch.exchange.service.collect import collect
from cellwatch.exchange.service.exports import attribution_rows_for
from cellwatch.exchange.stix import build_bundle, person_identity_id
from cellwatch.exchange.stix_ids import observable
from cellwatch.settings import Settings
from cellwatch.statements.service import export_claims
from cellwatch.statements.shared import Claim, Stretch
from cellwatch.store import Store

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 7, tzinfo=UTC)
ANALYST = Principal("nat.analyst", 1, "NAT", OrgKind.NATIONAL,
                    frozenset({Role.ANALYST}), None)
COMMENT = re.compile(r"^probability ([\d.]+) \((\w+)\), (\S+) to (\S+):")
SEIZED = re.compile(r"\((\S+) item (\d+)\)")

Key = tuple[str, str, date, date]  # prison number, identifier, first and last night


def _stated(access: Access) -> dict[Key, tuple[Claim, Stretch]]:
    out = {}
    for c in export_claims(access):
        for st in c.stretches:
            out[(c.prison_number, c.holding.identifier, st.period.valid_from,
                 st.period.valid_to)] = (c, st)
    return out


def _night(stamp: str) -> date:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(LONDON).date()


def _evidence(store: Store, ids: list[int], first: date, last: date) -> Counter[str]:
    """The evidence items of the run's intervals ``ids`` dated inside ``first``..``last``,
    worded as exports word them."""
    with store.session() as s:
        items = list(s.scalars(select(EvidenceItem).where(EvidenceItem.attribution_id.in_(ids))))
    return Counter(f"{e.kind}: {e.description} ({e.weight_log2:+.1f} bits, {e.count}x)"
                   for e in items if e.first_seen is not None and e.last_seen is not None
                   and first <= e.first_seen and e.last_seen <= last)


def check_period(truth: Truth, store: Store, key: Key, claim: Claim, st: Stretch,
                 floor: float) -> None:
    """One stated period against the store and the lake, computed without statements."""
    pn, ident, first, last = key
    spans = truth.periods(pn, ident, floor)
    nights = {first + timedelta(days=k) for k in range((last - first).days + 1)}
    assert all(any(a <= n <= b for a, b in spans) for n in nights), key
    for outside in (first - timedelta(days=1), last + timedelta(days=1)):
        assert not any(a <= outside <= b for a, b in spans), (key, "not a whole period")
    rows = [a for a in truth.rows if a.prison_number == pn and a.identifier == ident
            and a.valid_from <= last and first <= a.valid_to and (a.probability >= floor
                                                                 or claim.status == "CONFIRMED")]
    assert st.period.probability == max(a.probability for a in rows), key
    assert st.period.probability >= floor or claim.status == "CONFIRMED", key
    if claim.holding.identifier_type in ("IMEI", "IMSI"):
        assert st.detections == truth.count(ident, [(first, last)]), key
    assert st.calls == truth.count(ident, [(first, last)], calls=True), key
    # The evidence of the intervals the claim rests on (those at or above the floor).
    held = [a.id for a in truth.rows if a.prison_number == pn and a.identifier == ident
            and (a.probability >= floor or claim.status == "CONFIRMED")]
    assert Counter(st.reasons) == _evidence(store, held, first, last), key
    for text in (s.text for s in st.seizures):
        ref, item = SEIZED.findall(text)[0]
        seized = truth.seizures[f"seizure:{ref}/{item}"]
        assert first <= eday(seized.ts) <= last, (key, text)
        assert "recorded as taken" in text
    if claim.holding.borrowed:
        assert "borrowed or shared" in st.text


def _stix(bundle: dict[str, Any], ids: dict[str, str], people: dict[str, str]
          ) -> dict[Key, Any]:
    out = {}
    for o in bundle["objects"]:
        if o.get("relationship_type") == "attributed-to":
            ext = next(iter(o["extensions"].values()))
            key = (people[o["target_ref"]], ids[o["source_ref"]],
                   _night(o["start_time"]), _night(o["stop_time"]) - timedelta(days=1))
            assert key not in out, key
            out[key] = ext
    return out


@pytest.mark.parametrize("floor", [0.5, 0.1])
def test_every_exported_attribution_is_a_statement_that_holds(
        estate: tuple[Settings, Store], floor: float) -> None:
    # At the default floor and a low one (many weak, short attributions: borrowers).
    base, store = estate
    settings = base.model_copy(update={"parole_probability_floor": floor})
    truth = Truth(settings, store)
    access = Access(store, SYSTEM, settings)
    stated = _stated(access)
    assert len(stated) > 15
    for key, (claim, st) in stated.items():
        check_period(truth, store, key, claim, st, floor)
    pairs = {(c.holding.identifier_type, c.holding.identifier, c.prison_number)
             for c, _st in stated.values()}
    data = collect(access, ExportScope(include_intelligence=False, min_probability=0.0), "")

    # STIX: one attributed-to per stated period, with its probability and counts.
    scos = {str(observable(t, v)["id"]): v for t, v, _pn in pairs}
    stix = _stix(build_bundle(data, NOW), scos,
                 {person_identity_id(pn): pn for _t, _v, pn in pairs})
    assert set(stix) == set(stated)
    for key, ext in stix.items():
        claim, st = stated[key]
        assert ext["probability"] == round(st.period.probability, 4)
        assert ext["status"] == claim.status
        assert ext.get("detections") == st.detections
        assert ext.get("calls") == st.calls
        assert ext.get("evidence", []) == list(st.reasons)

    # MISP: one used-by reference per stated period.
    people = {misp_uuid("person", pn): pn for _t, _v, pn in pairs}
    things = {misp_uuid("identifier", t, v): v for t, v, _pn in pairs}
    misp = {}
    for o in build_event(data, NOW).objects:
        for r in o.references:
            if r.relationship_type == "used-by":
                p, status, first, last = COMMENT.findall(r.comment)[0]
                key = (people[r.referenced_uuid], things[o.uuid], date.fromisoformat(first),
                       date.fromisoformat(last))
                misp[key] = (p, status)
    assert misp == {k: (f"{st.period.probability:.3f}", c.status)
                    for k, (c, st) in stated.items()}

    # FollowTheMoney: one UnknownLink per stated period.
    persons = {person_entity_id(pn): pn for _t, _v, pn in pairs}
    idents = {identifier_entity_id(t, v): v for t, v, _pn in pairs}
    links = Counter(
        (persons[e.first("subject")], idents[e.first("object")],
         date.fromisoformat(e.first("startDate")), date.fromisoformat(e.first("endDate")))
        for e in entities(data) if e.schema.name == "UnknownLink")
    assert links == Counter(stated.keys())

    # A user's attributions CSV: the same periods and probabilities.
    _run, rows = attribution_rows_for(Access(store, ANALYST, settings))
    assert Counter((r["prison_number"], r["identifier"], date.fromisoformat(r["valid_from"]),
                    date.fromisoformat(r["valid_to"])) for r in rows) == Counter(stated.keys())
    assert all(r["probability"] == round(stated[(r["prison_number"], r["identifier"],
                                                date.fromisoformat(r["valid_from"]),
                                                date.fromisoformat(r["valid_to"]))][1]
                                         .period.probability, 4) for r in rows)


def test_nothing_below_the_floor_is_exported_and_the_floor_cuts(
        estate: tuple[Settings, Store]) -> None:
    settings, store = estate
    floor = settings.parole_probability_floor
    truth = Truth(settings, store)
    below = {(a.prison_number, a.identifier) for a in truth.rows
             if a.probability < floor and a.status != "CONFIRMED"}
    kept = {(a.prison_number, a.identifier) for a in truth.rows if a.probability >= floor}
    # The estate has leads below the floor that no period at or above it covers.
    assert below - kept
    data = collect(Access(store, SYSTEM, settings),
                   ExportScope(include_intelligence=False, min_probability=0.0), "")
    exported = {(a.prison_number, a.identifier) for a in data.attributions}
    assert not exported & (below - kept)
    assert all(a.probability >= floor for a in data.attributions
               if a.status != "CONFIRMED")
    # Asking for more than the floor raises it; asking for less does not lower it.
    probabilities = sorted(a.probability for a in data.attributions)
    cut = probabilities[len(probabilities) // 2]
    higher = collect(Access(store, SYSTEM, settings),
                     ExportScope(include_intelligence=False, min_probability=cut), "")
    assert higher.attributions
    assert all(a.probability >= cut for a in higher.attributions
               if a.status != "CONFIRMED")
    lower = collect(Access(store, SYSTEM, settings),
                    ExportScope(include_intelligence=False, min_probability=0.01), "")
    assert lower.attributions == data.attributions
