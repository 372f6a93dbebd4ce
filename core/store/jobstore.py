"""The job store: one SQLite database per run directory, one row per job.

Every state change is one short transaction that checks the state machine
(:mod:`core.store.states`) and bumps the store revision, so the GUI can refresh only the
rows that changed. Calls are synchronous and short (well under a millisecond at 100k rows),
which is why the runner calls them straight from the asyncio loop: one writer connection,
no thread hand-offs. Readers (the GUI, ``status``) may open their own connection; WAL lets
them read while the runner writes.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from core.prompts import Prompt
from core.store import queries as Q
from core.store.records import TAG_SEPARATOR, Changes, Job, Spend
from core.store.schema import JOB_COLUMNS, connect
from core.store.states import (
    BILLABLE,
    NEEDS_CLIP,
    NEEDS_REQUEST_ID,
    TERMINAL,
    IllegalTransition,
    JobState,
    is_legal,
)

DB_NAME = "run.db"
_FIXED = frozenset({"id", "seq", "state", "rev", "created_at"})
_WRITABLE = frozenset(JOB_COLUMNS) - _FIXED
_RETURNING = f" RETURNING {', '.join(JOB_COLUMNS)}"


class JobStore:
    """Jobs of one run, in ``run.db``.

    Parameters
    ----------
    path:
        The database file (``RUNDIR/run.db``); created with its schema when missing.
    readonly:
        Open for reading only (a viewer of a run another process is writing).
    clock:
        Epoch seconds; injectable for tests.
    """

    def __init__(
        self, path: Path, readonly: bool = False, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self._conn = connect(self.path, readonly=readonly)
        self._clock = clock
        self._rev = self.revision()

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._conn.close()

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes ----------------------------------------------------------------------------

    def enqueue(self, prompts: Iterable[Prompt]) -> list[str]:
        """Add one job per prompt sample (``repeat``) in one transaction; return their ids.

        Job ids are made here, once: a job's id (and its clip's name) never changes.
        """
        now = self._clock()
        with self._write() as (conn, rev):
            seq = int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM jobs").fetchone()[0])
            rows = []
            for prompt in prompts:
                for sample in range(prompt.repeat):
                    seq += 1
                    rows.append(_new_row(prompt, sample, seq, now, rev))
            conn.executemany(
                "INSERT INTO jobs (id, seq, prompt, model, duration_s, aspect_ratio, resolution,"
                " sample, tags, category, defect, source, state, created_at, updated_at,"
                " cost_estimate_usd, rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, ?)",
                rows,
            )
        return [row[0] for row in rows]

    def transition(
        self, job_id: str, target: JobState, *, durable: bool = False, **changes: Any
    ) -> Job:
        """Move a job to ``target`` (setting ``changes``) in one transaction; return it.

        ``durable`` fsyncs the commit (for the one before a start request goes out).

        Raises
        ------
        IllegalTransition
            The state machine forbids the move, or the target needs a request id / clip
            the job does not have.
        KeyError
            No such job.
        """
        _check_columns(changes)
        with self._write(durable) as (conn, rev):
            current, request_id, clip = self._current(conn, job_id)
            _check_transition(job_id, current, target, changes, request_id, clip)
            now = self._clock()
            values = {"updated_at": now, **changes, "state": str(target), "rev": rev}
            if target in TERMINAL:
                values.setdefault("finished_at", now)
            return self._update_one(conn, job_id, values)

    def update(self, job_id: str, **changes: Any) -> Job:
        """Change fields of a job without changing its state (a new cost figure, say)."""
        _check_columns(changes)
        with self._write() as (conn, rev):
            self._current(conn, job_id)
            return self._update_one(conn, job_id, {**changes, "rev": rev})

    def transition_all(
        self,
        sources: Iterable[JobState],
        target: JobState,
        job_ids: Iterable[str] | None = None,
        exclude_ids: Iterable[str] = (),
        **changes: Any,
    ) -> list[str]:
        """Move every job in one of ``sources`` (optionally only ``job_ids``) to ``target``.

        One transaction for any number of jobs (cancel-all at 100k rows stays instant).
        Jobs lacking what ``target`` needs (a request id, a clip) and ``exclude_ids`` are
        left where they are. Returns the ids moved.
        """
        _check_columns(changes)
        sources = tuple(sources)
        for source in sources:
            if not is_legal(source, target):
                raise IllegalTransition("*", source, target)
        with self._write() as (conn, rev):
            now = self._clock()
            values = {"updated_at": now, **changes, "state": str(target), "rev": rev}
            if target in TERMINAL:
                values.setdefault("finished_at", now)
            sets = ", ".join(f"{column} = ?" for column in values)
            where, params = Q.where_clause(Q.JobFilter(states=sources))
            sql = f"UPDATE jobs SET {sets}{where}{_requirements(target)}"
            if job_ids is not None:
                sql += " AND id IN (SELECT value FROM json_each(?))"
                params.append(_json_list(job_ids))
            excluded = list(exclude_ids)
            if excluded:
                sql += " AND id NOT IN (SELECT value FROM json_each(?))"
                params.append(_json_list(excluded))
            cursor = conn.execute(sql + " RETURNING id", [*values.values(), *params])
            return [row[0] for row in cursor.fetchall()]

    def requeue(
        self,
        job_ids: Iterable[str],
        *,
        resend: bool = False,
        sources: Iterable[JobState] = (JobState.FAILED, JobState.CANCELLED),
    ) -> list[str]:
        """Send failed/cancelled (or ``start_unknown``) jobs back to the queue to start again.

        What an earlier start of each may have cost moves into ``prior_cost_usd`` (the budget
        keeps counting it) and its request id is cleared. ``resend`` marks jobs whose start
        outcome was unknown: the user accepted a possible double charge.
        """
        sources = tuple(sources)
        for source in sources:
            if not is_legal(source, JobState.QUEUED):
                raise IllegalTransition("*", source, JobState.QUEUED)
        with self._write() as (conn, rev):
            where, params = Q.where_clause(Q.JobFilter(states=sources))
            prior = (
                "prior_cost_usd + CASE WHEN request_id IS NOT NULL OR state = ?"
                " THEN COALESCE(cost_usd, cost_estimate_usd) ELSE 0 END"
            )
            sql = (
                f"UPDATE jobs SET prior_cost_usd = {prior}, request_id = NULL, cost_usd = NULL,"
                " state = ?, attempts = 0, next_at = 0, error_kind = NULL, error = NULL,"
                " finished_at = NULL, resend_allowed = resend_allowed OR ?, updated_at = ?,"
                f" rev = ?{where} AND id IN (SELECT value FROM json_each(?)) RETURNING id"
            )
            head = [str(JobState.START_UNKNOWN), str(JobState.QUEUED), resend, self._clock(), rev]
            cursor = conn.execute(sql, [*head, *params, _json_list(job_ids)])
            return [row[0] for row in cursor.fetchall()]

    def clear_backoff(self, error_kind: str) -> int:
        """Make jobs waiting out a backoff after an ``error_kind`` error due now.

        (After the user fixed what paused the run, say a key, waiting makes no sense.)
        """
        with self._write() as (conn, rev):
            cursor = conn.execute(
                "UPDATE jobs SET next_at = 0, rev = ? WHERE error_kind = ? AND next_at > 0",
                (rev, error_kind),
            )
            return int(cursor.rowcount)

    def set_meta(self, key: str, value: str) -> None:
        """Store a run-level value (paused flag, budget) with the jobs, transactionally."""
        with self._write() as (conn, _rev):
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- reads -----------------------------------------------------------------------------

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
        return [Job.from_row(r) for r in self._conn.execute(sql, (_json_list(job_ids),))]

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

    # -- internals -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self, durable: bool = False) -> Iterator[tuple[sqlite3.Connection, int]]:
        """One write transaction with the next revision number."""
        conn = self._conn
        if durable:
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn, self._rev + 1
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            if durable:
                conn.execute("PRAGMA synchronous = NORMAL")
        self._rev += 1

    @staticmethod
    def _current(conn: sqlite3.Connection, job_id: str) -> tuple[JobState, str | None, str | None]:
        row = conn.execute(
            "SELECT state, request_id, clip_path FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no job {job_id!r}")
        return JobState(row[0]), row[1], row[2]

    @staticmethod
    def _update_one(conn: sqlite3.Connection, job_id: str, values: dict[str, Any]) -> Job:
        sets = ", ".join(f"{column} = ?" for column in values)
        sql = f"UPDATE jobs SET {sets} WHERE id = ?{_RETURNING}"
        row = conn.execute(sql, [*values.values(), job_id]).fetchone()
        return Job.from_row(row)


def open_store(run_dir: Path, readonly: bool = False) -> JobStore:
    """The store of a run directory (``RUNDIR/run.db``)."""
    return JobStore(Path(run_dir) / DB_NAME, readonly=readonly)


def _new_row(prompt: Prompt, sample: int, seq: int, now: float, rev: int) -> tuple[Any, ...]:
    return (
        uuid.uuid4().hex[:16],
        seq,
        prompt.text,
        prompt.model,
        prompt.duration_s,
        prompt.aspect_ratio,
        prompt.resolution,
        sample,
        TAG_SEPARATOR.join(prompt.tags),
        prompt.category,
        prompt.defect,
        prompt.source,
        str(JobState.QUEUED),
        now,
        now,
        prompt.estimated_cost_usd(),
        rev,
    )


def _check_columns(changes: dict[str, Any]) -> None:
    unknown = set(changes) - _WRITABLE
    if unknown:
        raise ValueError(f"not writable job field(s): {', '.join(sorted(unknown))}")


def _check_transition(
    job_id: str,
    current: JobState,
    target: JobState,
    changes: dict[str, Any],
    request_id: str | None,
    clip: str | None,
) -> None:
    if not is_legal(current, target):
        raise IllegalTransition(job_id, current, target)
    if target in NEEDS_REQUEST_ID and not changes.get("request_id", request_id):
        raise IllegalTransition(job_id, current, target, "no request_id saved")
    if target in NEEDS_CLIP and not changes.get("clip_path", clip):
        raise IllegalTransition(job_id, current, target, "no clip saved")


def _requirements(target: JobState) -> str:
    """SQL that keeps a bulk move from leaving a job without what ``target`` needs."""
    if target in NEEDS_REQUEST_ID:
        return " AND request_id IS NOT NULL"
    if target in NEEDS_CLIP:
        return " AND clip_path IS NOT NULL"
    return ""


def _json_list(items: Iterable[str]) -> str:
    return json.dumps(list(items))
