"""Pacing of submissions: a token bucket shared by all workers, and a per-call jitter pause.

Both are plain asyncio (no Qt) and adjustable while running: the batch runner changes the
rate and the jitter range mid-run, and waiters pick the new values up on their next check.
Clock, sleep and randomness are injectable so tests run instantly and deterministically.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]
_EPSILON = 1e-9
Clock = Callable[[], float]


class TokenBucket:
    """At most ``rate_per_min`` acquisitions per minute on average, bursts up to ``burst``.

    Waiters are served first come, first served (one lock), so a fast worker cannot starve
    the others. The bucket starts full: the first ``burst`` calls go out at once.
    """

    def __init__(
        self,
        rate_per_min: float,
        burst: float = 1.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._check(rate_per_min)
        self._rate_per_s = rate_per_min / 60.0
        self._burst = max(1.0, burst)
        self._tokens = self._burst
        self._clock, self._sleep = clock, sleep
        self._stamp = clock()
        self._lock = asyncio.Lock()

    @property
    def rate_per_min(self) -> float:
        """The current rate."""
        return self._rate_per_s * 60.0

    def set_rate(self, rate_per_min: float) -> None:
        """Change the rate; tokens already earned are kept (up to the burst size)."""
        self._check(rate_per_min)
        self._refill()
        self._rate_per_s = rate_per_min / 60.0

    async def acquire(self) -> None:
        """Wait until a token is available and take it."""
        async with self._lock:
            while True:
                self._refill()
                # The tolerance absorbs float rounding: without it a deficit of 1e-16 tokens
                # asks for a sleep too short to move the clock, forever.
                if self._tokens >= 1.0 - _EPSILON:
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return
                # Re-check after the wait: set_rate may have changed the rate meanwhile.
                await self._sleep((1.0 - self._tokens) / self._rate_per_s)

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate_per_s)
        self._stamp = now

    @staticmethod
    def _check(rate_per_min: float) -> None:
        if not rate_per_min > 0:
            raise ValueError(f"rate limit must be > 0 requests per minute, got {rate_per_min}")


class Jitter:
    """A random pause in ``[low_s, high_s]`` seconds; ``(0, 0)`` turns it off."""

    def __init__(
        self,
        low_s: float,
        high_s: float,
        rand: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.set_range(low_s, high_s)
        self._rand = rand or random.Random()
        self._sleep = sleep

    @property
    def range_s(self) -> tuple[float, float]:
        """The current (low, high) range in seconds."""
        return (self._low_s, self._high_s)

    def set_range(self, low_s: float, high_s: float) -> None:
        """Change the range (takes effect on the next pause)."""
        if low_s < 0 or high_s < low_s:
            raise ValueError(f"jitter range must satisfy 0 <= low <= high, got {low_s}-{high_s}")
        self._low_s, self._high_s = low_s, high_s

    async def pause(self) -> float:
        """Sleep a random time in the range; return the seconds slept."""
        delay_s = self._rand.uniform(self._low_s, self._high_s)
        if delay_s > 0:
            await self._sleep(delay_s)
        return delay_s
