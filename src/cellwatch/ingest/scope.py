"""Which establishments the user running an ingest may write rows for.

Kinds a local team loads and whose rows name an establishment (intelligence, seizures,
social observations; detections, whose sensor names it, in SQL through
:class:`WriteLimit`) check each row here, in the kind itself, where every API upload, web
upload, CLI ingest and quarantine retry passes. A row naming an establishment outside the
writer's scope is a problem of the row: it is quarantined with the reason, never written
and never silently dropped. A row naming no establishment is left to the kind's own rules.
The ``system`` principal and national organisations write anywhere; a name that is no
active user writes for no establishment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cellwatch.access.policy import Target, can
from cellwatch.access.principal import Principal, principal_for
from cellwatch.access.roles import Action, Resource, permitted
from cellwatch.errors import AuthenticationFailed, ConfigError
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.model import Problem
from cellwatch.ingest.validate import Checked
from cellwatch.lake.cleaning_sql import quote

FIELD = "establishment"


def writer_of(ctx: IngestContext, session: Session) -> Principal | None:
    """Who the ingest runs as, resolved as the API resolves a caller (None: no active user)."""
    try:
        return principal_for(session, ctx.principal)
    except AuthenticationFailed:
        return None


@dataclass(frozen=True)
class WriteScope:
    """Where a kind's writer may write: ``what`` names the rows in reasons; ``resource``
    is the policy resource whose create rule decides (None: the writer's geography alone)."""

    what: str
    resource: Resource | None = None

    def refusal(self, ctx: IngestContext, writer: Principal | None,
                establishment: str) -> str | None:
        """Why ``writer`` may not write rows for ``establishment``, or None if it may.

        An establishment's team writes for its own establishment, a region for its
        region's, national units (and ``system``) anywhere.
        """
        if writer is not None:
            if self.resource is None:
                if writer.covers(establishment):
                    return None
            elif can(writer, Action.CREATE, Target(self.resource, establishment=establishment)):
                return None
        return self.reason(ctx, writer)

    def reason(self, ctx: IngestContext, writer: Principal | None) -> str:
        """The reason given for a row ``writer`` may not write."""
        if writer is None:
            return f"{ctx.principal} is not an active user, so may not write for an establishment"
        if self.resource is not None and not permitted(writer.roles, self.resource, Action.CREATE):
            return f"{writer.username} holds no role that writes {self.what}"
        return (f"outside the scope of {writer.username}: a team writes {self.what} for its "
                "own establishment, a region for its region's")

    def check(self, ctx: IngestContext, session: Session, rows: Iterable[Checked]) -> None:
        """Add a problem to every row whose establishment is outside the writer's scope."""
        writer = writer_of(ctx, session)
        for row in rows:
            establishment = row.values.get(FIELD)
            if not establishment:
                continue
            refused = self.refusal(ctx, writer, establishment)
            if refused is not None:
                row.problems.append(Problem(FIELD, refused))


@dataclass(frozen=True)
class WriteLimit:
    """A writer's scope for a kind validated in SQL: ``establishments`` None means all, and
    ``reason`` is what a refused row is quarantined with."""

    establishments: frozenset[str] | None
    reason: str

    def problem_sql(self, establishment: str) -> str | None:
        """SQL giving the refusal for a row whose ``establishment`` is out of scope, or None.

        Establishment codes come from the store, and are quoted as literals anyway.
        """
        if self.establishments is None:
            return None
        reason = quote(self.reason)
        if not self.establishments:
            return f"CASE WHEN {establishment} IS NOT NULL THEN {reason} END"
        listed = ", ".join(quote(code) for code in sorted(self.establishments))
        return f"CASE WHEN {establishment} NOT IN ({listed}) THEN {reason} END"


def write_limit(ctx: IngestContext, scope: WriteScope) -> WriteLimit:
    """The :class:`WriteLimit` of the user running ``ctx`` for ``scope``.

    Only a geographic scope (``scope.resource`` None) can be checked as a list of
    establishments; a kind whose create rule depends on more is checked row by row.
    """
    if scope.resource is not None:
        raise ConfigError(f"{scope.what}: a role-based write rule cannot be a WriteLimit")
    with ctx.store.session() as session:
        writer = writer_of(ctx, session)
    reach = frozenset() if writer is None else writer.establishments
    return WriteLimit(reach, scope.reason(ctx, writer))
