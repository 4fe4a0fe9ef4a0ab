"""The password check and the sign-in record, shared with the API's token endpoint.

The check is the access package's :func:`~cellwatch.access.passwords.authenticate`, so the
web and the API never disagree about who may sign in. Every attempt goes in the audit chain.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from cellwatch.access import audit
from cellwatch.access.models import AuditEntry
from cellwatch.access.passwords import authenticate
from cellwatch.errors import AuthenticationFailed
from cellwatch.store import Store

SIGN_IN = "web.sign_in"


def check_password(store: Store, username: str, password: str) -> None:
    """Raise :class:`AuthenticationFailed` unless ``username`` is active with ``password``."""
    org = None
    try:
        with store.session() as db:
            org = authenticate(db, username, password).org_code
        ok = True
    except AuthenticationFailed:
        ok = False
    audit.append_now(store, audit.AuditEvent(
        principal=username or "(blank)", org=org, action=SIGN_IN, resource_type="user",
        resource_id=username or None, outcome="allowed" if ok else "denied"))
    if not ok:
        raise AuthenticationFailed("wrong user name or password")


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
