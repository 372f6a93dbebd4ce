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
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from core.prompts import Prompt
from core.store import queries as Q
from core.store.reads import JobReads, json_list
from core.store.records import TAG_SEPARATOR, Job
from core.store.schema import JOB_COLUMNS, connect
from core.store.states import (
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


class JobStore(JobReads):
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
                params.append(json_list(job_ids))
            excluded = list(exclude_ids)
            if excluded:
                sql += " AND id NOT IN (SELECT value FROM json_each(?))"
                params.append(json_list(excluded))
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
            cursor = conn.execute(sql, [*head, *params, json_list(job_ids)])
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
        except BaseException:  # cancellation too: never leave the write lock held; re-raised
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
