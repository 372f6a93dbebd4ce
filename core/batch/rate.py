"""How fast a run settles its jobs: a sliding-window rate and the ETA it implies.

One meter serves the CLI's progress line and the GUI's status bar. A window (rather than
the whole run's average) lets a pause or a burst of failures show within a minute.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from core.store import SETTLED, JobState


def settled_count(counts: Mapping[JobState, int]) -> int:
    """Jobs the run has nothing more to do for without the user (done, failed, …)."""
    return sum(n for state, n in counts.items() if state in SETTLED)


class RateMeter:
    """Jobs settled per second over the last ``window_s``, and the ETA from that rate.

    Parameters
    ----------
    window_s:
        How far back the rate looks (older points are dropped, two are always kept).
    min_span_s:
        The shortest history that gives a rate; shorter spans give ``None`` (no rate yet),
        because two counts a few ms apart would show a wild figure.
    """

    def __init__(self, window_s: float, min_span_s: float = 0.5) -> None:
        self._window_s, self._min_span_s = window_s, min_span_s
        self._points: deque[tuple[float, int]] = deque()

    def reset(self) -> None:
        """Forget the history (a new run, or a resume after a long pause)."""
        self._points.clear()

    def add(self, at_s: float, settled: int) -> None:
        """Record the settled count at a time (seconds on any monotonic clock)."""
        self._points.append((at_s, settled))
        while len(self._points) > 2 and at_s - self._points[0][0] > self._window_s:
            self._points.popleft()

    def per_s(self) -> float | None:
        """The recent rate, never negative (a retry un-settles jobs); ``None`` too early."""
        if len(self._points) < 2:
            return None
        (t0, n0), (t1, n1) = self._points[0], self._points[-1]
        if t1 - t0 < self._min_span_s:
            return None
        return max(0.0, (n1 - n0) / (t1 - t0))

    def eta_s(self, remaining: int) -> float | None:
        """Seconds to settle ``remaining`` jobs at the recent rate (``None``: unknown)."""
        if remaining <= 0:
            return 0.0
        rate = self.per_s()
        return remaining / rate if rate else None
