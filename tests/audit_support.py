"""Helpers shared by API and CLI tests: what the audit chain recorded, alerts to act on,
accounts seen behind prisoners."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from cellwatch.access.models import AuditEntry
from cellwatch.alerts.lifecycle import raise_alert
from cellwatch.protect.models import SocialObservation
from cellwatch.store import Store


def audited(store: Store, user: str, resource_type: str) -> list[tuple[str, str | None, str]]:
    """(action, resource id, outcome) of each audit entry of ``user`` on ``resource_type``."""
    with store.session() as s:
        return [(e.action, e.resource_id, e.outcome) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.principal == user,
                                     AuditEntry.resource_type == resource_type)
            .order_by(AuditEntry.id))]


def two_alerts(store: Store) -> tuple[int, int]:
    """A flagged-device alert at Hewell and one at Leeds: their ids."""
    with store.session() as s:
        hei = raise_alert(s, "FLAGGED_DEVICE_DETECTED", "k1", prison_number="A1111AA",
                          establishment="HEI", summary="device at Hewell")
        lei = raise_alert(s, "FLAGGED_DEVICE_DETECTED", "k2", prison_number="A3333CC",
                          establishment="LEI", summary="device at Leeds")
        assert hei is not None
        assert lei is not None
        return hei.id, lei.id


def observe(store: Store, ref: str, account: str, platform: str, prisoner: str,
            when: datetime = datetime(2026, 5, 1, 9, tzinfo=UTC)) -> None:
    """Store one social observation of ``account`` naming ``prisoner`` (links them)."""
    with store.session() as s:
        s.add(SocialObservation(observation_ref=ref, platform=platform, account=account,
                                observed_ts=when, prison_number=prisoner, content="post"))
