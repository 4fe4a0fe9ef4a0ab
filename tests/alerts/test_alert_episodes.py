"""Alerts analysts can work: an alert's text follows the current attributions (no stale
"not linked" once the sender is attributed), and a flagged device's detections make one
alert per episode, updated in place as nights are added, a new one after a gap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from protect_support import MSISDN, PRISONER, estate, graph, report
from sqlalchemy import select

from attribution import estate as hand
from cellwatch.alerts.detect.run import run_after_ingest, run_rules
from cellwatch.alerts.models import Alert
from cellwatch.attribution.models import Attribution, AttributionRun
from cellwatch.protect.models import ProtectedPerson
from cellwatch.settings import Settings
from cellwatch.store import Store

CONTACT, FLAGGED = "PROTECTED_PERSON_CONTACTED", "FLAGGED_DEVICE_DETECTED"


def _alerts(store: Store, rule: str) -> list[Alert]:
    with store.session() as s:
        return list(s.scalars(select(Alert).where(Alert.rule == rule).order_by(Alert.id)))


def test_the_text_follows_the_attribution(store: Store, settings: Settings,
                                          tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    run_after_ingest(settings, store, [report(ctx, tmp_path, "CR-1", MSISDN)])
    (before,) = _alerts(store, CONTACT)
    assert "not linked" in before.summary
    graph(store)  # the number's SIM is in a handset attributed to the prisoner
    result = run_rules(settings, store, only=[CONTACT], deliver=False)
    assert result.raised[CONTACT] == []
    assert result.updated[CONTACT] == [before.id]
    (after,) = _alerts(store, CONTACT)
    assert after.id == before.id
    assert "not linked" not in after.summary
    assert f"attributed to {PRISONER} (p=" in after.summary
    assert after.details is not None
    assert after.details["probability"] >= settings.parole_probability_threshold
    assert after.priority < before.priority  # confirmed now: more urgent


def _flag(store: Store) -> None:
    with store.session() as s:
        run = AttributionRun(status="DONE", engine="test", run_by="test", params={},
                             finished_at=datetime.now(UTC))
        s.add(run)
        s.flush()
        s.add(Attribution(run_id=run.id, identifier_type="IMEI", identifier=hand.IMEI,
                          prison_number=hand.OWNER, probability=0.95, rank=1,
                          valid_from=hand.START, valid_to=hand.START + timedelta(days=30)))
        s.add(ProtectedPerson(person_ref="PP-H", prison_number=hand.OWNER,
                              condition="RESTRAINING_ORDER"))


def test_detections_make_one_alert_per_episode(sqlite_settings: Settings) -> None:
    from cellwatch.store import open_store

    store = open_store(sqlite_settings)
    try:
        hand.build_store(store)
        hand.write_lake(sqlite_settings, days=5)
        _flag(store)
        as_of = hand.START + timedelta(days=30)
        first = run_rules(sqlite_settings, store, as_of=as_of, only=[FLAGGED], deliver=False)
        (alert_id,) = first.raised[FLAGGED]
        (a,) = _alerts(store, FLAGGED)
        assert a.evidence_count == 15  # 5 nights, 3 a night
        # Three more nights, no gap: the same alert grows.
        hand.write_lake(sqlite_settings, days=3, first_day=5, batch_id=3)
        grown = run_rules(sqlite_settings, store, as_of=as_of, only=[FLAGGED], deliver=False)
        assert grown.raised[FLAGGED] == []
        assert grown.updated[FLAGGED] == [alert_id]
        (a,) = _alerts(store, FLAGGED)
        assert a.evidence_count == 24
        assert a.details is not None
        assert a.details["episode"] == [str(hand.START), str(hand.START + timedelta(days=7))]
        assert a.last_seen is not None
        assert a.last_seen.date() == hand.START + timedelta(days=7)
        # Nothing new: nothing changes.
        same = run_rules(sqlite_settings, store, as_of=as_of, only=[FLAGGED], deliver=False)
        assert same.total == 0
        assert same.updated[FLAGGED] == []
        # Eight quiet nights, then the phone again: a new episode, a new alert.
        hand.write_lake(sqlite_settings, days=2, first_day=16, batch_id=4)
        later = run_rules(sqlite_settings, store, as_of=as_of, only=[FLAGGED], deliver=False)
        assert len(later.raised[FLAGGED]) == 1
        assert later.updated[FLAGGED] == []
        episodes = [x.details["episode"] for x in _alerts(store, FLAGGED) if x.details]
        assert episodes[1] == [str(hand.START + timedelta(days=16)),
                               str(hand.START + timedelta(days=17))]
        assert [x.evidence_count for x in _alerts(store, FLAGGED)] == [24, 6]
        assert all(x.as_of == as_of for x in _alerts(store, FLAGGED))
    finally:
        store.dispose()
