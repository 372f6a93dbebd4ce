"""GUI entry point: a QApplication driven by qasync so asyncio (aiohttp) runs on the Qt loop.

Heavy modules (torch, the analysis engine, the review player) are imported lazily by the parts
that need them, so the window is visible quickly. ``main()`` returns the process exit code.

Pattern (gui-practices 2.1, Python 3.11): ``qasync.run(run_window())``; the window is built
inside the running loop; ``quitOnLastWindowClosed`` is off so only the window's ``closed``
signal ends the main coroutine, which then awaits ``window.shutdown()`` (runs paused, threads
stopped) before the loop closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from core.logs import setup_logging
from core.notify import manager as notifications

log = logging.getLogger(__name__)
APP_NAME = "Torture Chamber"
ORG_NAME = "Torture Chamber"


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """Return the QApplication, creating it with our names (QSettings uses them) and style."""
    from gui.style import apply_style

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv if argv is not None else sys.argv))
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setDesktopFileName("torture-chamber")
    apply_style(app)
    return app


def file_arguments(app: QApplication) -> list[Path]:
    """Files named on the command line (a desktop launcher's ``%F``); Qt's own options are
    already removed from ``app.arguments()``."""
    return [Path(arg) for arg in app.arguments()[1:] if Path(arg).is_file()]


async def run_window() -> int:
    """Build the main window inside the running loop and wait until it has closed."""
    from gui.dropping import split_paths
    from gui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    loop = asyncio.get_running_loop()
    notifications.install_asyncio_handler(loop)
    # The window decides when the app ends (it may ask first); Qt must not quit the loop under
    # a running coroutine, or asyncio.run fails with "Event loop stopped before Future completed".
    app.setQuitOnLastWindowClosed(False)
    closing = asyncio.Event()
    window = MainWindow()
    window.closed.connect(closing.set)
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, window.close)  # Ctrl+C in the terminal
    window.show()
    window.start()
    files = split_paths(file_arguments(app))
    if files:
        window.handle_drop(files)  # prompt lists to the queue, clips to Review, like a drop
    await closing.wait()
    await window.shutdown()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Start the GUI; returns the exit code."""
    import qasync

    setup_logging()
    notifications.install_hooks()
    create_application(argv)
    try:
        return int(qasync.run(run_window()))
    except asyncio.CancelledError:
        return 0
    finally:
        notifications.uninstall_hooks()


if __name__ == "__main__":
    sys.exit(main())
