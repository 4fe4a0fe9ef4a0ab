"""The heart of the service layer: one :class:`Access` per principal, deciding and auditing.

Every read and write of cellwatch's people and intelligence goes through a function
that takes an :class:`Access`; it opens the transaction (setting PostgreSQL's
row-level security context), asks the policy, audits, and on denial rolls back, audits
the denial in a transaction of its own and raises :class:`Denied`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cellwatch.access import audit as audit_log
from cellwatch.access import rls
from cellwatch.access.policy import Decision, Target, can, needs_reason
from cellwatch.access.principal import Principal
from cellwatch.access.roles import Action, Resource, permitted
from cellwatch.errors import Concealed as Concealed  # the denials, re-exported for the
from cellwatch.errors import Denied as Denied  # services that import them beside Access
from cellwatch.errors import NotFound
from cellwatch.errors import ReasonRequired as ReasonRequired
from cellwatch.settings import Settings
from cellwatch.store import Store

# Records whose very existence is guarded: refused out of scope exactly as unknown ones are.
CONCEALED = frozenset({Resource.PRISONER, Resource.INTELLIGENCE, Resource.CASE,
                       Resource.REFERRAL, Resource.INGEST_BATCH, Resource.QUARANTINE})
_NOUNS = {Resource.PRISONER: "prisoner", Resource.INTELLIGENCE: "intelligence report",
          Resource.CASE: "case", Resource.REFERRAL: "referral", Resource.INGEST_BATCH: "batch",
          Resource.QUARANTINE: "quarantined row"}


def not_found(resource: Resource, ident: str | int | None) -> NotFound:
    """The one answer for a guarded record that is unknown, or out of the principal's scope."""
    return NotFound(f"{_NOUNS.get(resource, str(resource))} {ident} not found")


@dataclass(frozen=True)
class Page:
    """Pagination: at most ``limit`` items (1-500) after skipping ``offset``."""

    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= 500 or self.offset < 0:
            raise ValueError("limit must be 1-500 and offset >= 0")


class Access:
    """The acting principal bound to a store: the only door to guarded data."""

    def __init__(self, store: Store, principal: Principal,
                 settings: Settings | None = None) -> None:
        self.store = store
        self.principal = principal
        # Needed only by what reads beyond the store (the event lake); None elsewhere.
        self.settings = settings

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A transaction under the principal's row-level security context."""
        try:
            with self.store.session() as session:
                rls.apply(session, self.principal)
                yield session
        except Denied as exc:
            # The failed transaction is rolled back by now; the denial is kept regardless.
            self._record(exc.action, exc.target, "denied", exc.reason, {"why": exc.message})
            if isinstance(exc, Concealed):
                raise (NotFound(exc.unknown) if exc.unknown is not None
                       else not_found(exc.target.type, exc.target.id)) from None
            raise

    @contextmanager
    def facts(self) -> Iterator[Session]:
        """A read of the facts the policy decides on (owner, establishment, shares).

        Outside row-level security on purpose: a record hidden by it would look absent,
        and the denial would go unaudited. Nothing read here is returned to the caller.
        """
        with self.store.session() as session:
            yield session

    def check(self, action: Action, target: Target, reason: str | None = None,
              opening: bool = False, role_only: bool = False) -> None:
        """Raise :class:`Denied` unless allowed; ``opening`` a record may need a reason.

        ``role_only`` asks about the kind of record (for lists, filtered by scope in SQL).
        """
        decision = can(self.principal, action, target) if not role_only else \
            Decision(self.principal.is_system or permitted(self.principal.roles, target.type,
                                                           action), "role")
        if not decision:
            message = (f"{self.principal.username} may not {action} {target.type} "
                       f"{target.id or ''}: {decision.reason}".replace("  ", " "))
            if not role_only and self._hidden(action, target):
                raise Concealed(message, action, target, reason)
            raise Denied(message, action, target, reason)
        if opening and not (reason and reason.strip()) and needs_reason(self.principal, target):
            raise ReasonRequired(f"a reason is required to open {target.type} {target.id} "
                                 "outside your organisation", action, target, reason)

    def _hidden(self, action: Action, target: Target) -> bool:
        # Hidden when a role grants the action on such records (so a refusal cannot be
        # told from one for an unknown id) but the principal may not read this one.
        return (target.id is not None and target.type in CONCEALED
                and permitted(self.principal.roles, target.type, action)
                and not can(self.principal, Action.READ, target))

    def require_role(self, action: Action, resource: Resource, ident: str | None = None) -> None:
        """Refuse (403, audited) a principal no role of which grants ``action`` on ``resource``.

        Asked before a record is looked up, so the answer is the same whether it exists.
        """
        if self.principal.is_system or permitted(self.principal.roles, resource, action):
            return
        with self.transaction():
            self.check(action, Target(resource, ident), role_only=True)

    def audit(self, session: Session, action: str, target: Target, reason: str | None = None,
              detail: Mapping[str, Any] | None = None) -> None:
        """Record an allowed action inside the current transaction."""
        audit_log.append(session, self._event(action, target, "allowed", reason, detail))

    def _record(self, action: str, target: Target, outcome: str, reason: str | None,
                detail: Mapping[str, Any] | None) -> None:
        audit_log.append_now(self.store, self._event(action, target, outcome, reason, detail))

    def _event(self, action: str, target: Target, outcome: str, reason: str | None,
               detail: Mapping[str, Any] | None) -> audit_log.AuditEvent:
        return audit_log.AuditEvent(
            principal=self.principal.username, org=self.principal.org_code, action=action,
            resource_type=str(target.type), resource_id=target.id, outcome=outcome,
            reason=reason, detail=detail)
