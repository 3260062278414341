"""Rate limits: a token bucket per socket, a sliding window per address."""

from __future__ import annotations

from collections import deque

import trio


class TokenBucket:
    """``rate`` actions a second on average, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = trio.current_time()

    def take(self) -> bool:
        now = trio.current_time()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class SlidingWindow:
    """At most ``limit`` events per ``seconds`` for each key (e.g. joins per address)."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self._events: dict[str, deque[float]] = {}
        self._swept_at = trio.current_time()

    def allow(self, key: str) -> bool:
        now = trio.current_time()
        if now - self._swept_at >= self.seconds:
            self._forget_quiet_keys(now)
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.seconds:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    def _forget_quiet_keys(self, now: float) -> None:
        """Drop keys with nothing in the window, so a stream of new addresses cannot grow
        the table for ever (once per window: amortised O(1) per call)."""
        self._events = {k: v for k, v in self._events.items() if v and v[-1] > now - self.seconds}
        self._swept_at = now
