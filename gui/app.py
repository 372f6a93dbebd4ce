"""GUI entry point: a QApplication driven by qasync so asyncio (aiohttp) runs on the Qt loop.

Heavy modules (torch, the analysis engine) are imported lazily by the parts that need them,
so the window is visible quickly. ``main()`` returns the process exit code.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication

from core.logs import setup_logging

log = logging.getLogger(__name__)
APP_NAME = "Torture Chamber"
ORG_NAME = "Torture Chamber"


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """Return the QApplication, creating it with our names (QSettings uses them)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv if argv is not None else sys.argv))
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    return app


async def run_window() -> int:
    """Build the main window inside the running loop and wait until the app quits."""
    from gui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # The window decides when the app ends (it may ask first); Qt must not quit the loop under
    # a running coroutine, or asyncio.run fails with "Event loop stopped before Future completed".
    app.setQuitOnLastWindowClosed(False)
    closing = asyncio.Event()
    window = MainWindow()
    window.closed.connect(closing.set)
    window.show()
    await closing.wait()
    await window.shutdown()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Start the GUI; returns the exit code."""
    import qasync

    setup_logging()
    create_application(argv)
    try:
        return int(qasync.run(run_window()))
    except asyncio.CancelledError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
