"""Read access to a run's jobs for the queue table, on the GUI's own read-only connection.

WAL lets this reader run while the batch runner writes (core/store docs). Every query is the
store's own (:class:`core.store.JobStore`), so filters and sorts mean exactly what they
mean in ``core``; this class only names what the queue model reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from core.store import Changes, Job, JobFilter, JobSort, JobState, open_store


class QueueSource:
    """What the queue model reads: ordered ids, jobs by id, counts, changes."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.store = open_store(self.run_dir, readonly=True)

    def close(self) -> None:
        """Close the connection."""
        self.store.close()

    def ids(self, flt: JobFilter, sort: JobSort) -> list[str]:
        """Job ids of the view, in display order."""
        return self.store.ids(flt, sort)

    def jobs(self, job_ids: Iterable[str]) -> list[Job]:
        """Jobs by id (unknown ids skipped)."""
        return self.store.get_many(job_ids)

    def changes_since(self, rev: int) -> Changes:
        """Ids changed after ``rev``, and the revision now."""
        return self.store.changes_since(rev)

    def revision(self) -> int:
        """The store's revision now."""
        return self.store.revision()

    def counts_by_state(self) -> dict[JobState, int]:
        """How many jobs are in each state."""
        return self.store.counts_by_state()

    def categories(self) -> list[str]:
        """Categories present in the run (for the filter box)."""
        return self.store.categories()
