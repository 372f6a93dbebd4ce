"""Status-bar figures of a run: counts by state, overall progress, rate and ETA (Qt-free).

The rate is finished jobs per minute over a sliding window, so a pause or a burst of
failures shows up within a minute instead of being averaged away over the whole run.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping

from core.store import SETTLED, JobState

RATE_WINDOW_S = 60.0
ACTIVE = (
    JobState.SUBMITTING,
    JobState.GENERATING,
    JobState.DOWNLOADING,
    JobState.DOWNLOADED,
    JobState.ANALYSING,
)


def settled_count(counts: Mapping[JobState, int]) -> int:
    """Jobs with nothing left to do without the user (done, failed, …)."""
    return sum(n for state, n in counts.items() if state in SETTLED)


def counts_text(counts: Mapping[JobState, int]) -> str:
    """``"120 done · 8 active · 870 queued · 2 failed"`` (zero parts left out)."""
    parts = [
        (counts.get(JobState.DONE, 0), "done"),
        (sum(counts.get(s, 0) for s in ACTIVE), "active"),
        (counts.get(JobState.QUEUED, 0), "queued"),
        (counts.get(JobState.FAILED, 0), "failed"),
        (counts.get(JobState.START_UNKNOWN, 0), "unknown start"),
        (counts.get(JobState.MODERATED, 0), "moderated"),
        (counts.get(JobState.CANCELLED, 0), "cancelled"),
    ]
    shown = [f"{n:,} {word}" for n, word in parts if n]
    return " · ".join(shown) if shown else "No jobs"


def format_duration(seconds: float) -> str:
    """``"45 s"``, ``"12 min"``, ``"3 h 05 min"``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class RateMeter:
    """Settled jobs per minute over the last :data:`RATE_WINDOW_S`, and the ETA from it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()

    def reset(self) -> None:
        """Forget the history (a new run, or a resume after a long pause)."""
        self._samples.clear()

    def add(self, settled: int) -> None:
        """Record how many jobs are settled now."""
        now = self._clock()
        self._samples.append((now, settled))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW_S:
            self._samples.popleft()

    def per_minute(self) -> float | None:
        """Jobs settled per minute, or ``None`` with too little history."""
        if len(self._samples) < 2:
            return None
        (t0, n0), (t1, n1) = self._samples[0], self._samples[-1]
        if t1 - t0 < 1.0:
            return None
        return max(0.0, (n1 - n0) * 60.0 / (t1 - t0))

    def eta_s(self, remaining: int) -> float | None:
        """Seconds until ``remaining`` jobs settle at the current rate (``None``: unknown)."""
        rate = self.per_minute()
        if remaining <= 0:
            return 0.0
        if not rate:
            return None
        return remaining * 60.0 / rate

    def text(self, remaining: int) -> str:
        """``"12.0 jobs/min · ETA 5 min"`` for the status bar."""
        rate = self.per_minute()
        if rate is None:
            return ""
        eta = self.eta_s(remaining)
        eta_text = "" if eta is None or remaining == 0 else f" · ETA {format_duration(eta)}"
        return f"{rate:.1f} jobs/min{eta_text}"
