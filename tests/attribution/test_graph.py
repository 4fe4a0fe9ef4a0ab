"""The identity graph: links from detections, calls and seizures; incremental; hubs; verdicts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from cellwatch.attribution.graph import LinkLimits, update_links
from cellwatch.attribution.judgements import judge, undo
from cellwatch.attribution.models import IdentityHub, IdentityLink
from cellwatch.attribution.sources import open_engine
from cellwatch.attribution.views import sim_history
from cellwatch.lake.layout import files_after
from cellwatch.settings import Settings
from cellwatch.store import Store

sys.path.insert(0, str(Path(__file__).parents[1]))
from attribution import estate


def _links(store: Store) -> dict[tuple[str, str, str], IdentityLink]:
    with store.session() as s:
        return {(k.a, k.b, k.source): k for k in s.scalars(select(IdentityLink))}


def _update(settings: Settings, store: Store, limits: LinkLimits | None = None,
            by_names: bool = False) -> int:
    """With ``by_names`` the update reads only newer batches' files, chosen by name (as a
    run does); otherwise the lake's views, filtered by batch."""
    engine = open_engine(settings, store)
    try:
        return update_links(store, engine, limits,
                            settings.lake_dir if by_names else None).added
    finally:
        engine.close()


def test_links_come_from_detections_calls_and_seizures(settings: Settings, store: Store) -> None:
    estate.build_store(store)
    estate.write_lake(settings, days=3)
    estate.write_calls(settings, days=3)
    estate.add_seizure(store)
    _update(settings, store)
    links = _links(store)
    det = links[(estate.IMEI, estate.IMSI, "DETECTION")]
    assert det.count == 9
    assert det.first_seen < det.last_seen
    assert (estate.IMSI, estate.MSISDN, "CALL_RECORD") in links
    assert (estate.IMEI, estate.IMSI, "SEIZURE") in links
    assert [s["imsi"] for s in sim_history(store, estate.IMEI)] == [estate.IMSI]


@pytest.mark.parametrize("by_names", [False, True])
def test_new_batches_update_links_without_a_rebuild(settings: Settings, store: Store,
                                                    by_names: bool) -> None:
    estate.build_store(store)
    estate.write_lake(settings, days=2, batch_id=1)
    assert _update(settings, store, by_names=by_names) == 1
    estate.write_lake(settings, days=2, batch_id=5, first_day=4)
    if by_names:
        listed = files_after(settings.lake_dir, "detections", 1)
        assert listed is not None
        assert listed[0] == 5
        assert {p.name for p in listed[1]} == {"part-5-0.parquet"}
    assert _update(settings, store, by_names=by_names) == 0
    link = _links(store)[(estate.IMEI, estate.IMSI, "DETECTION")]
    assert link.count == 12  # 6 + 6, each batch read once
    assert link.last_seen > link.first_seen
    assert _update(settings, store, by_names=by_names) == 0
    assert _links(store)[(estate.IMEI, estate.IMSI, "DETECTION")].count == 12


def test_a_value_above_its_limit_is_reported_not_linked(settings: Settings, store: Store) -> None:
    estate.build_store(store)
    estate.write_lake(settings, days=1)
    estate.write_calls(settings, days=1)
    _update(settings, store, LinkLimits(imsi_imeis=0, imei_imsis=0))
    with store.session() as s:
        hubs = list(s.scalars(select(IdentityHub)))
    assert {h.identifier for h in hubs} >= {estate.IMEI, estate.IMSI}
    assert _links(store)[(estate.IMEI, estate.IMSI, "DETECTION")].status == "SUPPRESSED"


def test_rejecting_a_link_and_undoing_it(settings: Settings, store: Store) -> None:
    estate.build_store(store)
    estate.write_lake(settings, days=1)
    _update(settings, store)
    # Either end order is accepted.
    j = judge(store, "LINK", "IMSI", estate.IMSI, "IMEI", estate.IMEI, "REJECTED",
              "cloned IMEI", "analyst")
    assert _links(store)[(estate.IMEI, estate.IMSI, "DETECTION")].status == "REJECTED"
    assert sim_history(store, estate.IMEI) == []
    undo(store, j.id, "analyst")
    assert _links(store)[(estate.IMEI, estate.IMSI, "DETECTION")].status == "ACTIVE"
