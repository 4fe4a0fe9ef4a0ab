"""A per-address limit on failed sign-ins, kept in the serving process's memory.

The user-name lockout (:mod:`cellwatch.access.signin`) stops guessing one account's
password; this stops one client spraying guesses over many names, and spares the
password hashing (argon2 costs tens of milliseconds of CPU each) while it is refused.
Each app holds its own (``app.state.signin_throttle``); a restart forgets it, which is
acceptable for a limit measured in a minute.
"""

from __future__ import annotations

import threading
import time
from collections import deque

WINDOW_SECONDS = 60.0
MAX_ADDRESSES = 10_000  # bounded memory under a flood of distinct addresses


class AddressThrottle:
    """At most ``per_minute`` failed sign-ins per client address in any minute."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failures.get(address)
        if times is None:
            return deque()
        while times and now - times[0] > WINDOW_SECONDS:
            times.popleft()
        if not times:
            del self._failures[address]
        return times

    def limited(self, address: str | None) -> bool:
        """Whether ``address`` has used up its failures for the current minute."""
        if address is None:
            return False
        with self._lock:
            return len(self._recent(address, time.monotonic())) >= self.per_minute

    def failed(self, address: str | None) -> None:
        """Count a failed sign-in from ``address``."""
        if address is None:
            return
        now = time.monotonic()
        with self._lock:
            if address not in self._failures and len(self._failures) >= MAX_ADDRESSES:
                # Forget the address whose latest failure is oldest.
                stalest = min(self._failures, key=lambda a: self._failures[a][-1])
                del self._failures[stalest]
            times = self._recent(address, now)
            times.append(now)
            self._failures[address] = times
