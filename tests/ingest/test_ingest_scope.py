"""Seizures, social observations and detections are written only within the writer's scope.

As for intelligence (test_intelligence): a row naming an establishment outside the scope of
the user who runs the ingest is quarantined with the reason, whatever the door (the check
is in the kind); in-scope rows go in. Hewell (HEI) and Berwyn (BWI) share a region, Leeds
(LEI) does not (the fixture estate).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ingest_support import load, write_csv, write_jsonl
from sqlalchemy import select

from cellwatch.access.fixtures import build_estate
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.quarantine import retry_rows
from cellwatch.lake import Lake
from cellwatch.protect.models import SocialObservation
from cellwatch.settings import Settings
from cellwatch.store import QuarantinedRow, SeizureItem, Sensor, Store

TS = "2026-05-02T10:00:00Z"
ALL = {"HEI", "BWI", "LEI"}
SEIZURE_HEADER = ["seizure_ref", "item_no", "ts", "establishment", "search_type", "item_type"]


def seizure(est: str) -> dict[str, str]:
    """One handset found in a cell search at ``est``."""
    return {"seizure_ref": f"SZ-{est}", "item_no": "1", "ts": TS, "establishment": est,
            "search_type": "CELL_SEARCH", "item_type": "HANDSET"}


def observation(ref: str, est: str | None) -> dict[str, Any]:
    """An Instagram account seen posting, from ``est`` (None: the observer does not say)."""
    handle = "@poster_" + ref.lower().replace("-", "_")  # a strict handle: no flag of its own
    row: dict[str, Any] = {"observation_ref": ref, "observed_ts": TS,
                           "platform": "instagram", "account": handle}
    return row if est is None else {**row, "establishment": est}


def refusal(user: str, what: str) -> str:
    """The reason a row outside ``user``'s scope is quarantined with."""
    if user == "no_such_user":
        return "no_such_user is not an active user, so may not write for an establishment"
    return (f"outside the scope of {user}: a team writes {what} for its own establishment, "
            "a region for its region's")


@pytest.fixture
def estate(store: Store) -> Store:
    """The fixture estate: three prisons, an organisation of every kind, their users."""
    build_estate(store)
    return store


def _quarantined(store: Store, kind: str) -> set[tuple[str, str | None, str, str]]:
    with store.session() as s:
        rows = s.scalars(select(QuarantinedRow).where(QuarantinedRow.kind == kind))
        return {(q.raw["establishment"], q.field, q.reason, q.status) for q in rows}


@pytest.mark.parametrize(("user", "written"), [
    ("hei_supervisor", {"HEI"}),              # an establishment's team: its own
    ("lei_admin", {"LEI"}),                   # administrators load seizures too
    ("wm_analyst", {"HEI", "BWI"}),           # a region: its region's
    ("nat_admin", ALL),                       # a national organisation: anywhere
    ("system", ALL),                          # the local administrator: anywhere
    ("wmp_investigator", set()),              # the police cover no prison by geography
    ("no_such_user", set()),                  # nobody: nowhere
])
def test_seizures_outside_the_writers_scope_are_quarantined(
        estate: Store, settings: Settings, tmp_path: Path, user: str, written: set[str]) -> None:
    ctx = IngestContext(estate, settings, user)
    path = write_csv(tmp_path / "finds.csv", [seizure(e) for e in sorted(ALL)], SEIZURE_HEADER)
    summary = load(ctx, "seizures", path)
    assert (summary.accepted, summary.quarantined) == (len(written), len(ALL - written))
    reason = refusal(user, "seizures")
    if written != ALL:
        assert summary.reasons == {f"establishment: {reason}": len(ALL - written)}
    with estate.session() as s:
        stored = set(s.scalars(select(SeizureItem.establishment)))
    assert stored == written
    assert _quarantined(estate, "seizures") == {
        (est, "establishment", reason, "OPEN") for est in ALL - written}


@pytest.mark.parametrize(("user", "written"), [
    ("hei_supervisor", {"HEI"}),              # an establishment's team: its own
    ("wm_analyst", {"HEI", "BWI"}),           # a region: its region's
    ("nat_analyst", ALL),                     # a national unit: anywhere
    ("system", ALL),                          # the local administrator: anywhere
    # The rule for creating intelligence: an organisation seeing no prison by geography
    # (the police) records its own intelligence, wherever it comes from.
    ("wmp_investigator", ALL),
    ("no_such_user", set()),                  # nobody: nowhere
])
def test_social_observations_outside_the_writers_scope_are_quarantined(
        estate: Store, settings: Settings, tmp_path: Path, user: str, written: set[str]) -> None:
    ctx = IngestContext(estate, settings, user)
    rows = [observation(f"SO-{e}", e) for e in sorted(ALL)] + [observation("SO-NONE", None)]
    summary = load(ctx, "social_observations", write_jsonl(tmp_path / "seen.jsonl", rows))
    # A row naming no establishment goes in whoever writes it, as before.
    assert (summary.accepted, summary.quarantined) == (len(written) + 1, len(ALL - written))
    reason = refusal(user, "social observations")
    with estate.session() as s:
        stored = {(o.observation_ref, o.establishment) for o in s.scalars(
            select(SocialObservation))}
    assert stored == {(f"SO-{e}", e) for e in written} | {("SO-NONE", None)}
    assert _quarantined(estate, "social_observations") == {
        (est, "establishment", reason, "OPEN") for est in ALL - written}


def test_an_establishment_not_yet_registered_is_no_local_teams_to_observe(
        estate: Store, settings: Settings, tmp_path: Path) -> None:
    # Unknown establishments are kept and flagged (an optional reference), but only for a
    # writer whose scope reaches them: a national unit's, not Hewell's team's.
    path = write_jsonl(tmp_path / "seen.jsonl", [observation("SO-XYZ", "XYZ")])
    local = load(IngestContext(estate, settings, "hei_supervisor"), "social_observations", path)
    assert (local.accepted, local.quarantined) == (0, 1)
    assert local.reasons == {
        f"establishment: {refusal('hei_supervisor', 'social observations')}": 1}
    # (Another observation: the same file again would be a no-op, whoever loads it.)
    national = load(IngestContext(estate, settings, "nat_analyst"), "social_observations",
                    write_jsonl(tmp_path / "nat.jsonl", [observation("SO-XYZ-2", "XYZ")]))
    assert (national.accepted, national.flagged) == (1, {"establishment: unresolved_reference": 1})


@pytest.mark.parametrize(("kind", "path", "model"), [
    ("seizures", "finds.csv", SeizureItem),
    ("social_observations", "seen.jsonl", SocialObservation),
])
def test_a_refused_row_is_retried_under_the_retriers_scope(
        estate: Store, settings: Settings, tmp_path: Path, kind: str, path: str,
        model: type[SeizureItem] | type[SocialObservation]) -> None:
    file = tmp_path / path
    if kind == "seizures":
        write_csv(file, [seizure("LEI")], SEIZURE_HEADER)
    else:
        write_jsonl(file, [observation("SO-LEI", "LEI")])
    local = IngestContext(estate, settings, "hei_supervisor")
    assert load(local, kind, file).quarantined == 1
    with estate.session() as s:
        row_id = s.scalars(select(QuarantinedRow.id)).one()
    # Retrying as the same team changes nothing: Leeds is still not theirs to write for.
    [again] = retry_rows(local, ids=[row_id])
    assert (again.accepted, again.reasons) == (
        0, {f"establishment: {refusal('hei_supervisor', kind.replace('_', ' '))}": 1})
    # A national unit's retry puts it in.
    [done] = retry_rows(IngestContext(estate, settings, "nat_analyst"), ids=[row_id])
    assert done.accepted == 1
    with estate.session() as s:
        row = s.get(QuarantinedRow, row_id)
        assert row is not None
        assert row.status == "RESOLVED"
        assert s.scalars(select(model.establishment)).one() == "LEI"


DETECTIONS_HEADER = ["ts", "sensor_id", "event_id", "technology"]


def _with_sensors(store: Store) -> None:
    with store.session() as s:
        s.add_all(Sensor(sensor_id=f"{e}-RF-1", establishment=e, kind="RF_DETECTOR")
                  for e in sorted(ALL))


@pytest.mark.parametrize(("user", "written"), [
    ("hei_supervisor", {"HEI"}),              # an establishment's team: its own sensors
    ("wm_analyst", {"HEI", "BWI"}),           # a region: its region's
    ("nat_admin", ALL),                       # a national organisation: anywhere
    ("system", ALL),                          # the local administrator: anywhere
    ("no_such_user", set()),                  # nobody: nowhere
])
def test_detections_from_sensors_outside_the_writers_scope_are_quarantined(
        estate: Store, settings: Settings, tmp_path: Path, user: str, written: set[str]) -> None:
    # The sensor's establishment decides, in the vectorised SQL check: the lake gets the
    # in-scope rows, the quarantine the others with the reason on the sensor_id field.
    _with_sensors(estate)
    rows = [{"ts": TS, "sensor_id": f"{e}-RF-1", "event_id": f"E-{e}", "technology": "LTE"}
            for e in sorted(ALL)]
    ctx = IngestContext(estate, settings, user)
    summary = load(ctx, "detections", write_csv(tmp_path / "d.csv", rows, DETECTIONS_HEADER))
    assert (summary.accepted, summary.quarantined) == (len(written), len(ALL - written))
    reason = refusal(user, "detections")
    if written != ALL:
        assert summary.reasons == {f"sensor_id: {reason}": len(ALL - written)}
    stored = Lake(settings).query("SELECT DISTINCT establishment FROM detections").to_pylist()
    assert {r["establishment"] for r in stored} == written
    with estate.session() as s:
        held = {(q.raw["sensor_id"], q.field, q.reason) for q in s.scalars(
            select(QuarantinedRow).where(QuarantinedRow.kind == "detections"))}
    assert held == {(f"{e}-RF-1", "sensor_id", reason) for e in ALL - written}


def test_a_refused_detection_goes_in_on_a_retry_by_a_writer_whose_scope_reaches_it(
        estate: Store, settings: Settings, tmp_path: Path) -> None:
    _with_sensors(estate)
    row = {"ts": TS, "sensor_id": "LEI-RF-1", "event_id": "E-1", "technology": "LTE"}
    local = IngestContext(estate, settings, "hei_supervisor")
    assert load(local, "detections", write_csv(tmp_path / "d.csv", [row],
                                               DETECTIONS_HEADER)).quarantined == 1
    [again] = retry_rows(local, kind="detections")
    assert again.accepted == 0
    [done] = retry_rows(IngestContext(estate, settings, "nat_analyst"), kind="detections")
    assert done.accepted == 1
    stored = Lake(settings).query("SELECT sensor_id, source_line FROM detections").to_pylist()
    assert stored == [{"sensor_id": "LEI-RF-1", "source_line": 2}]
