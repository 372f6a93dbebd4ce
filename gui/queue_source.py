"""Read access to a run's jobs for the queue table, on the GUI's own SQLite connection.

WAL lets this reader run while the batch runner writes (core/store docs). Besides the
store's queries, the table needs the ordered ids of a filtered, sorted view (to map rows to
jobs without loading whole rows): that one query is built here from the store's own
``where``/``order`` builders, so filters mean exactly what they mean in ``core``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from core.store import DB_NAME, Changes, Job, JobFilter, JobSort, JobState, JobStore
from core.store import queries as Q
from core.store.schema import connect


class QueueSource:
    """What the queue model reads: ordered ids, jobs by id, counts, changes."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        path = self.run_dir / DB_NAME
        self.store = JobStore(path, readonly=True)
        self._ids_conn: sqlite3.Connection = connect(path, readonly=True)

    def close(self) -> None:
        """Close both connections."""
        self.store.close()
        self._ids_conn.close()

    def ids(self, flt: JobFilter, sort: JobSort) -> list[str]:
        """Job ids of the view, in display order."""
        where, params = Q.where_clause(flt)
        sql = f"SELECT id FROM jobs{where}{Q.order_clause(sort)}"
        return [row[0] for row in self._ids_conn.execute(sql, params)]

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
        sql = "SELECT DISTINCT category FROM jobs WHERE category IS NOT NULL ORDER BY 1"
        return [row[0] for row in self._ids_conn.execute(sql)]
