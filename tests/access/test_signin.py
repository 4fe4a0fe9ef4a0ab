"""Sign-in: lockout after repeated failures (the right password too), and every try audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.access.models import AuditEntry
from cellwatch.access.signin import API, LOCKED, THROTTLED, WRONG, Limits, locked_until, sign_in
from cellwatch.access.throttle import AddressThrottle
from cellwatch.errors import AuthenticationFailed, TooManyAttempts
from cellwatch.store import Store, utcnow

LIMITS = Limits(max_failures=10, lockout=timedelta(minutes=15))


@pytest.fixture
def estate(store: Store) -> Store:
    build_estate(store)
    return store


def _attempts(store: Store, name: str) -> list[tuple[str, str | None]]:
    with store.session() as s:
        return [(e.outcome, e.reason) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.principal == name, AuditEntry.action == API)
            .order_by(AuditEntry.id))]


def test_40_wrong_then_the_right_password_is_refused_until_the_lockout_ends(
        estate: Store) -> None:
    for _ in range(40):
        with pytest.raises(AuthenticationFailed):
            sign_in(estate, "hei_analyst", "not the password", action=API, limits=LIMITS)
    with pytest.raises(TooManyAttempts):
        sign_in(estate, "hei_analyst", PASSWORD, action=API, limits=LIMITS)
    with estate.session() as s:
        until = locked_until(s, "hei_analyst", LIMITS, utcnow())
    assert until is not None
    # Once the period after the failures has passed, the right password works again.
    later = until + timedelta(seconds=1)
    assert sign_in(estate, "hei_analyst", PASSWORD, action=API, limits=LIMITS,
                   now=later).username == "hei_analyst"
    attempts = _attempts(estate, "hei_analyst")
    # Ten wrong passwords were checked; the rest were refused unchecked, all audited.
    assert attempts.count(("denied", WRONG)) == 10
    assert attempts.count(("denied", LOCKED)) == 31
    assert attempts[-1] == ("allowed", None)


def test_below_the_limit_a_success_resets_the_count(estate: Store) -> None:
    for _ in range(3):
        for _ in range(LIMITS.max_failures - 1):
            with pytest.raises(AuthenticationFailed):
                sign_in(estate, "hei_analyst", "wrong", action=API, limits=LIMITS)
        sign_in(estate, "hei_analyst", PASSWORD, action=API, limits=LIMITS)


def test_unknown_names_lock_out_alike(estate: Store) -> None:
    # The lockout does not depend on the account existing, so it tells nobody which do.
    for name in ("hei_analyst", "nobody_at_all"):
        for _ in range(LIMITS.max_failures):
            with pytest.raises(AuthenticationFailed) as failed:
                sign_in(estate, name, "wrong", action=API, limits=LIMITS)
            assert not isinstance(failed.value, TooManyAttempts)
        with pytest.raises(TooManyAttempts):
            sign_in(estate, name, "wrong", action=API, limits=LIMITS)


def test_an_address_failing_too_fast_is_refused_unchecked(estate: Store) -> None:
    throttle = AddressThrottle(per_minute=5)
    for n in range(5):
        with pytest.raises(AuthenticationFailed):
            sign_in(estate, f"name{n}", "wrong", action=API, limits=LIMITS, throttle=throttle,
                    address="192.0.2.7")
    with pytest.raises(TooManyAttempts):
        sign_in(estate, "hei_analyst", PASSWORD, action=API, limits=LIMITS, throttle=throttle,
                address="192.0.2.7")
    assert _attempts(estate, "hei_analyst") == [("denied", THROTTLED)]
    # Another address is not held back.
    sign_in(estate, "hei_analyst", PASSWORD, action=API, limits=LIMITS, throttle=throttle,
            address="192.0.2.8")


def test_an_overlong_name_is_refused_and_audited(estate: Store) -> None:
    with pytest.raises(AuthenticationFailed):
        sign_in(estate, "x" * 5000, "wrong", action=API, limits=LIMITS)
    assert _attempts(estate, "x" * 100) == [("denied", WRONG)]
