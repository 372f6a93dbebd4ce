"""What a run tells its watchers (GUI, CLI): psygnal signals, kept cheap.

One ``job_changed`` per state change (the row itself is read from the store), progress at
most every :data:`PROGRESS_INTERVAL_S` per job, and ``run_state`` when the run's own state
changes. Handlers run synchronously on the loop's thread; the GUI coalesces them.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable

from psygnal import Signal

PROGRESS_INTERVAL_S = 0.25
"""Least time between two progress events of one job (except the final one)."""


class RunState(enum.StrEnum):
    """The run as a whole (``run_state`` signal values)."""

    RUNNING = "running"
    """Workers are taking jobs."""
    PAUSING = "pausing"
    """Paused: nothing new is started; generations already paid for still finish."""
    PAUSED = "paused"
    """Paused and idle; ``resume()`` continues, ``stop()`` ends ``run()``."""
    STOPPING = "stopping"
    """Shutting down: starts in flight finish, everything else is saved where it is."""
    STOPPED = "stopped"
    """``run()`` returned with work left; the run directory resumes it."""
    FINISHED = "finished"
    """Every job is settled (done, failed, moderated, cancelled or awaiting a decision)."""


class Phase(enum.StrEnum):
    """What a progress event measures."""

    GENERATING = "generating"
    """Provider progress, 0-100."""
    DOWNLOADING = "downloading"
    """Bytes received of the total (total 0 when unknown)."""
    ANALYSING = "analysing"
    """0 at start, 1 of 1 at the end."""


class PauseReason(enum.StrEnum):
    """Why a run paused (``RunController.pause_reason``)."""

    USER = "user"
    BUDGET = "budget"
    """The next start would take spending past the budget."""
    AUTH = "auth"
    """The provider refused the key; every start would fail the same way."""


class RunEvents:
    """The signals of one run."""

    job_changed = Signal(str)
    """``job_id``: the job's row changed (state, cost, scores); read it from the store."""
    jobs_changed = Signal(int)
    """``count``: a bulk change (cancel all, retry failed) touched this many jobs at once;
    reload the view (or use ``JobStore.changes_since``)."""
    progress = Signal(str, str, int, int)
    """``(job_id, phase, done, total)``; ``phase`` is a :class:`Phase` value."""
    run_state = Signal(str)
    """A :class:`RunState` value."""


class ProgressThrottle:
    """Drops progress events that come faster than :data:`PROGRESS_INTERVAL_S` per job."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: dict[tuple[str, str], float] = {}

    def allow(self, job_id: str, phase: str, done: int, total: int) -> bool:
        """True when this event should be emitted (always for the final one)."""
        key = (job_id, phase)
        now = self._clock()
        final = total > 0 and done >= total
        if not final and now - self._last.get(key, -1e18) < PROGRESS_INTERVAL_S:
            return False
        if final:
            self._last.pop(key, None)
        else:
            self._last[key] = now
        return True

    def forget(self, job_id: str) -> None:
        """Drop a finished job's timestamps."""
        for phase in Phase:
            self._last.pop((job_id, phase), None)
