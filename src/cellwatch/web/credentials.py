"""The sign-in record: when a user last signed in on the web.

The check itself is :func:`cellwatch.access.signin.sign_in`, shared with the API's token
endpoint, so the web and the API never disagree about who may sign in, and every attempt
goes in the audit chain under ``web.sign_in``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from cellwatch.access.models import AuditEntry
from cellwatch.access.signin import WEB as SIGN_IN
from cellwatch.store import Store


def last_sign_in(store: Store, username: str) -> datetime | None:
    """When ``username`` last signed in before now (the 'since your last visit' mark)."""
    with store.session() as db:
        times = db.scalars(
            select(AuditEntry.ts)
            .where(AuditEntry.principal == username, AuditEntry.action == SIGN_IN,
                   AuditEntry.outcome == "allowed")
            .order_by(AuditEntry.id.desc()).limit(2)
        ).all()
    # The newest is the sign-in just made; the one before is the last visit.
    return times[1] if len(times) > 1 else None
