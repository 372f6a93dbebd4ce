"""The simulator's durable memory: every accepted generation, written down before the answer.

xAI keeps generations server-side, so a client that crashes can poll its request ids again
later. A simulator with a state folder does the same::

    STATE_DIR/journal.jsonl   one JSON record per accepted generation, append-only
    STATE_DIR/clips/          the clip cache (rendered clips and their ground truth)
    STATE_DIR/.lock           held by the one simulator using the folder (released by kill -9)

Each record is appended and fsynced *before* the start is answered, so an answered request id
is never forgotten, even after a power cut. A record torn by a crash can only be the last
line; it was never answered, so reopening drops it. A damaged line anywhere else is an error
naming the file and line.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

JOURNAL_NAME = "journal.jsonl"
CLIPS_DIR = "clips"
LOCK_NAME = ".lock"
RECORD_VERSION = 1


class SimStateError(RuntimeError):
    """The state folder is damaged, unreadable, or used by another simulator."""


class Journal:
    """Append-only, fsynced JSON Lines file of accepted generations in ``state_dir``."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / JOURNAL_NAME
        self._lock: IO[bytes] | None = None
        self._fd: int | None = None

    def open(self) -> list[dict[str, Any]]:
        """Lock the folder, read every record (dropping a torn last one), open for appends.

        Raises :class:`SimStateError` when another simulator holds the folder or a record
        before the last one is damaged.
        """
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self._lock = _take_lock(self.state_dir / LOCK_NAME)
            records = self._read()
            created = not self.path.exists()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            if created:
                _fsync_dir(self.state_dir)  # the new file's name survives a power cut too
        except BaseException:
            self.close()
            raise
        return records

    def append(self, record: dict[str, Any]) -> None:
        """Write one record and fsync it (``OSError`` if the disk refuses)."""
        if self._fd is None:
            raise RuntimeError(f"{self.path} is not open")
        line = json.dumps({"v": RECORD_VERSION, **record}, separators=(",", ":")) + "\n"
        os.write(self._fd, line.encode("utf-8"))
        os.fsync(self._fd)

    def close(self) -> None:
        """Close the file and release the folder (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _read(self) -> list[dict[str, Any]]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as err:
            raise SimStateError(f"{self.path}: cannot read the simulator journal: {err}") from None
        records: list[dict[str, Any]] = []
        lines = data.split(b"\n")  # the piece after the last newline was cut short, if any
        last = max((i for i, raw in enumerate(lines) if raw.strip()), default=-1)
        offset = 0
        for index, raw in enumerate(lines):
            try:
                if index == len(lines) - 1 and raw:
                    raise ValueError("cut short (no end of line)")
                if raw.strip():
                    records.append(parse_record(raw))
            except ValueError as err:
                if index < last:
                    raise SimStateError(f"{self.path}:{index + 1}: {err}") from None
                self._drop_tail(offset, index + 1)
                break
            offset += len(raw) + 1
        return records

    def _drop_tail(self, keep_bytes: int, number: int) -> None:
        """Cut a torn last record (the process died writing it, so it was never answered)."""
        log.warning("%s:%d: dropping a record cut short by a crash", self.path, number)
        with self.path.open("r+b") as handle:
            handle.truncate(keep_bytes)
            handle.flush()
            os.fsync(handle.fileno())


def parse_record(raw: bytes) -> dict[str, Any]:
    """One journal line as a dict; ``ValueError`` says what is wrong with it."""
    try:
        record = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"not a JSON record ({err})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    if record.get("v") != RECORD_VERSION:
        raise ValueError(f"record version {record.get('v')!r}; this simulator reads 1")
    return record


def _take_lock(path: Path) -> IO[bytes]:
    """An exclusive OS lock on ``path`` (kept until the handle closes), naming the holder."""
    handle = path.open("a+b")
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().decode("ascii", "replace").strip() or "?"
        handle.close()
        raise SimStateError(f"{path.parent} is used by another simulator (pid {holder})") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()).encode("ascii"))
    handle.flush()
    return handle


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return  # folders cannot be opened for fsync there; NTFS journals the name itself
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
