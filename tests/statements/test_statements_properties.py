"""Property tests of the statement rules on a hand-made estate (tests/attribution/estate.py:
one phone detected three times a night for ten nights): whatever periods the run
attributes, the detections stated are exactly those of the nights inside them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attribution import estate as hand
from cellwatch.attribution.models import Attribution, AttributionRun, Judgement
from cellwatch.lake.rule_context import RuleContext
from cellwatch.parole.evidence import gather
from cellwatch.settings import Settings
from cellwatch.statements import possibly
from cellwatch.statements.periods import merge
from cellwatch.store import Store, open_store

NIGHTS = 10  # the phone is detected on days 0..9 after hand.START, 3 times a night
intervals = st.lists(st.tuples(st.integers(-3, 14), st.integers(0, 5),
                               st.floats(0.0, 1.0)), min_size=1, max_size=5)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store]]:
    """The hand-made estate with its ten nights of detections and the seizure."""
    conf = Settings(home=tmp_path_factory.mktemp("hand") / "home", environment="test")
    store = open_store(conf)
    hand.build_store(store)
    hand.write_lake(conf, days=NIGHTS)
    hand.add_seizure(store, day=9)
    yield conf, store
    store.dispose()


def _run(store: Store, rows: list[tuple[int, int, float]], who: str = hand.OWNER) -> None:
    with store.session() as s:
        run = AttributionRun(status="DONE", engine="duckdb", run_by="test", params={},
                             finished_at=datetime.now(UTC))
        s.add(run)
        s.flush()
        for start, length, p in rows:
            s.add(Attribution(run_id=run.id, identifier_type="IMEI", identifier=hand.IMEI,
                              prison_number=who, probability=p, rank=1,
                              valid_from=hand.START + timedelta(days=start),
                              valid_to=hand.START + timedelta(days=start + length)))


def _days(rows: list[tuple[int, int, float]], floor: float) -> set[int]:
    return {d for start, length, p in rows if p >= floor
            for d in range(start, start + length + 1)}


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=intervals)
def test_detections_stated_are_those_inside_the_periods(
        world: tuple[Settings, Store], rows: list[tuple[int, int, float]]) -> None:
    conf, store = world
    _run(store, rows)
    ctx = RuleContext(conf, store, date(2024, 3, 1))
    try:
        items = gather(ctx, hand.OWNER)
    finally:
        ctx.close()
    held = _days(rows, conf.parole_probability_floor)
    inside = held & set(range(NIGHTS))
    det = [i for i in items if i.kind == "DETECTIONS"]
    if not inside:
        assert det == []
    else:
        (statement,) = det
        assert statement.count == 3 * len(inside)
        assert statement.first is not None
        assert (statement.first - datetime.combine(hand.START, datetime.min.time(), UTC)
                ).days == min(inside)
    attributed = [i for i in items if i.kind == "ATTRIBUTION"]
    assert len(attributed) == (1 if held else 0)
    # The seizure (day 9, in his cell, naming nobody) is his only if he held it that night.
    seized = [i for i in items if i.kind == "SEIZURE"]
    assert len(seized) == (1 if 9 in held else 0)
    for i in seized:
        assert "recorded as taken from no named prisoner" in i.text


def test_a_confirmed_verdict_shows_at_once_and_a_rejected_one_removes(
        world: tuple[Settings, Store]) -> None:
    conf, store = world
    _run(store, [(0, 2, 0.3)])  # below the floor: nothing said
    ctx = RuleContext(conf, store, date(2024, 3, 1))
    try:
        assert [i for i in gather(ctx, hand.OWNER) if i.kind == "ATTRIBUTION"] == []
        with store.session() as s:
            s.add(Judgement(target="ATTRIBUTION", subject_type="IMEI", subject=hand.IMEI,
                            object_type="PRISONER", object=hand.OWNER, verdict="CONFIRMED",
                            reason="found on him", by="analyst"))
        (item,) = [i for i in gather(ctx, hand.OWNER) if i.kind == "ATTRIBUTION"]
        assert item.basis.holding is not None
        assert item.basis.holding.status == "CONFIRMED"
        assert "confirmed by an analyst" in item.strength
        with store.session() as s:
            s.add(Judgement(target="ATTRIBUTION", subject_type="IMEI", subject=hand.IMEI,
                            object_type="PRISONER", object=hand.OWNER, verdict="REJECTED",
                            reason="wrong man", by="analyst",
                            at=datetime.now(UTC) + timedelta(seconds=1)))
        assert gather(ctx, hand.OWNER) == [i for i in gather(ctx, hand.OWNER)
                                           if i.kind != "ATTRIBUTION"]
        assert [i for i in gather(ctx, hand.OWNER) if i.kind == "DETECTIONS"] == []
    finally:
        ctx.close()
        with store.session() as s:
            for j in s.query(Judgement).all():
                s.delete(j)


def test_a_borrower_is_said_to_have_borrowed(world: tuple[Settings, Store]) -> None:
    conf, store = world
    with store.session() as s:
        run = AttributionRun(status="DONE", engine="duckdb", run_by="test", params={},
                             finished_at=datetime.now(UTC))
        s.add(run)
        s.flush()
        for who, start, end in ((hand.OWNER, 0, 8), (hand.NEIGHBOUR, 9, 9)):
            s.add(Attribution(run_id=run.id, identifier_type="IMEI", identifier=hand.IMEI,
                              prison_number=who, probability=0.9, rank=1,
                              valid_from=hand.START + timedelta(days=start),
                              valid_to=hand.START + timedelta(days=end)))
    ctx = RuleContext(conf, store, date(2024, 3, 1))
    try:
        items = gather(ctx, hand.NEIGHBOUR)
        owner = gather(ctx, hand.OWNER)
    finally:
        ctx.close()
    (att,) = [i for i in items if i.kind == "ATTRIBUTION"]
    assert "borrowed or shared" in att.text
    assert "another prisoner held for 9 nights" in att.text
    (det,) = [i for i in items if i.kind == "DETECTIONS"]
    assert det.count == 3
    assert all("borrowed" not in i.text for i in owner)
    # The seizure on night 9 is the borrower's night: stated as recorded, not as his.
    assert [i.kind for i in items].count("SEIZURE") == 1
    assert [i.kind for i in owner].count("SEIZURE") == 0


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 6), st.floats(0, 1)),
                min_size=1, max_size=12))
def test_merged_periods_are_disjoint_and_cover_exactly_the_union(
        rows: list[tuple[int, int, float]]) -> None:
    base = date(2026, 1, 1)
    spans = [(base + timedelta(days=a), base + timedelta(days=a + n), p) for a, n, p in rows]
    merged = merge(spans)
    days = {a + timedelta(days=k) for a, b, _p in spans for k in range((b - a).days + 1)}
    covered = {p.valid_from + timedelta(days=k) for p in merged for k in range(p.nights)}
    assert covered == days
    assert all(x.valid_to + timedelta(days=1) < y.valid_from
               for x, y in itertools.pairwise(merged))
    assert max(p.probability for p in merged) == max(p for _a, _b, p in spans)


@given(st.sampled_from(["SIM", "IMEI", "IMSI", "MSISDN"]), st.text(min_size=0, max_size=20))
def test_hedging_keeps_acronyms(acronym: str, rest: str) -> None:
    assert possibly(f"{acronym} {rest}").startswith(f"possibly {acronym}")
    assert possibly(f"Handset {rest}").startswith("possibly handset")
