"""One job's steps, as small functions: submit, wait for the generation, download, analyse.

Each step moves the job through the store (one transaction per state change) and returns the
updated job, or ``None`` when the job leaves the worker (settled, waiting for a retry, or
handed to another lane). Errors are judged by :mod:`core.batch.policy`.

Cancellation (stop, or the user cancelling this job) rewinds an interrupted step to a state
that is safe to repeat. The one thing never interrupted is a start request and the commit
of its outcome: that runs shielded, so its ``request_id`` is always saved.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from core import spec
from core.batch.analysis import Analyzer
from core.batch.budget import Budget
from core.batch.events import PauseReason, Phase, ProgressThrottle, RunEvents
from core.batch.policy import RetryPolicy, classify, hint_s
from core.batch.rundir import RunDir
from core.config import Settings
from core.providers import (
    DownloadError,
    GenerationStatus,
    Jitter,
    ModerationBlocked,
    Provider,
    ProviderError,
    StartOutcomeUnknown,
    TokenBucket,
)
from core.store import FailReason, Job, JobState, JobStore

log = logging.getLogger(__name__)
S = JobState
PAUSED_RECHECK_S = 30.0
"""When a job's error paused the run (a refused key), its next try waits this long."""


UNLIMITED_RPM = 1e9


@runtime_checkable
class _SelfPacing(Protocol):
    """A provider that paces its own starts (``XaiClient``)."""

    def set_rate_limit_rpm(self, rate_per_min: float) -> None: ...

    def set_jitter(self, low_s: float, high_s: float) -> None: ...


class Gate(Protocol):
    """The run's say over starts (implemented by the controller)."""

    def admit(self, job: Job) -> bool:
        """True when ``job`` may be started now (not paused or stopping; budget reserved)."""
        ...

    def pause(self, reason: PauseReason = PauseReason.USER, detail: str = "") -> None:
        """Pause the run."""
        ...


@dataclass
class Pacing:
    """Submission pacing shared by all workers: jitter, then a token from the bucket.

    The runner paces starts itself (not the client) so that a job is marked ``submitting``
    only when its request is about to go out: a crash while waiting for a turn leaves it
    ``queued``, not ``start_unknown``.
    """

    bucket: TokenBucket
    jitter: Jitter

    @classmethod
    def from_settings(cls, settings: Settings) -> Pacing:
        """``TC_RATE_LIMIT_RPM`` and ``TC_JITTER``."""
        # No burst: xAI states video limits per second, so starts go out evenly spaced.
        return cls(TokenBucket(settings.rate_limit_rpm), Jitter(*settings.jitter_s))

    @staticmethod
    def take_over(provider: object) -> None:
        """Turn a client's own start pacing off (the runner's replaces it)."""
        if isinstance(provider, _SelfPacing):
            provider.set_rate_limit_rpm(UNLIMITED_RPM)
            provider.set_jitter(0.0, 0.0)

    async def wait(self) -> None:
        """Wait for this worker's turn to send a start."""
        await self.jitter.pause()
        await self.bucket.acquire()


@dataclass
class StepContext:
    """Everything a job's steps use."""

    store: JobStore
    provider: Provider
    run_dir: RunDir
    events: RunEvents
    budget: Budget
    gate: Gate
    pacing: Pacing
    analyzer: Analyzer | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Callable[[], float] = time.time
    rand: Callable[[], float] = random.random
    throttle: ProgressThrottle = field(default_factory=ProgressThrottle)
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    """Start tasks that must finish even when their worker is cancelled."""

    def move(self, job: Job, target: JobState, durable: bool = False, **changes: Any) -> Job:
        """Transition ``job`` in the store and tell the watchers."""
        job = self.store.transition(job.id, target, durable=durable, **changes)
        self.events.job_changed.emit(job.id)
        return job

    def progress(self, job_id: str, phase: Phase, done: int, total: int) -> None:
        """Report progress (throttled per job)."""
        if self.throttle.allow(job_id, phase, done, total):
            self.events.progress.emit(job_id, str(phase), done, total)


async def run_job(ctx: StepContext, job: Job, hand_off_analysis: bool) -> None:
    """Advance one job as far as it can go now.

    ``hand_off_analysis``: leave a downloaded clip for the analysis lane instead of analysing
    it here (so slow analysis never holds a network worker).
    """
    step: Job | None = job
    try:
        if step is not None and step.state is S.QUEUED:
            step = await submit(ctx, step)
        if step is not None and step.state is S.DOWNLOADING:
            step = ctx.move(step, S.GENERATING)  # the URL is not kept: poll again for it
        if step is not None and step.state is S.GENERATING:
            step = await generate_and_download(ctx, step)
        if step is not None and step.state is S.DOWNLOADED and not hand_off_analysis:
            await analyse(ctx, step)
    finally:
        ctx.throttle.forget(job.id)


async def submit(ctx: StepContext, job: Job) -> Job | None:
    """Pace, check the gate, mark ``submitting`` (fsynced), and send the start shielded."""
    await ctx.pacing.wait()
    if not ctx.gate.admit(job):
        return None
    job = ctx.move(job, S.SUBMITTING, durable=True, submitted_at=ctx.clock())
    task = asyncio.ensure_future(_send_start(ctx, job))
    ctx.background.add(task)
    task.add_done_callback(ctx.background.discard)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        # Stopping or cancelling: let the start finish so its outcome is recorded first.
        await asyncio.wait({task})
        raise


async def _send_start(ctx: StepContext, job: Job) -> Job | None:
    try:
        request_id = await ctx.provider.start(job.request())
    except StartOutcomeUnknown as err:
        # Its estimate stays reserved: it may have been billed.
        ctx.move(job, S.START_UNKNOWN, error_kind=None, error=str(err))
        return None
    except ProviderError as err:
        ctx.budget.release(job.cost_estimate_usd)
        after_error(ctx, job, err, back_to=S.QUEUED)
        return None
    return ctx.move(
        job, S.GENERATING, request_id=request_id, attempts=0, error_kind=None, error=None
    )


async def generate_and_download(ctx: StepContext, job: Job) -> Job | None:
    """Poll until the video is ready, then download it."""
    found = await await_generation(ctx, job)
    if found is None:
        return None
    job, status = found
    assert status.video_url is not None  # the client raises for a done status without one
    cost_usd = status.cost_usd if job.cost_usd is None else job.cost_usd
    job = ctx.move(job, S.DOWNLOADING, cost_usd=cost_usd)
    return await download(ctx, job, status.video_url)


async def await_generation(ctx: StepContext, job: Job) -> tuple[Job, GenerationStatus] | None:
    """Poll the saved request until it is done; record its cost. ``None`` if it is not."""
    assert job.request_id is not None

    def on_status(status: GenerationStatus) -> None:
        ctx.progress(job.id, Phase.GENERATING, status.progress, 100)

    try:
        status = await ctx.provider.wait(job.request_id, on_status)
    except ModerationBlocked as err:
        cost_usd = _usd(err.cost_usd_ticks)
        _settle(ctx, job, cost_usd)
        ctx.move(job, S.MODERATED, cost_usd=cost_usd, error=str(err))
        return None
    except ProviderError as err:
        after_error(ctx, job, err, back_to=S.GENERATING)
        return None
    _settle(ctx, job, status.cost_usd)
    return job, status


async def download(ctx: StepContext, job: Job, url: str) -> Job | None:
    """Stream the clip to ``clips/<job_id>.mp4``; on failure poll again for a fresh URL."""
    dest = ctx.run_dir.clip_path(job.id)

    def on_bytes(done: int, total: int | None) -> None:
        ctx.progress(job.id, Phase.DOWNLOADING, done, total or 0)

    try:
        await ctx.provider.download(url, dest, progress=on_bytes)
    except asyncio.CancelledError:
        ctx.move(job, S.GENERATING)
        raise
    except ProviderError as err:
        after_error(ctx, job, err, back_to=S.GENERATING)
        return None
    except OSError as err:
        after_error(ctx, job, DownloadError(f"cannot write {dest}: {err}"), S.GENERATING)
        return None
    clip = ctx.run_dir.clip_rel(job.id)
    job = ctx.move(job, S.DOWNLOADED, clip_path=clip, attempts=0, error_kind=None, error=None)
    return job


async def analyse(ctx: StepContext, job: Job) -> Job | None:
    """Score the clip (when an analyzer is set) and finish the job."""
    if ctx.analyzer is None:
        return ctx.move(job, S.DONE)
    job = ctx.move(job, S.ANALYSING)
    ctx.progress(job.id, Phase.ANALYSING, 0, 1)
    report_rel = ctx.run_dir.analysis_rel(job.id)
    try:
        scores = await ctx.analyzer(ctx.run_dir.clip_path(job.id), ctx.run_dir.path / report_rel)
    except asyncio.CancelledError:
        ctx.move(job, S.DOWNLOADED)
        raise
    except Exception as err:  # noqa: BLE001 - one bad clip (or analyser bug) fails its job only
        log.warning("analysis of %s failed: %s", job.id, err)
        ctx.move(
            job, S.FAILED, error_kind=FailReason.ANALYSIS, error=f"{type(err).__name__}: {err}"
        )
        return None
    ctx.progress(job.id, Phase.ANALYSING, 1, 1)
    scores = dataclasses.replace(scores, report_dir=report_rel)
    return ctx.move(job, S.DONE, **scores.columns())


def after_error(ctx: StepContext, job: Job, err: ProviderError, back_to: JobState) -> None:
    """Retry later (backoff), fail the job, or pause the run, as the error deserves."""
    verdict = classify(err)
    message = str(err)
    if verdict.pause is not None:
        ctx.gate.pause(verdict.pause, message)
        # No attempt counted: the job is fine, the account is not. Polls of paid jobs go on
        # while paused, so space them out instead of failing them.
        next_at = ctx.clock() + PAUSED_RECHECK_S
        _put_back(ctx, job, back_to, next_at=next_at, error_kind=verdict.reason, error=message)
        return
    attempts = job.attempts + 1
    if verdict.retry and attempts < ctx.policy.max_attempts:
        delay_s = ctx.policy.delay_s(attempts, hint_s(err), ctx.rand)
        log.info("job %s: %s; retry %d in %.1f s", job.id, message, attempts, delay_s)
        next_at = ctx.clock() + delay_s
        _put_back(
            ctx,
            job,
            back_to,
            attempts=attempts,
            next_at=next_at,
            error_kind=verdict.reason,
            error=message,
        )
        return
    log.warning("job %s failed (%s): %s", job.id, verdict.reason, message)
    ctx.move(job, S.FAILED, attempts=attempts, error_kind=verdict.reason, error=message)


def _put_back(ctx: StepContext, job: Job, state: JobState, **changes: Any) -> None:
    if job.state is state:
        ctx.store.update(job.id, **changes)
        ctx.events.job_changed.emit(job.id)
    else:
        ctx.move(job, state, **changes)


def _settle(ctx: StepContext, job: Job, cost_usd: float | None) -> None:
    """Replace the reservation by the actual cost, once per start."""
    if job.cost_usd is None:
        ctx.budget.settle(job.cost_estimate_usd, cost_usd)


def _usd(ticks: int | None) -> float | None:
    return None if ticks is None else ticks / spec.USD_TICKS
