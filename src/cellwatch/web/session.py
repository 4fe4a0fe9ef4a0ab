"""The web session: a signed cookie holding who is signed in and the form (CSRF) token.

The cookie is HMAC-SHA256 signed with the same per-home key that signs API tokens, so
no session table is needed and a server restart keeps people signed in. It is
HttpOnly and SameSite=Strict always, and Secure unless the page is served on a
loopback address (the demo and the tests run over plain HTTP on 127.0.0.1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field, replace

from fastapi import Request, Response

COOKIE = "cellwatch_session"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "testserver"})


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

    def signed_in(self, user: str, last_visit: float) -> WebSession:
        """A fresh session for ``user``: new CSRF token so a pre-sign-in token is useless."""
        return WebSession(user=user, last_visit=last_visit)

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
