"""Status-bar texts of a run: counts by state, durations, and the rate/ETA line (Qt-free).

The figures themselves (settled jobs, the sliding-window rate and the ETA) come from
:mod:`core.batch.rate`; this only words them.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.batch.rate import RateMeter
from core.store import IN_FLIGHT, JobState

RATE_WINDOW_S = 60.0
MIN_RATE_SPAN_S = 1.0


def status_meter() -> RateMeter:
    """The status bar's meter: a minute's window, a rate once a second of history exists."""
    return RateMeter(RATE_WINDOW_S, min_span_s=MIN_RATE_SPAN_S)


def counts_text(counts: Mapping[JobState, int]) -> str:
    """``"120 done · 8 active · 870 queued · 2 failed"`` (zero parts left out)."""
    parts = [
        (counts.get(JobState.DONE, 0), "done"),
        (sum(counts.get(s, 0) for s in IN_FLIGHT), "active"),
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


def rate_text(meter: RateMeter, remaining: int) -> str:
    """``"12.0 jobs/min · ETA 5 min"`` (empty until the meter has a rate)."""
    rate_per_s = meter.per_s()
    if rate_per_s is None:
        return ""
    eta = meter.eta_s(remaining)
    eta_text = "" if eta is None or remaining == 0 else f" · ETA {format_duration(eta)}"
    return f"{rate_per_s * 60.0:.1f} jobs/min{eta_text}"
