"""The staff, visitor and contractor pattern, and how it holds phones out of candidates."""

from __future__ import annotations

from guard_estate import (
    CONTRABAND_IMEI,
    CONTRABAND_IMSI,
    LENT_IMEI,
    LISTED_IMEI,
    STAFF_IMEI,
    STAFF_IMSI,
    VISITOR_IMEI,
    VISITOR_IMSI,
)

from cellwatch.attribution.sources import load_store_tables
from cellwatch.guard.detect import staff_patterns, suspected_staff
from cellwatch.guard.params import GuardParams
from cellwatch.lake.engine_choice import engine_for
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.tro.materialise import candidate_set, refresh


def _verdicts(settings: Settings, store: Store, params: GuardParams | None = None
              ) -> dict[str, str]:
    engine = engine_for(settings)
    try:
        return {p.identifier: p.verdict for p in staff_patterns(engine, store, params)}
    finally:
        engine.close()


def test_each_pattern_gets_its_verdict(settings: Settings, world: Store) -> None:
    found = _verdicts(settings, world)
    assert found[STAFF_IMEI] == found[STAFF_IMSI] == "HOLD"
    assert found[VISITOR_IMEI] == found[VISITOR_IMSI] == "HOLD"
    # A staff-like phone seen one night in a cell, and an allow-listed one: surfaced.
    assert found[LENT_IMEI] == "NIGHT_USE"
    assert found[LISTED_IMEI] == "NIGHT_USE"
    assert CONTRABAND_IMEI not in found
    assert CONTRABAND_IMSI not in found


def test_thresholds_are_parameters(settings: Settings, world: Store) -> None:
    # More zones than the staff phone roams, or working hours that start after its shift
    # does, and it no longer has the pattern.
    strict = GuardParams(min_zones=5, min_settled_days=9)
    assert STAFF_IMEI not in _verdicts(settings, world, strict)
    later = GuardParams(work_start_hour=15)
    assert STAFF_IMEI not in _verdicts(settings, world, later)


def test_an_officer_on_fewer_zones_is_held_when_never_seen_out_of_hours(
        settings: Settings, world: Store) -> None:
    # Fewer zones than a roaming worker (an officer detailed to one wing): the staff phone
    # (8 weekdays, every detection 08:00-16:00) is still held as a settled post ...
    one_post = _verdicts(settings, world, GuardParams(min_zones=6))
    assert one_post[STAFF_IMEI] == one_post[STAFF_IMSI] == "HOLD"
    # ... but not on fewer days than a post takes, and a phone with one night in a cell
    # among its shifts is no settled post (it was surfaced as night use by its roaming).
    assert STAFF_IMEI not in _verdicts(settings, world, GuardParams(min_zones=6,
                                                                    min_settled_days=9))
    assert LENT_IMEI not in one_post
    assert CONTRABAND_IMEI not in one_post


def test_the_evidence_says_why(settings: Settings, world: Store) -> None:
    engine = engine_for(settings)
    try:
        staff = {p.identifier: p for p in staff_patterns(engine, world)}[STAFF_IMEI]
        assert suspected_staff(engine, world) >= {("IMEI", STAFF_IMEI), ("IMSI", STAFF_IMSI)}
    finally:
        engine.close()
    assert staff.days == 8
    assert staff.zones == 4
    assert staff.cell_nights == 0
    assert staff.work_share == 1.0
    assert staff.weekday_share == 1.0
    assert staff.linked == (STAFF_IMSI,)
    evidence = staff.evidence()
    assert evidence["linked"] == [STAFF_IMSI]
    assert evidence["first_local"].startswith("2026-03-02")


def test_held_phones_are_not_candidates_and_flagged_ones_are(settings: Settings,
                                                             world: Store) -> None:
    refresh(settings, world)
    found = {c.identifier: c for c in candidate_set(settings, world).candidates}
    assert STAFF_IMEI not in found
    assert STAFF_IMSI not in found
    assert VISITOR_IMEI not in found
    assert found[CONTRABAND_IMEI].guard_flag is None
    assert found[LENT_IMEI].guard_flag == "NIGHT_USE"
    # The allow-listed phone stays out of candidates (the allow list rules), but is queued.
    assert LISTED_IMEI not in found


def _left_out(settings: Settings, world: Store) -> dict[str, str]:
    """What attribution leaves out, identifier -> reason, as a run loads it."""
    engine = engine_for(settings)
    try:
        load_store_tables(engine, world)
        return {r["identifier"]: r["reason"] for r in
                engine.run("SELECT identifier, reason FROM cw_allow_list").to_pylist()}
    finally:
        engine.close()


def test_attribution_leaves_held_phones_out(settings: Settings, world: Store) -> None:
    refresh(settings, world)
    listed = _left_out(settings, world)
    assert listed[STAFF_IMEI] == listed[VISITOR_IMSI] == "GUARD_HOLD"
    assert listed[LISTED_IMEI] == "STAFF"
    assert LENT_IMEI not in listed
    assert CONTRABAND_IMEI not in listed



def test_the_service_and_the_api_model_say_a_candidate_is_flagged(
        settings: Settings, world: Store) -> None:
    from cellwatch.access.principal import SYSTEM
    from cellwatch.access.service import Access
    from cellwatch.api.routers.tro import CandidateOut
    from cellwatch.tro.service.orders import list_candidates

    refresh(settings, world)
    found = {c.identifier: c for c in list_candidates(Access(world, SYSTEM, settings),
                                                      page=None)}
    lent = found[LENT_IMEI]
    assert lent.guard_flag == "NIGHT_USE"
    assert lent.evidence()["guard_flag"] == "NIGHT_USE"
    assert found[CONTRABAND_IMEI].guard_flag is None
    out = CandidateOut(action=lent.action, **{k: getattr(lent, k) for k in (
        "identifier_type", "identifier", "establishment", "operator", "evidence_days",
        "first_seen", "last_seen", "score", "guard_flag")})
    assert out.guard_flag == "NIGHT_USE"


def test_a_lapsed_allow_list_entry_no_longer_covers_a_staff_phone(
        settings: Settings, world: Store) -> None:
    from datetime import date

    from cellwatch.store import AllowListEntry

    with world.session() as s:
        s.add(AllowListEntry(identifier_type="IMEI", identifier=STAFF_IMEI, reason="STAFF",
                             valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31)))
    # Lapsed before the phone was seen (March 2026): held as if never listed.
    assert _verdicts(settings, world)[STAFF_IMEI] == "HOLD"
    with world.session() as s:
        s.add(AllowListEntry(identifier_type="IMEI", identifier=STAFF_IMEI, reason="STAFF",
                             valid_from=date(2026, 1, 1)))
    assert STAFF_IMEI not in _verdicts(settings, world)


def test_an_attribution_run_reads_a_queue_as_fresh_as_the_lake(settings: Settings,
                                                                world: Store) -> None:
    # The detections landed with no refresh after them (as the library's ingest_file and the
    # evaluation matrix leave it): the run recomputes the queue before it reads it, so the
    # day-time staff phone the guard holds is left out of attribution (issue 14), and the
    # staff phone lent for a night in a cell is flagged, not held: attributed like any other.
    from cellwatch.access.principal import SYSTEM
    from cellwatch.access.service import Access
    from cellwatch.attribution.params import RunParams
    from cellwatch.attribution.service.runs import run_attribution
    from cellwatch.guard.detect import held_keys

    assert not held_keys(world)
    run_attribution(Access(world, SYSTEM, settings), RunParams())
    queue = held_keys(world)
    assert queue[("IMEI", STAFF_IMEI, "HEI")].status == "HELD"
    assert queue[("IMSI", STAFF_IMSI, "HEI")].status == "HELD"
    assert queue[("IMEI", LENT_IMEI, "HEI")].status == "FLAGGED"
    listed = _left_out(settings, world)
    assert listed[STAFF_IMEI] == listed[STAFF_IMSI] == "GUARD_HOLD"
    assert LENT_IMEI not in listed
    assert CONTRABAND_IMEI not in listed
