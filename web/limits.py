"""Rate limits of the API and the open-data files: a token bucket per token and per address.

Each key (a token's name, a client's address) has a bucket of PTLCD_API_PAR_MINUTE requests,
refilled at that rate: a client may send that many at once, then one every 60/N seconds.
An empty bucket answers with the seconds to wait (HTTP 429, Retry-After). In the server's
memory only: a restart forgets the counts, which costs a client at most one burst more.

A full bucket is no different from no bucket: buckets are forgotten once full, so the table
holds only the clients of the last minute, whatever the number of addresses seen.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

# Past this many clients in one minute, the buckets that are full again are swept away.
SWEEP_ABOVE = 10_000


class RateLimiter:
    """Token buckets: `per_minute` requests per key, refilled continuously; 0: no limit."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (tokens left, when they were counted)
        self._buckets: dict[str, tuple[float, float]] = {}

    @property
    def _rate(self) -> float:
        return self.per_minute / 60.0

    def take(self, key: str) -> int:
        """Count one request of `key`: 0 when allowed, else the whole seconds to wait."""
        if self.per_minute <= 0:
            return 0
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * self._rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return max(1, math.ceil((1.0 - tokens) / self._rate))
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > SWEEP_ABOVE:
                self._sweep(now)
            return 0

    def _sweep(self, now: float) -> None:
        full = [
            key
            for key, (tokens, then) in self._buckets.items()
            if tokens + (now - then) * self._rate >= self.per_minute
        ]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


_limiters: dict[int, RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter(per_minute: int) -> RateLimiter:
    """The server's limiter for this setting (one per process, kept between requests)."""
    with _limiters_lock:
        if per_minute not in _limiters:
            _limiters[per_minute] = RateLimiter(per_minute)
        return _limiters[per_minute]
