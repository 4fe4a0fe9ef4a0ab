"""Listing alerts a principal may see, and ``cellwatch export alerts`` (interchange.md).

Alerts are the prison service's: an establishment's team sees its establishment's, a
region its region's, the national units all; police, the Parole Board and operators see
none here (the Parole Board learns of contact through the parole summary instead).
The export is redacted for its reader as the alert pages are (:mod:`cellwatch.alerts.redact`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import ColumnElement, false, select, true

from cellwatch.access.principal import Principal
from cellwatch.access.roles import PRISON_SERVICE, OrgKind
from cellwatch.access.service import Access
from cellwatch.alerts.models import Alert
from cellwatch.alerts.redact import redact
from cellwatch.csvsafe import writer as csv_writer
from cellwatch.errors import AccessDenied
from cellwatch.store import Store

EXPORT_COLUMNS = (
    "alert_id",
    "rule",
    "created_ts",
    "status",
    "prison_number",
    "person_ref",
    "identifier",
    "establishment",
    "summary",
)


def visible_alerts(principal: Principal) -> ColumnElement[bool]:
    """SQL filter: the alerts ``principal`` may see."""
    if principal.is_system or principal.org_kind is OrgKind.NATIONAL:
        return true()
    if principal.org_kind not in PRISON_SERVICE or not principal.establishments:
        return false()
    return Alert.establishment.in_(sorted(principal.establishments))


def list_alerts(
    store: Store, principal: Principal, status: str | None = None, rule: str | None = None,
    limit: int = 500,
) -> list[Alert]:
    """Alerts visible to ``principal``, newest first, optionally of one status or rule."""
    query = select(Alert).where(visible_alerts(principal))
    if status:
        query = query.where(Alert.status == status.upper())
    if rule:
        query = query.where(Alert.rule == rule.upper())
    with store.session() as s:
        return list(s.scalars(query.order_by(Alert.id.desc()).limit(limit)))


# Column types for the Table Schema beside the export; the rest are strings.
EXPORT_TYPES = {"alert_id": "integer", "created_ts": "datetime"}


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Alerts redacted and written at a time: one look-up of what to hide per chunk.
CHUNK = 1000


def export_alerts(store: Store, principal: Principal, out: Path, chunk_size: int = CHUNK) -> int:
    """Write every alert to ``out`` as interchange.md's ``alerts`` CSV; returns the count.

    Only a principal who sees every alert may export (the export is the whole table).
    Each alert is written as the principal may see it: protected persons' numbers and
    intelligence it may not open replaced by placeholders, as on the alert pages.
    """
    if not (principal.is_system or principal.org_kind is OrgKind.NATIONAL):
        raise AccessDenied("exporting alerts needs a principal who sees every alert")
    access = Access(store, principal)
    out.parent.mkdir(parents=True, exist_ok=True)
    count, after = 0, 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv_writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        while True:
            with store.session() as s:
                chunk = list(s.scalars(select(Alert).where(Alert.id > after)
                                       .order_by(Alert.id).limit(chunk_size)))
            if not chunk:
                return count
            for a in redact(access, chunk):
                writer.writerow([a.id, a.rule, _ts(a.created_ts), a.status,
                                 a.prison_number or "", a.person_ref or "", a.identifier or "",
                                 a.establishment or "", a.summary])
            count, after = count + len(chunk), chunk[-1].id
