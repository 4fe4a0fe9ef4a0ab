"""Alerts are raised once per (rule, key), move through their lifecycle, and export."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cellwatch.access.principal import SYSTEM, Principal
from cellwatch.access.roles import OrgKind, Role
from cellwatch.alerts import (
    EXPORT_COLUMNS,
    acknowledge,
    assign,
    close,
    export_alerts,
    list_alerts,
    raise_alert,
)
from cellwatch.errors import AccessDenied, IllegalTransition, InvalidData, NotFound
from cellwatch.store import Store


def _raise(store: Store, key: str = "k1", establishment: str | None = "HEI") -> int | None:
    with store.session() as s:
        alert = raise_alert(s, "FLAGGED_DEVICE_DETECTED", key, prison_number="A1234BC",
                            identifier="352099001761481", establishment=establishment,
                            summary="device seen")
        return None if alert is None else alert.id


def test_raise_is_deduplicated_on_rule_and_key(store: Store) -> None:
    first = _raise(store)
    assert first is not None
    assert _raise(store) is None
    assert _raise(store, key="k2") is not None
    with store.session() as s:
        other = raise_alert(s, "PAROLE_REVIEW_NEW_EVIDENCE", "k1", summary="same key, other rule")
    assert other is not None


def test_raise_needs_rule_key_and_summary(store: Store) -> None:
    with pytest.raises(InvalidData), store.session() as s:
        raise_alert(s, "FLAGGED_DEVICE_DETECTED", "", summary="x")


def test_lifecycle_assign_acknowledge_close(store: Store) -> None:
    alert_id = _raise(store)
    assert alert_id is not None
    assert assign(store, alert_id, "alice", by="sup").status == "ASSIGNED"
    assert assign(store, alert_id, "bob", by="sup").assigned_to == "bob"
    acked = acknowledge(store, alert_id, by="bob")
    assert (acked.status, acked.acknowledged_by) == ("ACKNOWLEDGED", "bob")
    with pytest.raises(IllegalTransition):
        assign(store, alert_id, "carol", by="sup")
    with pytest.raises(InvalidData):
        close(store, alert_id, "because", by="bob")
    closed = close(store, alert_id, "referred to police", by="bob", note="CRIME/1")
    assert (closed.status, closed.outcome) == ("CLOSED", "REFERRED_TO_POLICE")
    with pytest.raises(IllegalTransition):
        acknowledge(store, alert_id, by="bob")
    with pytest.raises(NotFound):
        acknowledge(store, 9999, by="bob")


def test_export_follows_interchange(store: Store, tmp_path: Path) -> None:
    _raise(store)
    _raise(store, key="k2", establishment=None)
    out = tmp_path / "alerts.csv"
    assert export_alerts(store, SYSTEM, out) == 2
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert rows[0]["status"] == "OPEN"
    assert rows[0]["created_ts"].endswith("Z")
    assert rows[1]["establishment"] == ""


def _principal(kind: OrgKind, establishments: frozenset[str] | None) -> Principal:
    return Principal("u", 1, "ORG", kind, frozenset({Role.ANALYST}), establishments)


def test_visibility_by_organisation(store: Store, tmp_path: Path) -> None:
    _raise(store, key="a", establishment="HEI")
    _raise(store, key="b", establishment="MDI")
    local = _principal(OrgKind.ESTABLISHMENT, frozenset({"HEI"}))
    assert [a.establishment for a in list_alerts(store, local)] == ["HEI"]
    assert len(list_alerts(store, _principal(OrgKind.NATIONAL, None))) == 2
    assert list_alerts(store, _principal(OrgKind.OPERATOR, frozenset())) == []
    assert list_alerts(store, _principal(OrgKind.POLICE, frozenset())) == []
    with pytest.raises(AccessDenied):
        export_alerts(store, local, tmp_path / "x.csv")
