"""Short-lived API tokens: HS256 JWTs signed with the settings' key.

A token names its user (``sub``) and the user's ``token_version``; disabling a user or
changing their password bumps the version, so every token issued before stops working.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt

from cellwatch.errors import AuthenticationFailed
from cellwatch.settings import Settings
from cellwatch.store import utcnow

ALGORITHM = "HS256"
AUDIENCE = "cellwatch-api"


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says."""

    username: str
    token_version: int
    jti: str


def issue_token(settings: Settings, username: str, token_version: int) -> str:
    """A signed token for ``username``, valid for ``settings.token_ttl_minutes``."""
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": username,
        "ver": token_version,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=settings.token_ttl_minutes),
        "jti": uuid.uuid4().hex,
        "aud": AUDIENCE,
    }
    return jwt.encode(claims, settings.signing_key(), algorithm=ALGORITHM)


def read_token(settings: Settings, token: str) -> TokenClaims:
    """Verify signature, algorithm, audience and expiry, or raise :class:`AuthenticationFailed`."""
    try:
        claims = jwt.decode(
            token, settings.signing_key(), algorithms=[ALGORITHM], audience=AUDIENCE,
            options={"require": ["sub", "exp", "iat", "jti", "ver"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationFailed("token expired") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationFailed("invalid token") from exc
    if not isinstance(claims["sub"], str) or not isinstance(claims["ver"], int):
        raise AuthenticationFailed("invalid token")
    return TokenClaims(claims["sub"], claims["ver"], str(claims["jti"]))
