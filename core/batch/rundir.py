"""The run directory: where a run's database, metadata, clips and analyses live.

Layout (docs/CONTRACTS.md)::

    RUNDIR/run.db  run.json  clips/<job_id>.mp4  analysis/<job_id>/  .lock
    RUNDIR/sim/    the built-in simulator's generations (runs with provider ``sim``)

``run.json`` holds what is needed to resume (provider, base URL, settings snapshot) and never
a secret. ``.lock`` is held (an OS file lock, released even by ``kill -9``) by the one process
running the run, so two processes can never poll or start the same jobs.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from core import __version__
from core.config import Settings
from core.store import DB_NAME, JobStore

RUN_JSON = "run.json"
RUN_JSON_SCHEMA = 1
_SNAPSHOT_FIELDS = (
    "model",
    "duration_s",
    "aspect_ratio",
    "resolution",
    "concurrency",
    "rate_limit_rpm",
    "jitter_s",
    "deadline_s",
    "poll_interval_s",
)


def new_run_dir(download_dir: Path, now: float | None = None) -> Path:
    """A fresh run folder (not created): ``run-YYYYmmdd-HHMMSS`` under the download folder.

    A folder of that name already there (two runs in one second) gets ``-2``, ``-3``, … so a
    new run never lands in an old one.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    candidate = Path(download_dir) / f"run-{stamp}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = Path(download_dir) / f"run-{stamp}-{n}"
    return candidate


class RunDirError(RuntimeError):
    """The folder is not a run directory, or another process is running it."""


@dataclass(frozen=True)
class RunDir:
    """Paths inside one run directory."""

    path: Path

    @property
    def db_path(self) -> Path:
        """``run.db``."""
        return self.path / DB_NAME

    @property
    def meta_path(self) -> Path:
        """``run.json``."""
        return self.path / RUN_JSON

    @property
    def clips_dir(self) -> Path:
        """``clips/``."""
        return self.path / "clips"

    @property
    def sim_state_dir(self) -> Path:
        """``sim/``: the built-in simulator's journal and clip cache (see ``core.sim``)."""
        return self.path / "sim"

    def clip_rel(self, job_id: str) -> str:
        """A job's clip, relative to the run directory (what the store keeps)."""
        return f"clips/{job_id}.mp4"

    def clip_path(self, job_id: str) -> Path:
        """A job's clip, absolute."""
        return self.path / self.clip_rel(job_id)

    def analysis_rel(self, job_id: str) -> str:
        """A job's analysis folder, relative to the run directory."""
        return f"analysis/{job_id}"

    def exists(self) -> bool:
        """True when the folder holds a run (a ``run.db``)."""
        return self.db_path.is_file()

    def create(self, provider: str, base_url: str, settings: Settings) -> None:
        """Make the folders and write ``run.json`` (kept when it already exists)."""
        self.clips_dir.mkdir(parents=True, exist_ok=True)
        if not self.meta_path.exists():
            meta = run_metadata(provider, base_url, settings)
            _write_atomic(self.meta_path, json.dumps(meta, indent=2) + "\n")

    def open(self, clock: Callable[[], float] = time.time) -> tuple[RunLock, JobStore]:
        """Lock the directory and open its store (``run.json`` is the caller's: it knows the
        provider, see :meth:`create`).

        Raises :class:`RunDirError` when another process holds the run.
        """
        self.clips_dir.mkdir(parents=True, exist_ok=True)
        lock = RunLock(self)
        lock.acquire()
        try:
            return lock, JobStore(self.db_path, clock=clock)
        except BaseException:  # the store did not open: free the run for others; re-raised
            lock.release()
            raise

    def read_meta(self) -> dict[str, Any]:
        """``run.json`` as a dict; :class:`RunDirError` when missing or broken."""
        try:
            data = json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise RunDirError(f"{self.meta_path}: cannot read run metadata: {err}") from None
        if not isinstance(data, dict):
            raise RunDirError(f"{self.meta_path}: run metadata is not a JSON object")
        return data


def run_metadata(provider: str, base_url: str, settings: Settings) -> dict[str, Any]:
    """What ``run.json`` says about a new run (no secrets: the key is not in the snapshot)."""
    created = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    snapshot = {name: getattr(settings, name) for name in _SNAPSHOT_FIELDS}
    return {
        "schema": RUN_JSON_SCHEMA,
        "created": created,
        "app_version": __version__,
        "provider": provider,
        "base_url": base_url,
        "settings": snapshot,
    }


class RunLock:
    """An exclusive OS lock on ``RUNDIR/.lock`` for the life of a run."""

    def __init__(self, run_dir: RunDir) -> None:
        self._path = run_dir.path / ".lock"
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`RunDirError` naming the holder's pid."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = self._path.open("a+b")
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().decode("ascii", "replace").strip() or "?"
            handle.close()
            raise RunDirError(
                f"{self._path.parent} is being run by another process (pid {holder})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()).encode("ascii"))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Let go of the lock (idempotent)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _lock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _write_atomic(path: Path, text: str) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)
