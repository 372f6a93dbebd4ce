"""The Review tab's host: builds the review panel on first use and opens roast dialogs.

``gui.review`` pulls in pyqtgraph and the video decoder, so it is imported only when the tab
is first shown or a clip is sent to it, which keeps start-up fast. Until then (or if it
cannot be loaded) the tab shows a plain message.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

log = logging.getLogger(__name__)
PLACEHOLDER = (
    "Review: double-click a finished job in the Queue, choose Review from its menu, "
    "or drop an .mp4 file on the window to analyse it here."
)


class ReviewHost(QWidget):
    """Holds the :class:`gui.review.ReviewPanel` once it is built."""

    report_loaded = Signal()
    """The panel finished loading a clip's analysis report (relayed for the window)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel: Any = None
        self.roast_dialogs: list[QWidget] = []
        self.run_dir: Path | None = None
        self.message = QLabel(PLACEHOLDER, wordWrap=True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.message)

    def ensure_panel(self) -> bool:
        """Build the review panel if it is not built yet; False when it cannot be loaded."""
        if self.panel is not None:
            return True
        try:
            module = importlib.import_module("gui.review")
            panel = module.ReviewPanel(parent=self)
        except (ImportError, AttributeError) as err:
            log.warning("review panel unavailable: %s", err)
            self.message.setText(f"The review panel could not be loaded ({err}).")
            return False
        panel.roast_requested.connect(self.open_roast)
        if hasattr(panel, "report_loaded"):
            panel.report_loaded.connect(self.report_loaded)
        self.message.hide()
        self._layout.addWidget(panel)
        panel.show()  # a child added to a visible widget stays hidden until shown
        self.panel = panel
        return True

    def open_clip(self, clip_path: Path, report_dir: Path | None = None) -> None:
        """Show a clip (with its analysis report when there is one)."""
        if self.ensure_panel():
            self.panel.open_clip(str(clip_path), str(report_dir) if report_dir else None)

    def analyze_clip(self, clip_path: Path) -> None:
        """Analyse a clip that came from outside a run (a dropped ``.mp4``)."""
        if self.ensure_panel():
            self.panel.analyze_clip(str(clip_path))

    def compare_clip(self, clip_path: Path) -> None:
        """Open a second clip side by side with the one shown."""
        if self.ensure_panel():
            self.panel.open_compare(str(clip_path))

    @Slot(str, str)
    def open_roast(self, clip_path: str, report_dir: str) -> None:
        """Open a non-modal roast dialog for a clip."""
        try:
            module = importlib.import_module("gui.roast_dialog")
        except ImportError as err:
            log.warning("roast dialog unavailable: %s", err)
            return
        dialog = module.RoastDialog(clip_path, report_dir, run_dir=self.run_dir, parent=self)
        dialog.finished.connect(lambda _code, d=dialog: self._forget_dialog(d))
        self.roast_dialogs.append(dialog)
        dialog.open()

    def close_panel(self) -> None:
        """Stop the player's decoder threads and close roast dialogs (window shutdown)."""
        for dialog in list(self.roast_dialogs):
            dialog.close()
        if self.panel is not None and hasattr(self.panel, "close_clips"):
            self.panel.close_clips()

    def _forget_dialog(self, dialog: QWidget) -> None:
        if dialog in self.roast_dialogs:
            self.roast_dialogs.remove(dialog)
