"""Asking before the window closes during a run, without a nested event loop.

``QMessageBox.exec()`` inside the qasync loop re-enters it (gui-practices 2.1), so the box is
opened with ``open()`` and its answer arrives through ``finished``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget


class CloseGuard:
    """Shows one "Pause and Quit?" box at a time and calls ``on_quit`` if the user agrees."""

    def __init__(self, parent: QWidget, on_quit: Callable[[], None]) -> None:
        self._parent, self._on_quit = parent, on_quit
        self.box: QMessageBox | None = None
        self.quit_button: QPushButton | None = None

    def ask(self) -> None:
        """Open the box (non-modal to the loop); a second call while it is open does nothing."""
        if self.box is not None:
            return
        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Quit Torture Chamber?")
        box.setText("A run is in progress.")
        box.setInformativeText(
            "Quit now and the run is paused; open it again (File > Recent Runs) to continue. "
            "Jobs that were generating resume without being paid for twice."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        self.quit_button = box.addButton("Pause and Quit", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(self.quit_button)
        box.finished.connect(lambda _result: self._answered(box))
        self.box = box
        box.open()

    def _answered(self, box: QMessageBox) -> None:
        self.box = None
        if box.clickedButton() is self.quit_button:
            self._on_quit()
