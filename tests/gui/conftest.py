"""Fixtures for GUI tests: a qasync loop that runs inside pytest-qt's waits, and the window.

The pattern: a ``qasync.QEventLoop(qapp, already_running=True)`` is installed as the running
asyncio loop for the test. Its callbacks are Qt timer/signal events, so every
``qtbot.waitUntil``/``waitSignal`` (which processes Qt events) also runs the asyncio tasks.
Tests therefore drive async code exactly as the app does and still wait with qtbot, never
with sleeps. ``run_async(coro)`` awaits one coroutine that way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
import shiboken6
from PySide6.QtCore import QSettings

from core.config import Settings
from core.notify import manager as notifications
from gui.app import create_application
from gui.main_window import MainWindow


@pytest.fixture
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    """The running asyncio loop for one test, driven by Qt's event processing."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    notifications.install_asyncio_handler(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    deadline = loop.time() + 5
    while any(not t.done() for t in pending) and loop.time() < deadline:
        qapp.processEvents()
    # qasync's stop() calls QApplication.exit(), which would end the next test's waits at once;
    # marking the loop stopped directly is the teardown its already_running mode lacks.
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    asyncio.events._set_running_loop(None)
    timer = loop._timer  # type: ignore[attr-defined]
    loop.close()
    # close() leaves call_later timers registered with Qt. Delete their QObject here, on the
    # GUI thread: if the garbage collector freed it later from a worker thread, Qt could not
    # unregister them and the next one to fire would crash the process.
    shiboken6.delete(timer)


@pytest.fixture
def run_async(qtbot, qloop) -> Callable[..., Any]:
    """``run_async(coro, timeout_ms=10000)``: run ``coro`` on the test loop; return its result."""

    def run(coro: Coroutine[Any, Any, Any], timeout_ms: int = 10_000) -> Any:
        task = qloop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=timeout_ms)
        return task.result()

    return run


@pytest.fixture
def fast_settings(tmp_path) -> Settings:
    """Quick pacing for the simulator (no jitter, fast polls, a high rate limit)."""
    return Settings(
        concurrency=4,
        rate_limit_rpm=6000.0,
        jitter_s=(0.0, 0.0),
        poll_interval_s=0.05,
        deadline_s=60.0,
        download_dir=tmp_path / "videos",
    )


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    """QSettings on a temporary ini file (never the developer's real settings)."""
    return QSettings(str(tmp_path / "qsettings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, qloop, qsettings, run_async) -> Iterator[Callable[..., MainWindow]]:
    """Factory for shown, started main windows; each is closed and shut down after the test."""
    create_application()
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.INFO)  # what gui.app.main sets up; the Log panel shows INFO lines
    made: list[MainWindow] = []

    def make(analyse: bool = False, **kwargs: Any) -> MainWindow:
        # Not qtbot.addWidget: pytest-qt deletes those before fixture teardown, and the window
        # must still exist to shut down (stop its run, its timers, its simulator) first.
        window = MainWindow(qsettings=kwargs.pop("qsettings", qsettings), **kwargs)
        # Analysis workers import torch in new processes (seconds each): only where tested.
        window.runs.controls.analyse.setChecked(analyse)
        window.show()
        qtbot.waitExposed(window)
        window.start()
        made.append(window)
        return window

    yield make
    for window in made:
        if window.isVisible():
            window._close_confirmed = True
            window.close()
        # Generous: shutting down waits (bounded) for in-flight simulator clips; deleting the
        # window before it finished would destroy running decoder threads.
        run_async(window.shutdown(), timeout_ms=120_000)
        window.deleteLater()
    root.setLevel(old_level)


@pytest.fixture
def window(make_window) -> MainWindow:
    """One shown, started main window."""
    return make_window()
