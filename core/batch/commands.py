"""What the user's job commands do to the store: retry, resolve unknown starts, cancel.

Plain store operations, each one transaction for any number of jobs. The controller adds
what only it knows: which jobs a worker holds right now, and telling the watchers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from core.store import JobState, JobStore, is_legal, retry_target

S = JobState
CANCELLABLE = (S.QUEUED, S.START_UNKNOWN, S.GENERATING, S.DOWNLOADING, S.DOWNLOADED)
RETRYABLE = (S.FAILED, S.CANCELLED)
INTERNAL_ERROR = "internal error; see the log"


def retry_jobs(store: JobStore, job_ids: Iterable[str], busy: Collection[str] = ()) -> list[str]:
    """Send failed or cancelled jobs back the cheapest way (:func:`core.store.retry_target`).

    A clip on disk is analysed again, a saved request is polled again (free); only a job
    without one, or whose generation failed or expired, is queued for a new start (its
    earlier cost stays counted in ``prior_cost_usd``). Jobs in ``busy`` are left alone.
    """
    groups: dict[JobState, list[str]] = {}
    for job in store.get_many(job_ids):
        has_clip = job.clip_path is not None
        target = retry_target(job.state, job.error_kind, bool(job.request_id), has_clip)
        if target is not None and job.id not in busy:
            groups.setdefault(target, []).append(job.id)
    moved = store.requeue(groups.pop(S.QUEUED, []), sources=RETRYABLE)
    for target, ids in groups.items():
        moved += store.transition_all(RETRYABLE, target, job_ids=ids, **fresh_attempts())
    return moved


def resolve_unknown(store: JobStore, job_ids: Iterable[str], resend: bool) -> list[str]:
    """Re-send starts whose outcome is unknown (each may be charged twice), or cancel them."""
    if resend:
        return store.requeue(job_ids, resend=True, sources=[S.START_UNKNOWN])
    return store.transition_all([S.START_UNKNOWN], S.CANCELLED, job_ids=job_ids)


def cancel_idle(store: JobStore, busy: Collection[str]) -> list[str]:
    """Cancel every unfinished job no worker holds."""
    return store.transition_all(CANCELLABLE, S.CANCELLED, exclude_ids=busy)


def cancel_one(store: JobStore, job_id: str) -> bool:
    """Cancel one job no worker holds, when its state allows it."""
    if not is_legal(store.get(job_id).state, S.CANCELLED):
        return False
    store.transition(job_id, S.CANCELLED)
    return True


def park(store: JobStore, job_id: str) -> bool:
    """Set aside a job whose step hit a bug, never losing a start that may have gone out."""
    state = store.get(job_id).state
    target = S.START_UNKNOWN if state is S.SUBMITTING else S.FAILED
    if not is_legal(state, target):
        return False
    store.transition(job_id, target, error=INTERNAL_ERROR)
    return True


def fresh_attempts() -> dict[str, Any]:
    """Fields that give a retried job a clean slate of attempts."""
    return {"attempts": 0, "next_at": 0.0, "error_kind": None, "error": None, "finished_at": None}
