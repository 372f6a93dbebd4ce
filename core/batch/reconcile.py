"""Bring a run directory back to a consistent state before (re)starting it.

After a crash (or ``kill -9``) jobs can be caught mid-step. Nothing already finished is
touched; each interrupted step is rewound to the last point that is safe to repeat:

========================  =====================================================
found in                  becomes
========================  =====================================================
``submitting``            ``start_unknown``: the start may have been accepted
                          and billed; never re-sent without the user's say-so
``downloading``           ``generating``: poll again (free) for a fresh URL and
                          download again; the stale ``.part`` file is removed
``analysing``             ``downloaded``: the clip is analysed again
========================  =====================================================

With ``resend_unknown`` (the user accepted possible double charges) ``start_unknown`` jobs go
back to the queue, their possible earlier charge kept in ``prior_cost_usd``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.batch.rundir import RunDir
from core.store import JobState, JobStore

log = logging.getLogger(__name__)

UNKNOWN_MESSAGE = (
    "the app stopped while this start was being sent; it may have been accepted (and billed)"
)


@dataclass(frozen=True)
class Reconciled:
    """How many jobs each rewind touched."""

    start_unknown: int = 0
    repoll: int = 0
    reanalyse: int = 0
    resent: int = 0
    parts_removed: int = 0

    @property
    def total(self) -> int:
        """Jobs touched."""
        return self.start_unknown + self.repoll + self.reanalyse + self.resent


def reconcile(store: JobStore, run_dir: RunDir, resend_unknown: bool = False) -> Reconciled:
    """Rewind interrupted steps (see the module docstring); call with the run lock held."""
    unknown = store.transition_all(
        [JobState.SUBMITTING],
        JobState.START_UNKNOWN,
        error_kind=None,
        error=UNKNOWN_MESSAGE,
    )
    repoll = store.transition_all([JobState.DOWNLOADING], JobState.GENERATING)
    reanalyse = store.transition_all([JobState.ANALYSING], JobState.DOWNLOADED)
    resent: list[str] = []
    if resend_unknown:
        unknown_ids = store.ids_in([JobState.START_UNKNOWN])
        resent = store.requeue(unknown_ids, resend=True, sources=[JobState.START_UNKNOWN])
    parts = _remove_parts(run_dir)
    result = Reconciled(len(unknown), len(repoll), len(reanalyse), len(resent), parts)
    if result.total or result.parts_removed:
        log.info("reconciled run %s: %s", run_dir.path, result)
    return result


def _remove_parts(run_dir: RunDir) -> int:
    """Delete partial downloads: no download runs while we hold the lock."""
    removed = 0
    if run_dir.clips_dir.is_dir():
        for part in run_dir.clips_dir.glob("*.part"):
            part.unlink(missing_ok=True)
            removed += 1
    return removed
