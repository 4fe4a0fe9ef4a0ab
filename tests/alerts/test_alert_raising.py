"""Raising: one alert per rule and episode, updated in place as evidence grows; a CLOSED
alert is never reopened (new evidence raises a follow-on); priorities from severity."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.alerts import AlertDraft, close, priority, raise_alert, upsert_alert
from cellwatch.alerts.lifecycle import alert_lifecycle
from cellwatch.alerts.models import Alert
from cellwatch.errors import IllegalTransition, InvalidData
from cellwatch.store import Store

T0 = datetime(2026, 10, 1, 22, tzinfo=UTC)


def _draft(n: int, last: datetime, text: str = "seen") -> AlertDraft:
    return AlertDraft("FLAGGED_DEVICE_DETECTED", "A1234BC|2026-10-01", f"{text} {n} times",
                      prison_number="A1234BC", identifier="356938035643809",
                      details={"detections": {"356938035643809": n}}, priority=2,
                      first_seen=T0, last_seen=last, evidence_count=n,
                      as_of=last.date(), attribution_run=3)


def test_an_episode_is_raised_once_and_updated_in_place(store: Store) -> None:
    with store.session() as s:
        first = upsert_alert(s, _draft(5, T0))
        alert_id = first.alert.id
    assert first.new
    with store.session() as s:
        same = upsert_alert(s, _draft(5, T0))
    assert not same.new
    assert not same.changed
    with store.session() as s:
        grown = upsert_alert(s, _draft(9, T0 + timedelta(days=2)))
    assert grown.alert.id == alert_id
    assert grown.changed
    with store.session() as s:
        rows = s.query(Alert).all()
        assert len(rows) == 1
        (a,) = rows
        assert a.summary == "seen 9 times"
        assert a.evidence_count == 9
        assert a.last_seen == T0 + timedelta(days=2)
        assert a.first_seen == T0
        assert a.as_of == date(2026, 10, 3)
        assert a.updated_ts is not None
        assert a.updated_ts >= a.created_ts


def test_history_survives_an_update(store: Store) -> None:
    with store.session() as s:
        alert_id = upsert_alert(s, _draft(5, T0)).alert.id
    from cellwatch.alerts import acknowledge

    acknowledge(store, alert_id, "analyst")
    with store.session() as s:
        upsert_alert(s, _draft(7, T0 + timedelta(days=1)))
    with store.session() as s:
        a = s.get(Alert, alert_id)
        assert a is not None
        assert a.status == "ACKNOWLEDGED"
        assert [h["status"] for h in (a.details or {})["history"]] == ["ACKNOWLEDGED"]
        assert (a.details or {})["detections"] == {"356938035643809": 7}


def test_a_closed_alert_stays_closed_and_new_evidence_follows_on(store: Store) -> None:
    with store.session() as s:
        alert_id = upsert_alert(s, _draft(5, T0)).alert.id
    close(store, alert_id, "NO_FURTHER_ACTION", "analyst")
    with store.session() as s:
        quiet = upsert_alert(s, _draft(5, T0))
    assert quiet.alert.id == alert_id
    assert not quiet.changed
    with store.session() as s:
        later = upsert_alert(s, _draft(8, T0 + timedelta(days=3)))
    assert later.new
    assert later.alert.id != alert_id
    with store.session() as s:
        follow = s.get(Alert, later.alert.id)
        assert follow is not None
        assert (follow.details or {})["follows"] == alert_id
        assert follow.status == "OPEN"
        again = upsert_alert(s, _draft(9, T0 + timedelta(days=4)))
        assert again.alert.id == later.alert.id
        assert not again.new
    with pytest.raises(IllegalTransition, match=r"cannot move alert \d+ from CLOSED to"):
        from cellwatch.alerts import assign

        assign(store, alert_id, "analyst", "supervisor")


def test_raise_alert_is_once_only_and_refuses_an_empty_summary(store: Store) -> None:
    with store.session() as s:
        assert raise_alert(s, "REFERRAL_ACKNOWLEDGEMENT_OVERDUE", "referral:1",
                           summary="late") is not None
        assert raise_alert(s, "REFERRAL_ACKNOWLEDGEMENT_OVERDUE", "referral:1",
                           summary="late") is None
        with pytest.raises(InvalidData):
            raise_alert(s, "REFERRAL_ACKNOWLEDGEMENT_OVERDUE", "referral:2", summary="")


@given(st.sampled_from(["LOW", "MEDIUM", "HIGH", "CRITICAL"]), st.booleans())
def test_priority_follows_severity_and_unconfirmed_is_lower(severity: str,
                                                            confirmed: bool) -> None:
    p = priority(severity, confirmed)
    assert 1 <= p <= 4
    assert priority(severity, True) <= p
    assert priority("CRITICAL") < priority("HIGH") < priority("MEDIUM") < priority("LOW")


def test_the_alert_lifecycle_is_data() -> None:
    life = alert_lifecycle()
    assert life.name == "alert"
    assert life.initial == "OPEN"
    assert life.allowed("CLOSED") == ()
    assert life.states["CLOSED"].terminal
