"""The audit log: append-only, each row chained to the one before by a SHA-256 hash.

A row's hash is ``sha256(prev_hash + canonical JSON of its content)``; changing,
removing or inserting a row breaks the chain from that row on, which
:func:`verify_chain` finds. Nothing in cellwatch updates or deletes audit rows; on
PostgreSQL a trigger refuses it outright (migration ``0002_access``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cellwatch.access.models import AuditEntry
from cellwatch.store import Store, utcnow

GENESIS = "0" * 64
# Any fixed number: the key of the advisory lock serialising appends on PostgreSQL.
_CHAIN_LOCK = 0x63656C6C


@dataclass(frozen=True)
class AuditEvent:
    """What happened, before it is chained: who, what, to which record, why, and the outcome."""

    principal: str
    org: str | None
    action: str
    resource_type: str
    resource_id: str | None
    outcome: str  # "allowed" or "denied"
    reason: str | None = None
    detail: Mapping[str, Any] | None = None


def _canonical_ts(ts: datetime) -> str:
    # Microseconds are kept: both engines store them, and the hash must round-trip.
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(entry: AuditEntry) -> str:
    """The hash a row must carry, given its content and its ``prev_hash``."""
    content = {
        "id": entry.id,
        "ts": _canonical_ts(entry.ts),
        "principal": entry.principal,
        "org": entry.org,
        "action": entry.action,
        "resource_type": entry.resource_type,
        "resource_id": entry.resource_id,
        "reason": entry.reason,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((entry.prev_hash + canonical).encode()).hexdigest()


def _last(session: Session) -> AuditEntry | None:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()


def _serialise(session: Session) -> None:
    """Hold the chain's write lock until ``session`` commits, before reading the last row.

    Two appenders reading the same last row would both chain onto it (and collide on the
    id). PostgreSQL: an advisory lock held to the end of the transaction. SQLite: the
    driver opens a transaction only at the first write, so a read before it sees a
    snapshot another writer may overtake; ``BEGIN IMMEDIATE`` takes the one write lock
    first (waiting up to the busy timeout). A transaction that has already written holds
    that lock, and its reads are current.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    elif dialect == "sqlite":
        session.flush()  # pending rows first: writing them would open the transaction
        raw = session.connection().connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")


def append(session: Session, event: AuditEvent) -> AuditEntry:
    """Chain ``event`` onto the log inside ``session``'s transaction."""
    _serialise(session)
    last = _last(session)
    entry = AuditEntry(
        id=(last.id + 1) if last else 1,
        ts=utcnow(),
        principal=event.principal,
        org=event.org,
        action=event.action,
        resource_type=event.resource_type,
        resource_id=event.resource_id,
        reason=event.reason,
        outcome=event.outcome,
        detail=json.loads(json.dumps(dict(event.detail or {}), default=str)),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = row_hash(entry)
    session.add(entry)
    session.flush()
    return entry


def append_now(store: Store, event: AuditEvent) -> AuditEntry:
    """Append in a transaction of its own (for denials, whose own transaction rolls back)."""
    with store.session() as session:
        return append(session, event)


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of checking the chain: ``ok``, rows checked, and the first bad row."""

    ok: bool
    rows: int
    first_bad_id: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"ok": self.ok, "rows": self.rows, "first_bad_id": self.first_bad_id,
                "problem": self.problem}


def _walk(session: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.id > last_id)
                                    .order_by(AuditEntry.id).limit(batch)))
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_session(session: Session) -> VerificationResult:
    """Walk the chain in ``session`` and report the first row that does not hold."""
    prev, expected_id, count = GENESIS, 1, 0
    for entry in _walk(session):
        count += 1
        if entry.id != expected_id:
            return VerificationResult(False, count, entry.id, f"row {expected_id} is missing")
        if entry.prev_hash != prev:
            return VerificationResult(False, count, entry.id, "prev_hash does not match")
        if row_hash(entry) != entry.hash:
            return VerificationResult(False, count, entry.id, "content does not match its hash")
        prev, expected_id = entry.hash, expected_id + 1
    return VerificationResult(True, count)


def verify_chain(store: Store) -> VerificationResult:
    """Verify the whole audit chain of ``store``."""
    with store.session() as session:
        return verify_session(session)
