"""The main window: tabs for prompts, queue, review and log, and a status bar."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

from core.config import ConfigError, load_settings


class MainWindow(QMainWindow):
    """Top-level window. Emits ``closed`` once it has accepted a close."""

    closed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Torture Chamber")
        self.resize(1280, 800)
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self.provider_label = QLabel()
        self.statusBar().addPermanentWidget(self.provider_label)
        self._show_provider()

    def _show_provider(self) -> None:
        try:
            settings = load_settings()
        except ConfigError as err:
            self.provider_label.setText(f"Settings error: {err}")
            return
        if settings.xai_api_key:
            self.provider_label.setText(f"Provider: xAI ({settings.xai_api_key.masked()})")
        else:
            self.provider_label.setText("Provider: built-in simulator (no XAI_API_KEY set)")

    async def shutdown(self) -> None:
        """Stop background work before the loop closes."""

    def closeEvent(self, event: QCloseEvent) -> None:
        event.accept()
        self.closed.emit()
