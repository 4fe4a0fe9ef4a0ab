"""The audit log: append-only, each row chained to the one before by a keyed hash.

A row's hash is ``HMAC-SHA256(key, prev_hash + canonical JSON of its content)``, the key
kept outside the database (``Settings.audit_secret``): changing, removing or inserting a
row breaks the chain from that row on, and without the key nobody can compute the hashes
again after a change. Rows chained before keyed hashes (``key_id`` NULL) carry a plain
SHA-256 and are accepted only before the first keyed row. After every transaction that
appended, a signed checkpoint (newest id and hash) goes to a file outside the database
(:mod:`cellwatch.access.checkpoints`), so removing the newest rows shows too.
:func:`verify_chain` finds all of these. Nothing in cellwatch updates or deletes audit
rows; on PostgreSQL a trigger refuses it outright (migration ``0002_access``).

The key and the checkpoint folder travel in the session's ``info`` (set by
:func:`cellwatch.store.open_store`), so every caller of :func:`append` gets them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cellwatch.access import checkpoints
from cellwatch.access.models import AuditEntry
from cellwatch.errors import ForgedCheckpoint
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


def key_id(key: bytes) -> str:
    """A short public name of ``key`` (recorded on each row), from which it cannot be had."""
    return hashlib.sha256(b"cellwatch-audit-key:" + key).hexdigest()[:16]


def _key(session: Session) -> bytes | None:
    key = session.info.get("audit_key")
    return key if isinstance(key, bytes) else None


def _checkpoint_folder(session: Session) -> Path | None:
    folder = session.info.get("audit_checkpoints")
    return folder if isinstance(folder, Path) else None


def row_hash(entry: AuditEntry, key: bytes | None = None) -> str:
    """The hash a row must carry, given its content, its ``prev_hash`` and the key.

    With ``key`` an HMAC-SHA256; without, the plain SHA-256 of rows chained before keys.
    """
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
    message = (entry.prev_hash + canonical).encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


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


def append(session: Session, event: AuditEvent) -> None:
    """Chain ``event`` onto the log when ``session`` commits (not at all if it rolls back).

    The row is written at commit (``before_commit``), so the chain's lock is held for
    one read and one insert, not for the rest of the caller's transaction: under load
    on PostgreSQL, holding it from the service's check to its commit serialised whole
    requests. The row keeps the time of the event itself.
    """
    pending: list[tuple[datetime, AuditEvent]] = session.info.setdefault("audit_pending", [])
    pending.append((utcnow(), event))
    if not sa_event.contains(session, "before_commit", _chain_pending):
        sa_event.listen(session, "before_commit", _chain_pending)


def _chain_pending(session: Session) -> None:
    pending: list[tuple[datetime, AuditEvent]] = session.info.pop("audit_pending", [])
    if not pending:
        return
    _serialise(session)
    last = _last(session)
    key = _key(session)
    for ts, event in pending:
        entry = AuditEntry(
            id=(last.id + 1) if last else 1,
            ts=ts,
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
        entry.key_id = key_id(key) if key is not None else None
        entry.hash = row_hash(entry, key)
        session.add(entry)
        last = entry
    session.flush()
    if key is not None and last is not None and _checkpoint_folder(session) is not None:
        session.info["audit_newest"] = (last.id, last.hash)
        if not sa_event.contains(session, "after_commit", _checkpoint):
            sa_event.listen(session, "after_commit", _checkpoint)


def _checkpoint(session: Session) -> None:
    """After the commit (never for a rolled-back append): sign the newest row outside."""
    newest = session.info.pop("audit_newest", None)
    key, folder = _key(session), _checkpoint_folder(session)
    if newest is not None and key is not None and folder is not None:
        checkpoints.write(folder, key, *newest)


def append_now(store: Store, event: AuditEvent) -> None:
    """Append in a transaction of its own (for denials, whose own transaction rolls back)."""
    with store.session() as session:
        append(session, event)


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of checking the chain: ``ok``, rows checked, and the first bad row."""

    ok: bool
    rows: int
    first_bad_id: int | None = None
    problem: str | None = None
    checkpoints: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"ok": self.ok, "rows": self.rows, "first_bad_id": self.first_bad_id,
                "problem": self.problem, "checkpoints": self.checkpoints}


def _walk(session: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.id > last_id)
                                    .order_by(AuditEntry.id).limit(batch)))
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def _row_problem(entry: AuditEntry, key: bytes | None, keyed_seen: bool) -> str | None:
    if entry.key_id is None:
        if keyed_seen:
            return "row has no keyed hash after keyed rows (re-hashed without the key)"
        return None if row_hash(entry) == entry.hash else "content does not match its hash"
    if key is None or entry.key_id != key_id(key):
        return f"row is hashed with key {entry.key_id}, which is not this installation's key"
    return None if row_hash(entry, key) == entry.hash else "content does not match its hash"


def _signed(session: Session, key: bytes | None) -> dict[int, str]:
    """Checkpoint id -> hash; raises ForgedCheckpoint for a bad line or two hashes of one id."""
    folder = _checkpoint_folder(session)
    if key is None or folder is None:
        return {}
    found: dict[int, str] = {}
    for point in checkpoints.read(folder, key):
        if found.setdefault(point.id, point.hash) != point.hash:
            raise ForgedCheckpoint(
                f"checkpoint {point.where} gives row {point.id} a second hash")
    return found


def verify_session(session: Session) -> VerificationResult:
    """Walk the chain in ``session`` and report the first row that does not hold.

    Each row must follow its predecessor, carry the hash of its content under the key,
    and match every signed checkpoint naming it; no checkpoint may name a row past the
    end (rows removed from the end).
    """
    key = _key(session)
    try:
        signed = _signed(session, key)
    except ForgedCheckpoint as exc:
        return VerificationResult(False, 0, None, str(exc))
    prev, expected_id, count, keyed_seen = GENESIS, 1, 0, False
    for entry in _walk(session):
        count += 1
        if entry.id != expected_id:
            return VerificationResult(False, count, entry.id, f"row {expected_id} is missing",
                                      len(signed))
        if entry.prev_hash != prev:
            return VerificationResult(False, count, entry.id, "prev_hash does not match",
                                      len(signed))
        problem = _row_problem(entry, key, keyed_seen)
        if problem is None and signed.get(entry.id, entry.hash) != entry.hash:
            problem = "row differs from its signed checkpoint (rewritten and re-hashed)"
        if problem is not None:
            return VerificationResult(False, count, entry.id, problem, len(signed))
        keyed_seen = keyed_seen or entry.key_id is not None
        prev, expected_id = entry.hash, expected_id + 1
    beyond = max(signed, default=0)
    if beyond >= expected_id:
        return VerificationResult(
            False, count, expected_id,
            f"the log ends at row {expected_id - 1} but a signed checkpoint names row "
            f"{beyond}: rows were removed", len(signed))
    return VerificationResult(True, count, checkpoints=len(signed))


def verify_chain(store: Store) -> VerificationResult:
    """Verify the whole audit chain of ``store``."""
    with store.session() as session:
        return verify_session(session)
