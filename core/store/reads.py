"""Read queries over ``run.db``: what the GUI's views, the CLI and the runner ask.

Every query here is indexed (see :mod:`core.store.schema`) or bounded, so a view over
100,000 jobs stays cheap: pages, counts, incremental changes, and the runner's "what can be
taken now". :class:`~core.store.jobstore.JobStore` adds the writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from core.store import queries as Q
from core.store.records import Changes, Job, Spend
from core.store.states import BILLABLE, JobState


class JobReads:
    """The read side of the job store (on one SQLite connection)."""

    _conn: sqlite3.Connection

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A run-level value, or ``default``."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def get(self, job_id: str) -> Job:
        """One job; ``KeyError`` when there is none."""
        row = self._conn.execute(f"{Q.SELECT_JOBS} WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise KeyError(f"no job {job_id!r}")
        return Job.from_row(row)

    def get_many(self, job_ids: Iterable[str]) -> list[Job]:
        """Jobs by id (unknown ids are skipped), in enqueue order."""
        sql = f"{Q.SELECT_JOBS} WHERE id IN (SELECT value FROM json_each(?)) ORDER BY seq"
        return [Job.from_row(r) for r in self._conn.execute(sql, (json_list(job_ids),))]

    def counts_by_state(self) -> dict[JobState, int]:
        """How many jobs are in each state (every state present, zeros included)."""
        counts = dict.fromkeys(JobState, 0)
        for state, count in self._conn.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state"):
            counts[JobState(state)] = int(count)
        return counts

    def count(self, flt: Q.JobFilter | None = None) -> int:
        """How many jobs a filter matches (the table's row count)."""
        where, params = Q.where_clause(flt or Q.JobFilter())
        return int(self._conn.execute(f"SELECT COUNT(*) FROM jobs{where}", params).fetchone()[0])

    def page(
        self,
        offset: int,
        limit: int,
        flt: Q.JobFilter | None = None,
        sort: Q.JobSort | None = None,
    ) -> list[Job]:
        """Rows ``offset .. offset + limit`` of a filtered, sorted view."""
        where, params = Q.where_clause(flt or Q.JobFilter())
        sql = f"{Q.SELECT_JOBS}{where}{Q.order_clause(sort or Q.JobSort())} LIMIT ? OFFSET ?"
        return [Job.from_row(r) for r in self._conn.execute(sql, [*params, limit, offset])]

    def ids(self, flt: Q.JobFilter | None = None, sort: Q.JobSort | None = None) -> list[str]:
        """Every job id of a filtered, sorted view, in display order.

        The GUI's table maps its rows to jobs with these (a short string per job, not whole
        rows), and loads only the pages it shows with :meth:`get_many`.
        """
        where, params = Q.where_clause(flt or Q.JobFilter())
        sql = f"SELECT id FROM jobs{where}{Q.order_clause(sort or Q.JobSort())}"
        return [r[0] for r in self._conn.execute(sql, params)]

    def categories(self) -> list[str]:
        """The prompt categories present in the run, sorted (for a view's filter)."""
        sql = "SELECT DISTINCT category FROM jobs WHERE category IS NOT NULL ORDER BY 1"
        return [r[0] for r in self._conn.execute(sql)]

    def worst_scored(self, n: int) -> list[Job]:
        """The ``n`` analysed jobs with the highest (worst) overall score."""
        sql = (
            f"{Q.SELECT_JOBS} WHERE score_overall IS NOT NULL"
            " ORDER BY score_overall DESC, seq DESC LIMIT ?"
        )
        return [Job.from_row(r) for r in self._conn.execute(sql, (n,))]

    def revision(self) -> int:
        """The store's current revision (grows with every committed change)."""
        return int(self._conn.execute("SELECT COALESCE(MAX(rev), 0) FROM jobs").fetchone()[0])

    def changes_since(self, rev: int, limit: int = 2000) -> Changes:
        """Ids of jobs changed after revision ``rev`` (``overflow`` past ``limit``)."""
        rows = self._conn.execute(
            "SELECT id FROM jobs WHERE rev > ? ORDER BY rev LIMIT ?", (rev, limit + 1)
        ).fetchall()
        return Changes(self.revision(), [r[0] for r in rows[:limit]], len(rows) > limit)

    def failures_by_reason(self) -> dict[str, int]:
        """Failed jobs counted by ``error_kind``."""
        sql = "SELECT COALESCE(error_kind, '?'), COUNT(*) FROM jobs WHERE state = ? GROUP BY 1"
        return {k: int(n) for k, n in self._conn.execute(sql, (str(JobState.FAILED),))}

    def spend(self) -> Spend:
        """Actual costs plus the estimates of jobs that may have cost money but are unpriced."""
        billable = ", ".join(f"'{s}'" for s in BILLABLE)
        current = f"cost_usd IS NULL AND (request_id IS NOT NULL OR state IN ({billable}))"
        sql = (
            "SELECT COALESCE(SUM(cost_usd), 0),"
            f" COALESCE(SUM(CASE WHEN {current} THEN cost_estimate_usd ELSE 0 END), 0),"
            " COALESCE(SUM(prior_cost_usd), 0) FROM jobs"
        )
        actual, estimated, prior = self._conn.execute(sql).fetchone()
        return Spend(float(actual), float(estimated), float(prior))

    def runnable_ids(
        self,
        groups: Iterable[tuple[JobState, ...]],
        now: float,
        limit: int,
        skip: frozenset[str] = frozenset(),
    ) -> list[str]:
        """Ids of jobs a worker may take now: group by group, each in enqueue order.

        ``skip`` holds the ids already taken; jobs in backoff (``next_at > now``) wait.
        """
        found: list[str] = []
        for states in groups:
            where, params = Q.where_clause(Q.JobFilter(states=states))
            sql = f"SELECT id FROM jobs{where} AND next_at <= ? ORDER BY seq LIMIT ?"
            rows = self._conn.execute(sql, [*params, now, limit + len(skip)])
            found += [r[0] for r in rows if r[0] not in skip]
            if len(found) >= limit:
                break
        return found[:limit]

    def next_due_at(self, states: Iterable[JobState], after: float) -> float | None:
        """The earliest ``next_at`` later than ``after`` among jobs in ``states``.

        When the next job in backoff becomes due; ``None`` when none is waiting.
        """
        where, params = Q.where_clause(Q.JobFilter(states=tuple(states)))
        sql = f"SELECT MIN(next_at) FROM jobs{where} AND next_at > ?"
        row = self._conn.execute(sql, [*params, after]).fetchone()
        return None if row[0] is None else float(row[0])

    def has_any(self, states: Iterable[JobState]) -> bool:
        """True when at least one job is in ``states`` (an index lookup, not a count)."""
        where, params = Q.where_clause(Q.JobFilter(states=tuple(states)))
        return (
            self._conn.execute(f"SELECT 1 FROM jobs{where} LIMIT 1", params).fetchone() is not None
        )

    def ids_in(self, states: Iterable[JobState]) -> list[str]:
        """Ids of every job in ``states``, in enqueue order."""
        where, params = Q.where_clause(Q.JobFilter(states=tuple(states)))
        sql = f"SELECT id FROM jobs{where} ORDER BY seq"
        return [r[0] for r in self._conn.execute(sql, params)]


def json_list(items: Iterable[str]) -> str:
    """Ids as a JSON array, for ``json_each(?)`` (one parameter for any number of ids)."""
    return json.dumps(list(items))
