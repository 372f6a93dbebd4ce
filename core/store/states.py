"""The job state machine: states, reasons for failure, and which transitions are legal.

The one rule everything else protects: a job that may have been paid for (it has a
``request_id``, or its start may have reached the server) is never started again without the
user's say-so. See ../shared/DESIGN.md and docs/batch.md.
"""

from __future__ import annotations

import enum


class JobState(enum.StrEnum):
    """Where a job is. Stored as its string value in ``jobs.state``."""

    QUEUED = "queued"
    """Waiting for a worker; nothing has been sent, nothing paid."""
    SUBMITTING = "submitting"
    """The start request is going out now; if the app dies here its outcome is unknown."""
    START_UNKNOWN = "start_unknown"
    """A start went out and no answer came back: it may have been accepted (and billed).
    Never re-sent automatically; the user re-sends (accepting a possible double charge) or
    cancels."""
    GENERATING = "generating"
    """The provider accepted it; ``request_id`` is saved and the job is being polled."""
    DOWNLOADING = "downloading"
    """The video is ready; it is streaming to ``clips/<job_id>.mp4``."""
    DOWNLOADED = "downloaded"
    """The clip is on disk and verified; waiting for analysis."""
    ANALYSING = "analysing"
    """The analysis engine is scoring the clip."""
    DONE = "done"
    """Finished: clip downloaded (and analysed when analysis is on)."""
    FAILED = "failed"
    """Gave up; ``error_kind`` says why (:class:`FailReason`) and ``error`` the details."""
    MODERATED = "moderated"
    """The provider blocked the video (it may still have been billed); no clip."""
    CANCELLED = "cancelled"
    """The user cancelled it; a saved ``request_id`` or clip is kept for a later retry."""


class FailReason(enum.StrEnum):
    """Why a job failed (``jobs.error_kind``); decides what a retry does."""

    INVALID_REQUEST = "invalid_request"
    """The provider refused the request (400/404/422): retrying will not help."""
    AUTH = "auth"
    """The key was refused; the run pauses because every job would fail the same way."""
    RATE_LIMITED = "rate_limited"
    """429 after all retries and attempts."""
    SERVER_ERROR = "server_error"
    """5xx after all retries and attempts."""
    CONNECTION = "connection"
    """No response after all retries and attempts (nothing was accepted)."""
    GENERATION_FAILED = "generation_failed"
    """The provider reported the generation failed."""
    EXPIRED = "expired"
    """The provider reported the request expired."""
    DEADLINE = "deadline"
    """Still pending when our deadline ran out (it may still finish: retry polls again)."""
    DOWNLOAD = "download"
    """The clip could not be downloaded or is not a valid video."""
    ANALYSIS = "analysis"
    """The clip is on disk but the analysis failed."""


TERMINAL = frozenset({JobState.DONE, JobState.FAILED, JobState.MODERATED, JobState.CANCELLED})
"""States no worker will move a job out of by itself."""
SETTLED = TERMINAL | {JobState.START_UNKNOWN}
"""States where a run has nothing left to do for the job without the user."""
IN_FLIGHT = frozenset(
    {
        JobState.SUBMITTING,
        JobState.GENERATING,
        JobState.DOWNLOADING,
        JobState.DOWNLOADED,
        JobState.ANALYSING,
    }
)
"""States of jobs a run has started and not settled (paid-for work a pause still finishes)."""
UNFINISHED = IN_FLIGHT | {JobState.QUEUED}
"""States a run still has work for (every state that is not :data:`SETTLED`)."""
BILLABLE = IN_FLIGHT | {JobState.START_UNKNOWN, JobState.DONE, JobState.MODERATED}
"""States whose job may have cost money (failed/cancelled ones count when they hold a
``request_id``)."""

_S = JobState
LEGAL: dict[JobState, frozenset[JobState]] = {
    _S.QUEUED: frozenset({_S.SUBMITTING, _S.CANCELLED}),
    # Back to queued: the server refused the start (429/5xx/connect error), nothing billed.
    _S.SUBMITTING: frozenset({_S.GENERATING, _S.START_UNKNOWN, _S.QUEUED, _S.FAILED}),
    # Queued only by the user's explicit "re-send, I accept a possible double charge".
    _S.START_UNKNOWN: frozenset({_S.QUEUED, _S.CANCELLED}),
    _S.GENERATING: frozenset({_S.DOWNLOADING, _S.MODERATED, _S.FAILED, _S.CANCELLED}),
    # Back to generating: the URL expired or the app died mid-download; poll for a fresh URL.
    _S.DOWNLOADING: frozenset({_S.DOWNLOADED, _S.GENERATING, _S.FAILED, _S.CANCELLED}),
    _S.DOWNLOADED: frozenset({_S.ANALYSING, _S.DONE, _S.CANCELLED}),
    # Back to downloaded: the app stopped mid-analysis; the clip is analysed again.
    _S.ANALYSING: frozenset({_S.DONE, _S.DOWNLOADED, _S.FAILED, _S.CANCELLED}),
    _S.DONE: frozenset(),
    # Retry: from scratch, or (no new charge) poll again / analyse again.
    _S.FAILED: frozenset({_S.QUEUED, _S.GENERATING, _S.DOWNLOADED}),
    _S.MODERATED: frozenset(),
    _S.CANCELLED: frozenset({_S.QUEUED, _S.GENERATING, _S.DOWNLOADED}),
}
"""For each state, the states a job may move to. Anything else is a bug."""

NEEDS_REQUEST_ID = frozenset({JobState.GENERATING, JobState.DOWNLOADING})
NEEDS_CLIP = frozenset({JobState.DOWNLOADED, JobState.ANALYSING})


class IllegalTransition(RuntimeError):
    """A state change the state machine forbids (or one missing the data it requires)."""

    def __init__(self, job_id: str, current: str, target: str, why: str = "") -> None:
        self.job_id, self.current, self.target = job_id, current, target
        detail = f": {why}" if why else ""
        super().__init__(f"job {job_id}: {current} -> {target} is not allowed{detail}")


def is_legal(current: JobState, target: JobState) -> bool:
    """True when a job in ``current`` may move to ``target``."""
    return target in LEGAL[current]


def retry_target(
    state: JobState, reason: str | None, has_request_id: bool, has_clip: bool
) -> JobState | None:
    """Where "retry" sends a failed or cancelled job, charging again only when it must.

    A clip on disk is analysed again; a saved request whose generation did not fail is
    polled again (free); only a job that never got a request, or whose generation failed or
    expired, is started again. ``None``: the job is not retryable from ``state``.
    """
    if state not in (JobState.FAILED, JobState.CANCELLED):
        return None
    if has_clip:
        return JobState.DOWNLOADED
    generation_over = reason in (FailReason.GENERATION_FAILED, FailReason.EXPIRED)
    if has_request_id and not generation_over:
        return JobState.GENERATING
    return JobState.QUEUED
