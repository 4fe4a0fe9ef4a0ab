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
from cellwatch.access.roles import Action, permitted
from cellwatch.errors import AccessDenied
from cellwatch.settings import Settings
from cellwatch.store import Store


class Denied(AccessDenied):
    """An :class:`AccessDenied` that remembers what was asked, so the denial can be audited."""

    def __init__(self, message: str, action: str, target: Target, reason: str | None) -> None:
        super().__init__(message)
        self.action = action
        self.target = target
        self.reason = reason


class ReasonRequired(Denied):
    """A denial only for want of a stated reason: the policy itself would allow it.

    Shells catch it to say how to give one (``--reason``, a header, a form); the API's
    problem details name the missing field.
    """

    def to_problem(self) -> dict[str, object]:
        body = super().to_problem()
        body["errors"] = {"reason": ["a stated reason is required outside your own organisation"]}
        return body


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
            raise Denied(f"{self.principal.username} may not {action} {target.type} "
                         f"{target.id or ''}: {decision.reason}".replace("  ", " "),
                         action, target, reason)
        if opening and not (reason and reason.strip()) and needs_reason(self.principal, target):
            raise ReasonRequired(f"a reason is required to open {target.type} {target.id} "
                                 "outside your organisation", action, target, reason)

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
