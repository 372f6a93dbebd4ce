"""Shows :mod:`core.notify` records: a status-bar line for all, a non-modal box for problems.

Records may arrive from any thread; they cross to the GUI thread through a queued signal.
Only one message box is open at a time: later problems while it is open are counted in it
("and 3 more problems; see the Log") instead of stacking dialogs.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QMessageBox

from core.notify import Notification, NotificationManager, Severity

STATUS_MESSAGE_MS = 10_000
_ICONS = {
    Severity.INFO: QMessageBox.Icon.Information,
    Severity.WARNING: QMessageBox.Icon.Warning,
    Severity.ERROR: QMessageBox.Icon.Critical,
}


class NotificationPresenter(QObject):
    """Subscribes to a :class:`NotificationManager` and displays what it emits.

    Attributes
    ----------
    box:
        The open message box, or ``None`` when none is shown.
    """

    presented = Signal(object)
    """Emitted (in the GUI thread) with each :class:`Notification` after it is displayed."""
    _incoming = Signal(object)

    def __init__(self, window: QMainWindow, notifications: NotificationManager) -> None:
        super().__init__(window)
        self._window = window
        self._manager = notifications
        self._extra = 0
        self.box: QMessageBox | None = None
        self._incoming.connect(self._present, Qt.ConnectionType.QueuedConnection)
        notifications.notified.connect(self._from_any_thread)

    def close(self) -> None:
        """Stop listening (window shutdown)."""
        self._manager.notified.disconnect(self._from_any_thread)

    def _from_any_thread(self, notification: Notification) -> None:
        self._incoming.emit(notification)

    @Slot(object)
    def _present(self, notification: Notification) -> None:
        line = " ".join(p for p in (notification.message, notification.advice) if p)
        self._window.statusBar().showMessage(line, STATUS_MESSAGE_MS)
        if notification.severity is not Severity.INFO:
            self._show_box(notification)
        self.presented.emit(notification)

    def _show_box(self, notification: Notification) -> None:
        if self.box is not None:
            self._extra += 1
            self.box.setInformativeText(
                f"{notification.advice}\n\nAnd {self._extra} more problem(s); see the Log."
            )
            return
        box = QMessageBox(self._window)
        box.setIcon(_ICONS[notification.severity])
        box.setWindowTitle("Torture Chamber")
        box.setText(notification.message)
        box.setInformativeText(notification.advice)
        if notification.detail:
            box.setDetailedText(notification.detail)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._box_closed)
        self.box = box
        box.open()  # non-modal to the loop: never exec() under qasync (gui-practices 2.1)

    @Slot()
    def _box_closed(self) -> None:
        self.box = None
        self._extra = 0
