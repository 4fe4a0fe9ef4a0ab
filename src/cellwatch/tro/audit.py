"""The one place the TRO workflow reports to the shared, append-only audit log.

Every transition is also kept in ``tro_transitions`` (who, when, why); this adds it to
the access package's hash-chained log when that log exists in the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session


def audit_tro_action(
    session: Session,
    actor: str,
    action: str,
    ref: str,
    reason: str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append ``action`` on TRO ``ref`` to the shared audit log, in ``session``'s transaction."""
    try:
        from cellwatch.access.audit import AuditEvent, append
        from cellwatch.access.models import AuditEntry
    except ImportError:  # pragma: no cover - the access package ships with cellwatch
        return
    # A store migrated without the access branch has no log to write to.
    if not inspect(session.connection()).has_table(AuditEntry.__tablename__):
        return
    append(session, AuditEvent(principal=actor, org=None, action=action,
                               resource_type="tro_application", resource_id=ref,
                               outcome="allowed", reason=reason, detail=detail))
