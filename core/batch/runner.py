"""The run controller: a bounded pool of worker coroutines over one run directory.

N generation workers (changeable while running) pull jobs from the store through a
:class:`JobFeed`; a small analysis lane scores downloaded clips so slow analysis never holds
a network worker. Pause is persistent (kept in ``run.db``), the budget pauses the run before
a start would pass it, and ``stop()`` (Ctrl-C, window close) lets starts in flight finish
and leaves everything else where it is, so ``run()`` on the same folder picks it up.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from core.batch import commands
from core.batch.analysis import Analyzer
from core.batch.budget import Budget
from core.batch.events import PauseReason, RunEvents, RunState
from core.batch.feed import JobFeed, Lane
from core.batch.policy import RetryPolicy
from core.batch.reconcile import Reconciled, reconcile
from core.batch.rundir import RunDir
from core.batch.worker import Pacing, StepContext, run_job
from core.config import Settings
from core.prompts import Prompt
from core.providers import Provider
from core.store import IN_FLIGHT, UNFINISHED, FailReason, Job, JobState

log = logging.getLogger(__name__)
S = JobState

MAX_IDLE_S = 5.0
"""An idle worker re-checks the store at least this often (a safety net, not a poll loop)."""


class RunController:
    """Runs (and resumes) the jobs of one run directory.

    Parameters
    ----------
    run_dir:
        The run directory; created when missing. Held with an OS lock until :meth:`close`.
        ``run.json`` is written by whoever knows the provider (:meth:`RunDir.create`).
    settings:
        Concurrency, rate limit and jitter come from here (changeable while running).
    provider_factory:
        Makes the provider when :meth:`run` starts (closed when it ends). The controller
        paces starts itself, so it turns the provider's own pacing off when it has one.
    analyzer:
        Scores each downloaded clip (see :mod:`core.batch.analysis`); ``None``: no analysis.
    budget_usd:
        Spending limit; ``None`` keeps the one stored in the run (or none).
    resend_unknown:
        Re-send starts whose outcome is unknown (the user accepts possible double charges).
    """

    def __init__(
        self,
        run_dir: Path,
        settings: Settings,
        provider_factory: Callable[[], Provider],
        analyzer: Analyzer | None = None,
        *,
        budget_usd: float | None = None,
        resend_unknown: bool = False,
        policy: RetryPolicy | None = None,
        analysis_workers: int = 1,
        clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.run_dir = RunDir(Path(run_dir))
        self._lock, self.store = self.run_dir.open(clock)
        self.settings = settings
        self.events = RunEvents()
        self._provider_factory = provider_factory
        self._analyzer = analyzer
        self._analysis_workers = max(1, analysis_workers)
        self._policy = policy or RetryPolicy()
        self._resend_unknown = resend_unknown
        self._clock, self._rand = clock, rand
        self._concurrency = settings.concurrency
        self._pacing = Pacing.from_settings(settings)
        self.budget = Budget(self._initial_budget(budget_usd))
        self._feed = JobFeed(self.store, batch=max(64, 2 * self._concurrency), clock=clock)
        self.pause_reason: PauseReason | None = None
        self.pause_detail = ""
        self._paused = False
        self.state = RunState.STOPPED
        self.reconciled = Reconciled()
        self._ctx: StepContext | None = None
        self._stopping = False
        self._done = asyncio.Event()
        self._workers: dict[tuple[Lane, int], asyncio.Task[None]] = {}
        self._job_tasks: dict[str, asyncio.Task[None]] = {}
        self._cancelled: set[str] = set()
        self._restore_pause()

    # -- lifecycle -------------------------------------------------------------------------

    async def run(self) -> RunState:
        """Run until every job is settled or :meth:`stop` is called; return the final state.

        Reconciles the run directory first (after a crash), so this also resumes a run.
        While paused it waits (idle) for :meth:`resume` or :meth:`stop`.
        """
        if self._ctx is not None:
            raise RuntimeError(f"{self.run_dir.path} is already running")
        self.reconciled = reconcile(self.store, self.run_dir, self._resend_unknown)
        if self.reconciled.total:
            self.events.jobs_changed.emit(self.reconciled.total)
        provider = self._provider_factory()
        Pacing.take_over(provider)
        self.budget = Budget(self.budget.limit_usd, self.store.spend().total_usd)
        self._ctx = self._context(provider)
        self._stopping, self._done = False, asyncio.Event()
        self._refresh_state()
        self._spawn_workers()
        try:
            await self._done.wait()
        finally:
            await self._shutdown(provider)
        final = RunState.FINISHED if self._finished() else RunState.STOPPED
        self._set_state(final)
        return final

    def stop(self) -> None:
        """End :meth:`run`: starts in flight finish, everything else stays resumable."""
        if self._ctx is None or self._stopping:
            return
        self._stopping = True
        self._set_state(RunState.STOPPING)
        self._done.set()

    def close(self) -> None:
        """Close the store and release the run directory (after :meth:`run` returned)."""
        self.store.close()
        self._lock.release()

    # -- jobs ------------------------------------------------------------------------------

    def enqueue(self, prompts: list[Prompt]) -> list[str]:
        """Add jobs for ``prompts`` (``repeat`` samples each); running workers pick them up."""
        ids = self.store.enqueue(prompts)
        self.events.jobs_changed.emit(len(ids))
        self._feed.wake()
        return ids

    def counts(self) -> dict[JobState, int]:
        """Jobs per state."""
        return self.store.counts_by_state()

    def cancel(self, job_id: str | None = None) -> int:
        """Cancel one job (``job_id``) or every unfinished one; return how many.

        A job being started is cancelled once its start has been recorded; saved request
        ids and clips are kept, so a later retry costs nothing extra.
        """
        return self._cancel_all() if job_id is None else int(self._cancel_one(job_id))

    def retry_failed(self) -> int:
        """Retry every failed job the cheapest way (see :meth:`retry`)."""
        return self.retry(self.store.ids_in([S.FAILED]))

    def retry(self, job_ids: Iterable[str]) -> int:
        """Retry failed or cancelled jobs, charging again only when a new start is needed.

        See :func:`core.batch.commands.retry_jobs`.
        """
        moved = commands.retry_jobs(self.store, job_ids, busy=self._job_tasks.keys())
        self._bulk_changed(len(moved))
        return len(moved)

    def resolve_unknown(self, job_id: str | None = None, resend: bool = False) -> int:
        """Decide about starts whose outcome is unknown: re-send them, or cancel them.

        ``resend=True`` accepts that each may be charged twice (xAI has no idempotency key).
        """
        ids = [job_id] if job_id else self.store.ids_in([S.START_UNKNOWN])
        moved = commands.resolve_unknown(self.store, ids, resend)
        self._bulk_changed(len(moved))
        return len(moved)

    # -- run controls ----------------------------------------------------------------------

    def pause(self, reason: PauseReason = PauseReason.USER, detail: str = "") -> None:
        """Start nothing new (paid-for generations still finish); kept across restarts."""
        if not self._paused:
            log.info("run paused (%s) %s", reason, detail)
        self._paused, self.pause_reason, self.pause_detail = True, reason, detail
        self.store.set_meta("paused", str(reason))
        self._feed.allow_new = False
        self._feed.clear()
        self._refresh_state()

    def resume(self) -> None:
        """Undo :meth:`pause` (jobs held back by a refused key are tried again at once)."""
        if self.pause_reason is PauseReason.AUTH:
            self.store.clear_backoff(FailReason.AUTH)
        self._paused, self.pause_reason, self.pause_detail = False, None, ""
        self.store.set_meta("paused", "")
        self._feed.allow_new = True
        self._feed.wake()
        self._refresh_state()

    @property
    def paused(self) -> bool:
        """True while paused."""
        return self._paused

    def set_concurrency(self, n: int) -> None:
        """Change how many generation workers run (takes effect now; extra ones retire)."""
        if n < 1:
            raise ValueError(f"concurrency must be >= 1, got {n}")
        self._concurrency = n
        if self._ctx is not None:
            self._spawn_workers()
            self._feed.wake()

    @property
    def concurrency(self) -> int:
        """The number of generation workers."""
        return self._concurrency

    def set_rate_limit_rpm(self, rate_per_min: float) -> None:
        """Change the starts-per-minute limit shared by all workers."""
        self._pacing.bucket.set_rate(rate_per_min)

    def set_jitter(self, low_s: float, high_s: float) -> None:
        """Change each worker's random pause before a start."""
        self._pacing.jitter.set_range(low_s, high_s)

    def set_budget_usd(self, limit_usd: float | None) -> None:
        """Change the spending limit (``None``: none); a budget pause needs :meth:`resume`."""
        self.budget.limit_usd = limit_usd
        self.store.set_meta("budget_usd", "" if limit_usd is None else repr(limit_usd))

    # -- the gate (used by the steps) ------------------------------------------------------

    def admit(self, job: Job) -> bool:
        """May ``job`` be started now? Reserves its estimate when it may."""
        if self._stopping or self._paused or job.id in self._cancelled:
            return False
        if self.budget.try_reserve(job.cost_estimate_usd):
            return True
        spent, limit = self.budget.spent_usd, self.budget.limit_usd or 0.0
        detail = f"${spent:.2f} of ${limit:.2f} spent; the next start costs about "
        self.pause(PauseReason.BUDGET, detail + f"${job.cost_estimate_usd:.2f}")
        return False

    # -- workers ---------------------------------------------------------------------------

    def _spawn_workers(self) -> None:
        wanted = [(Lane.GENERATION, i) for i in range(self._concurrency)]
        wanted += [(Lane.ANALYSIS, i) for i in range(self._analysis_workers)]
        for key in wanted:
            if key not in self._workers:
                name = f"tc-{key[0]}-{key[1]}"
                self._workers[key] = asyncio.create_task(self._worker(*key), name=name)

    async def _worker(self, lane: Lane, index: int) -> None:
        try:
            while not self._stopping:
                if lane is Lane.GENERATION and index >= self._concurrency:
                    return
                job = self._feed.take(lane)
                if job is not None:
                    await self._work_on(job, lane)
                elif self._finished():
                    self._done.set()
                    return
                else:
                    await self._feed.wait(self._idle_timeout_s(lane))
        finally:
            self._workers.pop((lane, index), None)

    async def _work_on(self, job: Job, lane: Lane) -> None:
        assert self._ctx is not None
        hand_off = self._analyzer is not None and lane is Lane.GENERATION
        task = asyncio.create_task(run_job(self._ctx, job, hand_off), name=f"tc-job-{job.id}")
        self._job_tasks[job.id] = task
        try:
            await task
        except asyncio.CancelledError:
            if _self_cancelled():
                raise
            self._settle_cancelled(job.id)
        except Exception:
            # A bug in one job's steps must not end the worker (or the run): log, park the job.
            log.exception("job %s: unexpected error", job.id)
            self._quarantine(job.id)
        finally:
            self._job_tasks.pop(job.id, None)
            self._cancelled.discard(job.id)
            self._feed.release(job.id)
            self._refresh_state()

    async def _shutdown(self, provider: Provider) -> None:
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if self._ctx is not None:
            await asyncio.gather(*self._ctx.background, return_exceptions=True)
        self._workers.clear()
        self._ctx = None
        await provider.aclose()

    def _finished(self) -> bool:
        """Nothing in flight and nothing left that the run can do without the user."""
        if self._feed.in_flight:
            return False
        return not self.store.has_any(UNFINISHED)

    def _idle_timeout_s(self, lane: Lane) -> float:
        due_s = self._feed.seconds_to_next_due(lane)
        return MAX_IDLE_S if due_s is None else min(MAX_IDLE_S, due_s + 0.01)

    # -- helpers ---------------------------------------------------------------------------

    def _context(self, provider: Provider) -> StepContext:
        return StepContext(
            store=self.store,
            provider=provider,
            run_dir=self.run_dir,
            events=self.events,
            budget=self.budget,
            gate=self,
            pacing=self._pacing,
            analyzer=self._analyzer,
            policy=self._policy,
            clock=self._clock,
            rand=self._rand,
        )

    def _cancel_one(self, job_id: str) -> bool:
        task = self._job_tasks.get(job_id)
        if task is not None:
            self._cancelled.add(job_id)
            task.cancel()
            return True
        if not commands.cancel_one(self.store, job_id):
            return False
        self.events.job_changed.emit(job_id)
        return True

    def _cancel_all(self) -> int:
        running = list(self._job_tasks)
        for job_id in running:
            self._cancel_one(job_id)
        moved = commands.cancel_idle(self.store, busy=running)
        self._bulk_changed(len(moved))
        return len(moved) + len(running)

    def _settle_cancelled(self, job_id: str) -> None:
        if commands.cancel_one(self.store, job_id):
            self.events.job_changed.emit(job_id)

    def _quarantine(self, job_id: str) -> None:
        if commands.park(self.store, job_id):
            self.events.job_changed.emit(job_id)

    def _bulk_changed(self, count: int) -> None:
        if count:
            self.events.jobs_changed.emit(count)
        self._feed.clear()
        self._feed.wake()

    def _refresh_state(self) -> None:
        if self._stopping or self._ctx is None:
            return
        if not self._paused:
            self._set_state(RunState.RUNNING)
            return
        idle = not self._feed.in_flight and not self.store.has_any(IN_FLIGHT)
        self._set_state(RunState.PAUSED if idle else RunState.PAUSING)

    def _set_state(self, state: RunState) -> None:
        if state is not self.state:
            self.state = state
            self.events.run_state.emit(str(state))

    def _initial_budget(self, budget_usd: float | None) -> float | None:
        if budget_usd is not None:
            self.store.set_meta("budget_usd", repr(budget_usd))
            return budget_usd
        stored = self.store.get_meta("budget_usd") or ""
        return float(stored) if stored else None

    def _restore_pause(self) -> None:
        stored = self.store.get_meta("paused") or ""
        if stored:
            self.pause(PauseReason(stored), "paused in an earlier session")


def _self_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
