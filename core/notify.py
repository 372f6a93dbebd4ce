"""One Qt-free sink for problems: severity-tagged notifications that any front end displays.

Exceptions reach it from ``sys.excepthook``, ``threading.excepthook``, the asyncio loop's
exception handler and explicit :meth:`NotificationManager.report_exception` calls (a failed
user action). Expected problems (a refused key, no network, a quota) become a plain sentence
plus what to do, without a traceback; unexpected ones keep their (redacted) traceback as
detail. The GUI subscribes to :attr:`NotificationManager.notified`; the CLI may log instead.
(napari's ``utils/notifications.py`` is the model.)

Set ``TC_RAISE_ERRORS=1`` to let hooks re-raise into the previous hook too (tests, debugging).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from psygnal import Signal

from core.config import ConfigError
from core.providers import (
    APIConnectionError,
    AuthError,
    DownloadError,
    InvalidRequest,
    ModerationBlocked,
    RateLimited,
    ServerError,
)
from core.secrets import redact

log = logging.getLogger(__name__)


class Severity(enum.StrEnum):
    """How much a notification matters to the user."""

    INFO = "info"
    """Something finished or changed; no action needed."""
    WARNING = "warning"
    """An expected problem (bad key, no network, quota): the user can fix it."""
    ERROR = "error"
    """A bug or an unexpected failure; the detail holds the traceback."""


@dataclass(frozen=True)
class Notification:
    """One message for the user. Every text field is already redacted."""

    severity: Severity
    message: str
    """A plain sentence saying what happened."""
    advice: str = ""
    """What the user can do about it; empty when nothing."""
    detail: str = ""
    """Traceback or raw error text for the curious; empty for expected problems."""
    source: str = ""
    """Where it came from: ``thread``, ``asyncio``, ``excepthook`` or an action name."""


# (exception type, message prefix, advice): first match wins, so subclasses come first.
_EXPECTED: tuple[tuple[type[BaseException], str, str], ...] = (
    (AuthError, "The xAI key was refused", "Open Settings and check the API key."),
    (RateLimited, "The provider is rate limiting us", "Lower the rate limit or wait a minute."),
    (
        APIConnectionError,
        "Could not reach the provider",
        "Check the network connection and the base URL in Settings.",
    ),
    (ServerError, "The provider had a server error", "Retry the failed jobs later."),
    (InvalidRequest, "The provider refused a request", "Check the prompt and its parameters."),
    (ModerationBlocked, "A video was blocked by moderation", ""),
    (DownloadError, "A video could not be downloaded", "Retry the job."),
    (ConfigError, "A setting is invalid", "Fix it in Settings or in the .env file named."),
    (PermissionError, "Permission denied", "Choose a folder you can write to."),
    (FileNotFoundError, "File not found", "Check the path."),
    (OSError, "A file or network operation failed", ""),
)


def describe_error(exc: BaseException) -> tuple[Severity, str, str]:
    """Return ``(severity, message, advice)`` for an exception.

    Expected problems are WARNINGs with a sentence built from the error's own (redacted)
    text; anything else is an ERROR, because it is a bug the user should report.
    """
    for kind, prefix, advice in _EXPECTED:
        if isinstance(exc, kind):
            return Severity.WARNING, redact(f"{prefix}: {exc}"), advice
    name = type(exc).__name__
    return Severity.ERROR, redact(f"Unexpected error ({name}): {exc}"), "See the Log for details."


def notification_from_exception(exc: BaseException, source: str = "") -> Notification:
    """Build the notification for ``exc`` (traceback only for unexpected errors)."""
    severity, message, advice = describe_error(exc)
    detail = ""
    if severity is Severity.ERROR:
        detail = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return Notification(severity, message, advice, detail, source)


class NotificationManager:
    """Receives notifications and exceptions from anywhere and re-emits them as records.

    ``notified`` may be emitted from any thread; a GUI receiver must marshal to its own
    thread (the Qt side does this with a queued signal).
    """

    notified = Signal(Notification)

    def __init__(self) -> None:
        self._old_sys_hook: Callable[..., Any] | None = None
        self._old_thread_hook: Callable[..., Any] | None = None
        self.history: list[Notification] = []
        self._lock = threading.Lock()

    def dispatch(self, notification: Notification) -> None:
        """Record, log and emit one notification."""
        level = {Severity.INFO: logging.INFO, Severity.WARNING: logging.WARNING}
        text = " ".join(p for p in (notification.message, notification.advice) if p)
        if notification.detail:
            text += "\n" + notification.detail
        log.log(level.get(notification.severity, logging.ERROR), "%s", text)
        with self._lock:
            self.history = [*self.history[-199:], notification]
        self.notified.emit(notification)

    def info(self, message: str, source: str = "") -> None:
        """Emit a plain information message."""
        self.dispatch(Notification(Severity.INFO, redact(message), source=source))

    def report_exception(self, exc: BaseException, source: str = "") -> Notification:
        """Turn ``exc`` into a notification, emit it and return it."""
        notification = notification_from_exception(exc, source)
        self.dispatch(notification)
        return notification

    def install_hooks(self) -> None:
        """Route uncaught exceptions of the process and of threads here (idempotent)."""
        if self._old_sys_hook is None:
            self._old_sys_hook, sys.excepthook = sys.excepthook, self._sys_hook
            self._old_thread_hook, threading.excepthook = threading.excepthook, self._thread_hook

    def uninstall_hooks(self) -> None:
        """Restore the hooks that were in place before :meth:`install_hooks`."""
        if self._old_sys_hook is not None:
            sys.excepthook = self._old_sys_hook
            threading.excepthook = self._old_thread_hook or threading.__excepthook__
            self._old_sys_hook = self._old_thread_hook = None

    def install_asyncio_handler(self, loop: asyncio.AbstractEventLoop) -> None:
        """Route exceptions that asyncio could not deliver (orphan tasks, callbacks) here."""
        loop.set_exception_handler(self._asyncio_handler)

    def _sys_hook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            if self._old_sys_hook is not None:
                self._old_sys_hook(kind, exc, tb)
            return
        self.report_exception(exc.with_traceback(tb), "excepthook")
        if _raise_errors() and self._old_sys_hook is not None:
            self._old_sys_hook(kind, exc, tb)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.report_exception(args.exc_value, "thread")

    def _asyncio_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, asyncio.CancelledError):
            return  # cancelling tasks at shutdown is normal, not an error (qasync PR #137)
        if isinstance(exc, BaseException):
            self.report_exception(exc, "asyncio")
        else:
            message = redact(str(context.get("message")))
            self.dispatch(Notification(Severity.WARNING, message, source="asyncio"))
        if _raise_errors():
            loop.default_exception_handler(context)


def _raise_errors() -> bool:
    return os.environ.get("TC_RAISE_ERRORS", "") not in ("", "0")


manager = NotificationManager()
"""The process-wide manager every part reports to."""
