"""Password hashing (argon2id) and a sign-in that costs the same whether or not the user exists."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.access.models import User
from cellwatch.errors import AuthenticationFailed, InvalidData

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 takes any length; a cap keeps a huge password from costing CPU


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the user does not exist, so an unknown name costs the same time.
    return _hasher().hash("cellwatch-dummy-password-never-matches")


def check_strength(password: str) -> None:
    """Refuse passwords too short or too long to be sensible."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidData("password refused", {
            "password": [f"must be {MIN_LENGTH} to {MAX_LENGTH} characters"]})


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted, parameters embedded)."""
    check_strength(password)
    return _hasher().hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return bool(_hasher().verify(stored, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user whose password this is, or :class:`AuthenticationFailed`.

    The message never says whether the name or the password was wrong.
    """
    user = None
    if len(username) <= 100 and len(password) <= MAX_LENGTH:
        user = session.scalars(select(User).where(User.username == username)).one_or_none()
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    matched = _verify(stored, password[:MAX_LENGTH])
    if user is None or not user.active or not user.password_hash or not matched:
        raise AuthenticationFailed("wrong user name or password")
    return user
