"""core.notify: expected problems become sentences, hooks route every uncaught error."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest

from core.config import ConfigError
from core.notify import NotificationManager, Severity, describe_error
from core.providers import APIConnectionError, AuthError, RateLimited


@pytest.mark.parametrize(
    ("exc", "severity", "words"),
    [
        (AuthError(401, "bad key xai-secretsecret123"), Severity.WARNING, "key was refused"),
        (RateLimited(429, "slow down"), Severity.WARNING, "rate limiting"),
        (APIConnectionError("connection refused"), Severity.WARNING, "Could not reach"),
        (ConfigError("TC_CONCURRENCY", "x", "env", "must be whole"), Severity.WARNING, "setting"),
        (PermissionError(13, "denied"), Severity.WARNING, "Permission"),
        (KeyError("bug"), Severity.ERROR, "Unexpected error (KeyError)"),
    ],
)
def test_describe_error(exc, severity, words):
    got_severity, message, advice = describe_error(exc)
    assert got_severity is severity
    assert words in message
    assert "xai-secretsecret123" not in message
    assert advice or severity is Severity.WARNING


def test_hooks_route_uncaught_errors_and_restore():
    manager = NotificationManager()
    seen = []
    manager.notified.connect(seen.append)
    old_sys, old_thread = sys.excepthook, threading.excepthook
    manager.install_hooks()
    try:
        try:
            raise ValueError("in main")
        except ValueError:
            sys.excepthook(*sys.exc_info())
        worker = threading.Thread(target=lambda: 1 / 0)
        worker.start()
        worker.join()
    finally:
        manager.uninstall_hooks()
    assert (sys.excepthook, threading.excepthook) == (old_sys, old_thread)
    assert [n.source for n in seen] == ["excepthook", "thread"]
    assert "ZeroDivisionError" in seen[1].message and "Traceback" in seen[1].detail


async def test_asyncio_handler_reports_orphan_errors_and_ignores_cancels():
    manager = NotificationManager()
    seen = []
    manager.notified.connect(seen.append)
    loop = asyncio.get_running_loop()
    old = loop.get_exception_handler()
    manager.install_asyncio_handler(loop)
    try:
        loop.call_exception_handler({"message": "x", "exception": asyncio.CancelledError()})
        loop.call_exception_handler({"message": "x", "exception": OSError("disk gone")})
        loop.call_exception_handler({"message": "callback failed"})
    finally:
        loop.set_exception_handler(old)
    assert [n.message for n in seen] == [
        "A file or network operation failed: disk gone",
        "callback failed",
    ]
    assert len(manager.history) == 2
