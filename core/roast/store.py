"""Posted roasts, remembered in SQLite so the same clip is not posted twice by accident.

Table ``roasts`` lives in the run's ``run.db`` next to the batch engine's ``jobs`` table (a
clip outside a run uses ``roasts.db`` in the user data folder). A clip is identified by the
SHA-256 of its file, so a renamed or copied clip is still recognised. Dry runs are recorded
too (``dry_run = 1``) but never count as posted.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from core.logs import APP_NAME

_SCHEMA = """
CREATE TABLE IF NOT EXISTS roasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT,
    clip_path TEXT NOT NULL,
    clip_sha256 TEXT NOT NULL,
    tweet_id TEXT,
    url TEXT,
    text TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    dry_run INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS roasts_clip_sha256 ON roasts (clip_sha256);
"""
_HASH_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class RoastRecord:
    """One row of ``roasts``."""

    clip_path: str
    clip_sha256: str
    text: str
    posted_at: str
    """ISO 8601, UTC."""
    dry_run: bool
    tweet_id: str | None = None
    url: str | None = None
    job_id: str | None = None


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_HASH_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_db_path(run_dir: Path | None) -> Path:
    """``RUNDIR/run.db`` for a run's clip, else the user data folder's ``roasts.db``."""
    if run_dir is not None:
        return run_dir / "run.db"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "roasts.db"


def now_utc() -> str:
    """The current time as ISO 8601 UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class RoastStore:
    """The ``roasts`` table of one SQLite file; one short connection per call (thread-safe)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            # The run database is WAL (see docs/CONTRACTS.md); the mode persists in the file.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # The batch engine writes the same file: wait for its locks instead of failing.
        with closing(sqlite3.connect(self.db_path, timeout=10.0)) as conn, conn:
            conn.row_factory = sqlite3.Row
            yield conn

    def record(self, record: RoastRecord) -> None:
        """Insert one roast (posted or dry run)."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO roasts (job_id, clip_path, clip_sha256, tweet_id, url, text,"
                " posted_at, dry_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.job_id,
                    record.clip_path,
                    record.clip_sha256,
                    record.tweet_id,
                    record.url,
                    record.text,
                    record.posted_at,
                    int(record.dry_run),
                ),
            )

    def posted(self, clip_sha256: str) -> list[RoastRecord]:
        """Real (not dry-run) posts of the clip with this hash, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM roasts WHERE clip_sha256 = ? AND dry_run = 0 ORDER BY id",
                (clip_sha256,),
            ).fetchall()
        return [_record(row) for row in rows]

    def all(self) -> list[RoastRecord]:
        """Every row, oldest first."""
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM roasts ORDER BY id").fetchall()
        return [_record(row) for row in rows]


def _record(row: sqlite3.Row) -> RoastRecord:
    return RoastRecord(
        clip_path=row["clip_path"],
        clip_sha256=row["clip_sha256"],
        text=row["text"],
        posted_at=row["posted_at"],
        dry_run=bool(row["dry_run"]),
        tweet_id=row["tweet_id"],
        url=row["url"],
        job_id=row["job_id"],
    )
