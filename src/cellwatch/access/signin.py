"""Signing in, for the web and the API alike: lockout, rate limit, password check, audit.

Every attempt is an audit row (``web.sign_in`` or ``api.token``) naming the user name
tried, the outcome, why it was refused and the client address. The lockout is read back
from those rows, so it holds across processes and restarts: a user name with
``signin_max_failures`` wrong passwords within ``signin_lockout_minutes`` (since its last
success) is refused, even with the right password, until the oldest of those failures
leaves the period. Refusals during a lockout do not count, so they cannot prolong it.
A client address failing faster than ``signin_address_failures_per_minute`` is refused
without a password check (:class:`~cellwatch.access.throttle.AddressThrottle`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cellwatch.access import audit
from cellwatch.access.models import AuditEntry
from cellwatch.access.passwords import authenticate
from cellwatch.access.throttle import AddressThrottle
from cellwatch.errors import AuthenticationFailed, TooManyAttempts
from cellwatch.settings import Settings
from cellwatch.store import Store, utcnow

WEB = "web.sign_in"
API = "api.token"
ACTIONS = (WEB, API)
WRONG = "wrong user name or password"
LOCKED = "locked out after repeated failures"
THROTTLED = "too many failures from the address"


@dataclass(frozen=True)
class Limits:
    """How many failures lock a user name out, and for how long."""

    max_failures: int
    lockout: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """The limits ``settings`` set."""
        return cls(settings.signin_max_failures,
                   timedelta(minutes=settings.signin_lockout_minutes))


@dataclass(frozen=True)
class SignedIn:
    """Who signed in: enough to issue a token or start a session."""

    username: str
    org: str
    token_version: int


def locked_until(session: Session, username: str, limits: Limits,
                 now: datetime) -> datetime | None:
    """When ``username``'s lockout ends, or None when it is not locked out at ``now``."""
    name = username[:100]
    last_ok = session.scalar(select(func.max(AuditEntry.id)).where(
        AuditEntry.principal == name, AuditEntry.action.in_(ACTIONS),
        AuditEntry.outcome == "allowed"))
    query = select(AuditEntry.ts).where(
        AuditEntry.principal == name, AuditEntry.action.in_(ACTIONS),
        AuditEntry.outcome == "denied", AuditEntry.reason == WRONG,
        AuditEntry.ts > now - limits.lockout)
    if last_ok is not None:
        query = query.where(AuditEntry.id > last_ok)
    failures = session.scalars(query.order_by(AuditEntry.id.desc())
                               .limit(limits.max_failures)).all()
    if len(failures) < limits.max_failures:
        return None
    return min(failures) + limits.lockout


def sign_in(store: Store, username: str, password: str, *, action: str, limits: Limits,
            throttle: AddressThrottle | None = None, address: str | None = None,
            now: datetime | None = None) -> SignedIn:
    """The user whose password this is, or :class:`AuthenticationFailed` (429 when limited).

    The message for a wrong name and a wrong password is the same; a lockout applies to
    any name tried, so it does not tell which names exist either.
    """
    now = now or utcnow()
    result: SignedIn | None = None
    refusal: TooManyAttempts | None = None
    if throttle is not None and throttle.limited(address):
        refusal, reason = TooManyAttempts("too many failed sign-ins from here: wait a minute "
                                          "and try again"), THROTTLED
    else:
        with store.session() as db:
            until = locked_until(db, username, limits, now)
            if until is not None:
                refusal, reason = TooManyAttempts(
                    "too many failed sign-ins for this user name: try again after "
                    f"{until:%H:%M} UTC"), LOCKED
            else:
                try:
                    user = authenticate(db, username, password)
                    result, reason = SignedIn(user.username, user.org_code,
                                              user.token_version), ""
                except AuthenticationFailed:
                    reason = WRONG
    if result is None and throttle is not None and refusal is None:
        throttle.failed(address)
    audit.append_now(store, audit.AuditEvent(
        principal=username[:100] or "(blank)", org=result.org if result else None,
        action=action, resource_type="user", resource_id=username[:200] or None,
        outcome="allowed" if result else "denied", reason=reason or None,
        detail={"address": address} if address else None))
    if refusal is not None:
        raise refusal
    if result is None:
        raise AuthenticationFailed(WRONG)
    return result
