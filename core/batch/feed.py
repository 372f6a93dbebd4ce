"""Hands runnable jobs to workers, one worker per job, in small batches read from the store.

Workers pull; nothing is scheduled per job (no task or timer per prompt), so 100k queued
jobs cost nothing until a worker reaches them. Ids are read ahead in batches, and each job
is re-read when taken, so a job changed meanwhile (cancelled, retried) is never run stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from collections import deque
from collections.abc import Callable

from core.store import Job, JobState, JobStore

S = JobState


class Lane(enum.StrEnum):
    """Which workers take a job."""

    GENERATION = "generation"
    """Start, poll and download (the N network workers)."""
    ANALYSIS = "analysis"
    """Downloaded clips waiting for analysis."""


_PAID = (S.GENERATING, S.DOWNLOADING)
_STATES: dict[Lane, tuple[JobState, ...]] = {
    Lane.GENERATION: (*_PAID, S.QUEUED),
    Lane.ANALYSIS: (S.DOWNLOADED,),
}


def lane_groups(lane: Lane, allow_new: bool) -> list[tuple[JobState, ...]]:
    """The state groups a lane takes from, in priority order (paid-for work first)."""
    if lane is Lane.ANALYSIS:
        return [(S.DOWNLOADED,)]
    return [_PAID, (S.QUEUED,)] if allow_new else [_PAID]


class JobFeed:
    """The queue the workers pull from (backed by the store, not by memory)."""

    def __init__(
        self, store: JobStore, batch: int = 64, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._batch = batch
        self._clock = clock
        self._buffers: dict[Lane, deque[str]] = {lane: deque() for lane in Lane}
        self._taken: set[str] = set()
        self._wake = asyncio.Event()
        self.allow_new = True
        """False while paused: queued jobs are not handed out (paid-for work still is)."""

    @property
    def in_flight(self) -> int:
        """Jobs taken and not yet released."""
        return len(self._taken)

    def is_taken(self, job_id: str) -> bool:
        """True while a worker holds the job."""
        return job_id in self._taken

    def take(self, lane: Lane) -> Job | None:
        """A job for a worker of ``lane`` now, or ``None`` when there is none."""
        buffer = self._buffers[lane]
        for _refill in range(2):
            while buffer:
                job_id = buffer.popleft()
                if job_id in self._taken:
                    continue
                job = self._fresh(job_id)
                if job is not None and self._takeable(job, lane):
                    self._taken.add(job_id)
                    return job
            if not self._refill(lane):
                return None
        return None

    def release(self, job_id: str) -> None:
        """A worker is done with a job; wake idle workers (there may be work now)."""
        self._taken.discard(job_id)
        self.wake()

    def wake(self) -> None:
        """Wake every idle worker (new jobs, resume, a retry, a release)."""
        event, self._wake = self._wake, asyncio.Event()
        event.set()

    def clear(self) -> None:
        """Forget read-ahead ids (after a pause or a bulk change)."""
        for buffer in self._buffers.values():
            buffer.clear()

    async def wait(self, timeout_s: float | None) -> None:
        """Sleep until :meth:`wake` or ``timeout_s``."""
        event = self._wake
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout_s)

    def seconds_to_next_due(self, lane: Lane) -> float | None:
        """Seconds until a job of ``lane`` in backoff becomes due (``None``: none waits)."""
        now = self._clock()
        states = [s for group in lane_groups(lane, self.allow_new) for s in group]
        due = self._store.next_due_at(states, after=now)
        return None if due is None else max(0.0, due - now)

    def _refill(self, lane: Lane) -> bool:
        groups = lane_groups(lane, self.allow_new)
        skip = frozenset(self._taken)
        ids = self._store.runnable_ids(groups, self._clock(), self._batch, skip)
        self._buffers[lane].extend(ids)
        return bool(ids)

    def _fresh(self, job_id: str) -> Job | None:
        try:
            return self._store.get(job_id)
        except KeyError:
            return None

    def _takeable(self, job: Job, lane: Lane) -> bool:
        if job.next_at > self._clock() or job.state not in _STATES[lane]:
            return False
        return self.allow_new or job.state is not S.QUEUED
