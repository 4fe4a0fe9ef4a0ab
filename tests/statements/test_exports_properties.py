"""Property tests of what exports state, on the hand-made estate (one phone detected three
times a night for ten nights, a seizure naming nobody on night 9): whatever intervals the
run attributes, every export (STIX, MISP, FollowTheMoney, a user's attributions CSV, the
link chart) states exactly the periods the intervals at or above the floor make, each
with its top probability, the detections of its nights, the evidence items dated in it
and nothing dated outside it. The expected values are worked out here from the
intervals alone, not with cellwatch.statements: an export that read the attribution
table itself (unmerged intervals, leads below the floor, the model's evidence of days
before the period) fails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attribution import estate as hand
from cellwatch.access.principal import SYSTEM, Principal
from cellwatch.access.roles import OrgKind, Role
from cellwatch.access.service import Access
from cellwatch.attribution.models import Attribution, AttributionRun, EvidenceItem
from cellwatch.exchange.ftm import entities
from cellwatch.exchange.linkgraph import ATTRIBUTED, build_graph
from cellwatch.exchange.misp import build_event
from cellwatch.exchange.rows import ExportScope
from cellwatch.exchange.service.collect import collect
from cellwatch.exchange.service.exports import attribution_rows_for
from cellwatch.exchange.stix import build_bundle
from cellwatch.settings import Settings
from cellwatch.store import Store, open_store

NIGHTS = 10
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2024, 3, 1, tzinfo=UTC)
# A national analyst: sees every prisoner, reads prisoners and identifiers.
ANALYST = Principal("nat.analyst", 1, "NAT", OrgKind.NATIONAL,
                    frozenset({Role.ANALYST}), None)
intervals = st.lists(st.tuples(st.integers(-3, 14), st.integers(0, 5),
                               st.floats(0.0, 1.0)), min_size=1, max_size=5)

Stated = tuple[date, date, float]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store]]:
    """The hand-made estate with its ten nights of detections and the seizure."""
    conf = Settings(home=tmp_path_factory.mktemp("hand-exports") / "home",
                    environment="test")
    store = open_store(conf)
    hand.build_store(store)
    hand.write_lake(conf, days=NIGHTS)
    hand.add_seizure(store, day=9)
    yield conf, store
    store.dispose()


def _day(n: int) -> date:
    return hand.START + timedelta(days=n)


def _run(store: Store, rows: list[tuple[int, int, float]]) -> None:
    """A run of ``rows``; each interval has one evidence item dated inside it and one
    whose days reach three nights before it (as the model's windows do)."""
    with store.session() as s:
        run = AttributionRun(status="DONE", engine="duckdb", run_by="test", params={},
                             finished_at=datetime.now(UTC))
        s.add(run)
        s.flush()
        for k, (start, length, p) in enumerate(rows):
            a = Attribution(run_id=run.id, identifier_type="IMEI", identifier=hand.IMEI,
                            prison_number=hand.OWNER, probability=p, rank=1,
                            valid_from=_day(start), valid_to=_day(start + length))
            s.add(a)
            s.flush()
            s.add(EvidenceItem(attribution_id=a.id, kind="INSIDE", description=f"inside {k}",
                               weight_log2=1.0, count=1, first_seen=_day(start),
                               last_seen=_day(start + length)))
            s.add(EvidenceItem(attribution_id=a.id, kind="WINDOW", description=f"window {k}",
                               weight_log2=1.0, count=1, first_seen=_day(start - 3),
                               last_seen=_day(start + length)))


def expected(rows: list[tuple[int, int, float]], floor: float) -> list[Stated]:
    """The periods an export may state: maximal runs of nights held at or above the
    floor, each with the top probability of the intervals in it."""
    kept = [(a, a + n, p) for a, n, p in rows if p >= floor]
    days = sorted({d for a, b, _p in kept for d in range(a, b + 1)})
    runs: list[list[int]] = []
    for d in days:
        if runs and d == runs[-1][1] + 1:
            runs[-1][1] = d
        else:
            runs.append([d, d])
    return [(_day(a), _day(b), max(p for x, y, p in kept if x <= b and a <= y))
            for a, b in runs]


def _reasons(rows: list[tuple[int, int, float]], floor: float, period: Stated) -> set[str]:
    """The evidence items dated inside a period (by their own days)."""
    lo, hi = period[0], period[1]
    out = set()
    for k, (a, n, p) in enumerate(rows):
        if p < floor:
            continue
        for kind, first in (("INSIDE", a), ("WINDOW", a - 3)):
            if lo <= _day(first) and _day(a + n) <= hi:
                out.add(f"{kind}: {kind.lower()} {k}")
    return out


def _local_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(LONDON).date()


def stix_periods(bundle: dict[str, object]) -> dict[tuple[date, date], dict[str, object]]:
    """``(first night, last night) -> property extension`` of every attributed-to."""
    out = {}
    for o in bundle["objects"]:  # type: ignore[attr-defined]
        if o.get("relationship_type") == "attributed-to":
            ext = next(iter(o["extensions"].values()))
            out[(_local_day(o["start_time"]),
                 _local_day(o["stop_time"]) - timedelta(days=1))] = ext
    return out


COMMENT = re.compile(r"probability ([\d.]+) \((\w+)\), (\S+) to (\S+):")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=intervals)
def test_every_export_states_the_periods_and_only_their_evidence(
        world: tuple[Settings, Store], rows: list[tuple[int, int, float]]) -> None:
    conf, store = world
    _run(store, rows)
    floor = conf.parole_probability_floor
    want = expected(rows, floor)
    periods = {(a, b): p for a, b, p in want}
    data = collect(Access(store, SYSTEM, conf),
                   ExportScope(prison_number=hand.OWNER, include_intelligence=False,
                               min_probability=0.0), "")
    # STIX: one attributed-to per period, its top probability, its own evidence only.
    stix = stix_periods(build_bundle(data, NOW))
    assert set(stix) == set(periods)
    for (a, b), ext in stix.items():
        assert ext["probability"] == round(periods[(a, b)], 4) >= floor
        evidence = [e.split(" (")[0] for e in ext.get("evidence", [])]
        assert len(evidence) == len(set(evidence))
        assert set(evidence) == _reasons(rows, floor, (a, b, 0.0))
        nights = {(d - hand.START).days for d in (a + timedelta(days=k)
                                                  for k in range((b - a).days + 1))}
        inside = nights & set(range(NIGHTS))
        assert ext.get("detections", 0) == 3 * len(inside)
        seized = ext.get("seizures", [])
        assert len(seized) == (1 if 9 in nights else 0)
        assert all("recorded as taken from no named prisoner" in s for s in seized)
    # MISP: one used-by reference per period.
    comments = [m.groups() for o in build_event(data, NOW).objects for r in o.references
                if r.relationship_type == "used-by"
                and (m := COMMENT.search(r.comment or ""))]
    assert {(date.fromisoformat(a), date.fromisoformat(b)): p
            for p, _s, a, b in comments} == {k: f"{p:.3f}" for k, p in periods.items()}
    assert len(comments) == len(periods)
    # FollowTheMoney: one UnknownLink per period.
    links = [e for e in entities(data) if e.schema.name == "UnknownLink"]
    assert sorted((date.fromisoformat(e.first("startDate")),
                   date.fromisoformat(e.first("endDate"))) for e in links) == sorted(periods)
    # A user's attributions CSV: the same periods and probabilities.
    _run_id, csv_rows = attribution_rows_for(Access(store, ANALYST, conf))
    assert {(date.fromisoformat(r["valid_from"]), date.fromisoformat(r["valid_to"])):
            r["probability"] for r in csv_rows} == {k: round(p, 4) for k, p in periods.items()}
    # The link chart: one attributed relation folding every period.
    graph = build_graph(Access(store, SYSTEM, conf), ("PRISONER", hand.OWNER), 1, floor)
    drawn = [r for r in graph.relations.values() if r.kind == ATTRIBUTED]
    if not want:
        assert drawn == []
    else:
        (rel,) = drawn
        assert rel.count == len(want)
        assert (rel.first, rel.last) == (want[0][0], want[-1][1])
        assert rel.probability == max(p for *_x, p in want)


def test_an_export_asked_for_leads_below_the_floor_states_none(
        world: tuple[Settings, Store]) -> None:
    conf, store = world
    _run(store, [(0, 3, 0.3), (5, 1, 0.499999)])  # both below the floor of 0.5
    data = collect(Access(store, SYSTEM, conf),
                   ExportScope(prison_number=hand.OWNER, include_intelligence=False,
                               min_probability=0.0), "")
    assert data.attributions == []
    assert stix_periods(build_bundle(data, NOW)) == {}
    assert attribution_rows_for(Access(store, ANALYST, conf))[1] == []
