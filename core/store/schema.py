"""The ``run.db`` schema and how a connection to it is opened.

WAL mode lets the GUI read while the runner writes. ``synchronous=NORMAL`` makes each commit
durable against a killed process (the WAL is in the OS cache); the store asks for a full
fsync only for the one commit that must survive a power cut too (a job about to be sent).
``PRAGMA user_version`` holds :data:`SCHEMA_VERSION`; bump it with a migration in
:data:`MIGRATIONS` whenever a column or index changes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000
"""How long a connection waits for another's write lock before raising."""

JOB_COLUMNS = (
    "id",
    "seq",
    "prompt",
    "model",
    "duration_s",
    "aspect_ratio",
    "resolution",
    "sample",
    "tags",
    "category",
    "defect",
    "source",
    "state",
    "attempts",
    "next_at",
    "request_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "finished_at",
    "cost_estimate_usd",
    "cost_usd",
    "prior_cost_usd",
    "clip_path",
    "error_kind",
    "error",
    "resend_allowed",
    "score_overall",
    "score_warping",
    "score_melting",
    "score_flicker",
    "score_physics",
    "score_realism",
    "worst_defect",
    "report_dir",
    "rev",
)

_V1 = """
CREATE TABLE jobs (
    id                TEXT PRIMARY KEY,     -- made at enqueue; names clips/<id>.mp4
    seq               INTEGER NOT NULL UNIQUE, -- enqueue order
    prompt            TEXT NOT NULL,
    model             TEXT NOT NULL,
    duration_s        INTEGER NOT NULL,
    aspect_ratio      TEXT NOT NULL,
    resolution        TEXT NOT NULL,
    sample            INTEGER NOT NULL DEFAULT 0, -- which of a prompt's `repeat` samples
    tags              TEXT NOT NULL DEFAULT '',   -- ';'-joined
    category          TEXT,
    defect            TEXT,
    source            TEXT NOT NULL DEFAULT '',   -- path:line it was imported from
    state             TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0, -- starts/downloads tried for this job
    next_at           REAL NOT NULL DEFAULT 0,    -- epoch s before which no worker takes it
    request_id        TEXT,                       -- committed before polling begins
    created_at        REAL NOT NULL,
    updated_at        REAL NOT NULL,
    submitted_at      REAL,
    finished_at       REAL,
    cost_estimate_usd REAL NOT NULL,
    cost_usd          REAL,                       -- actual, from usage ticks
    prior_cost_usd    REAL NOT NULL DEFAULT 0,    -- what earlier (re-sent) starts may have cost
    clip_path         TEXT,                       -- relative to the run directory
    error_kind        TEXT,
    error             TEXT,
    resend_allowed    INTEGER NOT NULL DEFAULT 0, -- the user accepted a possible double charge
    score_overall     REAL,
    score_warping     REAL,
    score_melting     REAL,
    score_flicker     REAL,
    score_physics     REAL,
    score_realism     REAL,
    worst_defect      TEXT,
    report_dir        TEXT,
    rev               INTEGER NOT NULL            -- store revision of the last change
);
CREATE INDEX jobs_state_seq ON jobs(state, seq);
CREATE INDEX jobs_rev ON jobs(rev);
CREATE INDEX jobs_score ON jobs(score_overall, seq);
CREATE INDEX jobs_category_seq ON jobs(category, seq);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

MIGRATIONS: dict[int, str] = {1: _V1}
"""SQL that brings a database from version ``n - 1`` to ``n``."""


class SchemaError(RuntimeError):
    """``run.db`` was written by a newer version of the app (or is not a run database)."""


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """Open ``run.db`` (creating and migrating it unless ``readonly``)."""
    if readonly:
        if not path.is_file():
            raise SchemaError(f"{path}: no run database here")
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    else:
        conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn, path)
    elif check_version(conn, path) == 0:
        conn.close()
        raise SchemaError(f"{path}: not a run database (yet): it has no job table")
    return conn


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply every migration past the database's version, each in its own transaction."""
    version = check_version(conn, path)
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[target]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:  # a half-applied migration must not commit; re-raised
            conn.execute("ROLLBACK")
            raise


def check_version(conn: sqlite3.Connection, path: Path) -> int:
    """Return the schema version; raise :class:`SchemaError` when it is newer than ours."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as err:
        raise SchemaError(f"{path}: not a run database ({err})") from None
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"{path}: written by a newer Torture Chamber (schema {version}, this one reads "
            f"up to {SCHEMA_VERSION}); update the app"
        )
    return version


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (ours hold no ';' inside literals)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
