"""Logging set-up: timestamped lines to stderr and a rotating file, with secrets redacted.

Redaction happens in the formatter, on the finished line (message, arguments and traceback
together), so no handler that uses :class:`RedactingFormatter` can write a key, whatever path
it took into the record. :class:`RedactingFilter` does the same for handlers that format
records themselves (the GUI log panel).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

import platformdirs

from core.secrets import redact

APP_NAME = "torture-chamber"
LOG_FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
LOG_FILE_BYTES = 2_000_000
LOG_FILE_BACKUPS = 5
_OWNED_NAME = APP_NAME
"""The name our handlers carry, so a second setup replaces them and leaves others alone."""


class RedactingFormatter(logging.Formatter):
    """A formatter whose output has every secret removed."""

    def __init__(self) -> None:
        super().__init__(LOG_FORMAT, DATE_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingFilter(logging.Filter):
    """Rewrite a record's message in place with secrets removed (for custom handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def default_log_dir() -> Path:
    """Return the per-user log folder."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def setup_logging(level: int = logging.INFO, log_dir: Path | None = None) -> Path | None:
    """Install stderr and rotating-file handlers on the root logger; return the log file path.

    Idempotent: handlers installed by an earlier call are replaced, not duplicated. If the log
    folder cannot be created the app still runs, logging to stderr only.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _OWNED_NAME]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    _add(root, logging.StreamHandler(sys.stderr))
    log_file = _log_file(log_dir or default_log_dir())
    if log_file is not None:
        _add(
            root,
            logging.handlers.RotatingFileHandler(
                log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
            ),
        )
    return log_file


def _log_file(log_dir: Path) -> Path | None:
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return log_dir / f"{APP_NAME}.log"


def _add(root: logging.Logger, handler: logging.Handler) -> None:
    handler.setFormatter(RedactingFormatter())
    handler.set_name(_OWNED_NAME)  # marks it ours, for the next call to replace
    root.addHandler(handler)
