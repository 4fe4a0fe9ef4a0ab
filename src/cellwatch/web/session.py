"""The web session: a signed cookie, backed by a session record on the server.

The cookie is HMAC-SHA256 signed with the same per-home key that signs API tokens and
carries who is signed in, the form (CSRF) token and a random session token. A signed-in
cookie counts only while the server's record of that token (``web_sessions``, keyed by
the token's SHA-256) is open: sign-out ends it, as do ``session_idle_minutes`` without a
page and ``session_absolute_hours`` after sign-in, however active; a copied cookie dies
with its session. The cookie is HttpOnly and SameSite=Strict always, and Secure unless
the page is served on a loopback address (the demo and the tests use plain HTTP there).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta

from fastapi import Request, Response

from cellwatch.access.models import SignInSession
from cellwatch.settings import Settings
from cellwatch.store import Store, utcnow

COOKIE = "cellwatch_session"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "testserver"})
# A session's last use is written at most this often: a write per page would be waste.
SEEN_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class WebSession:
    """What the cookie carries. ``user`` is empty while nobody is signed in."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    user: str = ""
    issued: float = field(default_factory=time.time)
    # The previous sign-in's time, so the overview can say what changed since then.
    last_visit: float = 0.0
    # Organisations the user gave a reason to look into during this session.
    reasons: tuple[str, ...] = ()
    # The token naming the server's record of this session (empty while signed out).
    token: str = ""

    def signed_in(self, user: str, last_visit: float, token: str) -> WebSession:
        """A fresh session for ``user``: new CSRF token so a pre-sign-in token is useless."""
        return WebSession(user=user, last_visit=last_visit, token=token)

    def with_reason(self, scope: str) -> WebSession:
        """The session remembering that a reason was given for ``scope``."""
        return replace(self, reasons=(*self.reasons, scope))


def _sign(key: str, payload: bytes) -> str:
    return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()


def encode(key: str, session: WebSession) -> str:
    """The cookie value: base64 JSON, a dot, then its signature."""
    body = json.dumps(
        {
            "c": session.csrf,
            "u": session.user,
            "i": session.issued,
            "l": session.last_visit,
            "r": list(session.reasons),
            "s": session.token,
        },
        separators=(",", ":"),
    ).encode()
    # No "=" padding: it would make the cookie value need quoting.
    payload = base64.urlsafe_b64encode(body).rstrip(b"=")
    return f"{payload.decode()}.{_sign(key, payload)}"


def decode(key: str, value: str | None, ttl_seconds: float) -> WebSession | None:
    """The session in ``value``, or None when missing, forged or idle past ``ttl_seconds``."""
    if not value or "." not in value:
        return None
    payload, signature = value.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(key, payload.encode())):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        session = WebSession(
            csrf=str(data["c"]),
            user=str(data["u"]),
            issued=float(data["i"]),
            last_visit=float(data["l"]),
            reasons=tuple(str(r) for r in data["r"]),
            token=str(data.get("s", "")),
        )
    except (ValueError, KeyError, TypeError):
        return None
    if time.time() - session.issued > ttl_seconds:
        return None
    return session


def write(response: Response, request: Request, key: str, session: WebSession) -> None:
    """Set the session cookie on ``response`` with the flags the issue asks for."""
    # Re-issuing on every page keeps an active analyst signed in (an idle timeout).
    session = replace(session, issued=time.time())
    host = request.url.hostname or ""
    response.set_cookie(
        COOKIE,
        encode(key, session),
        httponly=True,
        samesite="strict",
        secure=host not in LOOPBACK,
        path="/",
    )


def clear(response: Response) -> None:
    """Remove the session cookie (sign-out)."""
    response.delete_cookie(COOKIE, path="/")


def _record_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(store: Store, user: str) -> str:
    """Open a server-side session for ``user``; return the token its cookie carries."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.session() as db:
        db.add(SignInSession(id=_record_id(token), username=user, created_at=now,
                             last_seen_at=now))
    return token


def end(store: Store, session: WebSession, reason: str) -> None:
    """End ``session`` on the server (sign-out): its cookie no longer signs anyone in."""
    if not session.token:
        return
    with store.session() as db:
        record = db.get(SignInSession, _record_id(session.token))
        if record is not None and record.ended_at is None:
            record.ended_at, record.end_reason = utcnow(), reason


def load(store: Store, settings: Settings, key: str, value: str | None) -> WebSession | None:
    """The session the cookie ``value`` holds, or None when forged, expired or ended.

    A signed-out cookie (only a CSRF token) needs no record. A signed-in one needs an open
    record for the same user, used within the idle limit and younger than the absolute
    limit; one past a limit is ended there and then.
    """
    idle = timedelta(minutes=settings.session_idle_minutes)
    absolute = timedelta(hours=settings.session_absolute_hours)
    session = decode(key, value, idle.total_seconds())
    if session is None or not session.user:
        return session
    if not session.token:
        return None
    now = utcnow()
    with store.session() as db:
        record = db.get(SignInSession, _record_id(session.token))
        if record is None or record.ended_at is not None or record.username != session.user:
            return None
        why = ("absolute limit" if now - record.created_at > absolute
               else "idle limit" if now - record.last_seen_at > idle else None)
        if why is not None:
            record.ended_at, record.end_reason = now, why
            return None
        if now - record.last_seen_at > SEEN_EVERY:
            record.last_seen_at = now
    return session
