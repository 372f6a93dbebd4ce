"""Widgets of the review panel and how they are laid out (no behaviour here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui.review._compare_bar import CompareBar
from gui.review._events import EventsTable
from gui.review._overlay_controls import OverlayControls
from gui.review._plots import LinkedPlots
from gui.review._scrub_bar import ScrubBar
from gui.review._transport import TransportBar
from gui.review._viewer import ClipViewer

VIDEO_FILTER = "Videos (*.mp4 *.mov *.mkv *.webm *.avi *.m4v);;All files (*)"


@dataclass
class PanelWidgets:
    """Every child widget the panel talks to."""

    status: QLabel
    open_button: QPushButton
    analyse_button: QPushButton
    cancel_button: QPushButton
    progress: QProgressBar
    compare_button: QPushButton
    html_button: QPushButton
    export_button: QPushButton
    roast_button: QPushButton
    compare_bar: CompareBar
    viewer: ClipViewer
    overlay_a: OverlayControls
    overlay_b: OverlayControls
    events: EventsTable
    plots: LinkedPlots
    scrub: ScrubBar
    transport: TransportBar

    def set_analysing(self, running: bool) -> None:
        """Progress bar and Cancel are visible only while an analysis runs."""
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.analyse_button.setEnabled(not running)
        if running:
            self.progress.setValue(0)


def _button(text: str, tip: str, enabled: bool = True) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setEnabled(enabled)
    return button


def build_panel(panel: QWidget) -> PanelWidgets:
    """Create the children of ``panel`` and lay them out."""
    w = PanelWidgets(
        status=QLabel("Open a clip, or drop one (two to compare) here."),
        open_button=_button("Open…", "Open a clip"),
        analyse_button=_button("Analyse", "Analyse this clip now (plots fill live)", False),
        cancel_button=_button("Cancel", "Stop the running analysis"),
        progress=QProgressBar(),
        compare_button=_button("Compare with…", "Show a second clip next to this one", False),
        html_button=_button("HTML report", "Open the analysis report in the browser"),
        export_button=_button("Export PNG", "Save the frame on screen with its overlay"),
        roast_button=_button("Roast…", "Write a roast of this clip for X", False),
        compare_bar=CompareBar(),
        viewer=ClipViewer(),
        overlay_a=OverlayControls("Overlay"),
        overlay_b=OverlayControls("Overlay B"),
        events=EventsTable(),
        plots=LinkedPlots(),
        scrub=ScrubBar(),
        transport=TransportBar(),
    )
    w.progress.setMaximumWidth(180)
    w.set_analysing(False)
    w.compare_bar.hide()
    w.overlay_b.hide()
    layout = QVBoxLayout(panel)
    layout.addLayout(_toolbar(w))
    layout.addWidget(w.compare_bar)
    layout.addWidget(_body(w), 1)
    layout.addWidget(w.scrub)
    layout.addWidget(w.transport)
    return w


def _toolbar(w: PanelWidgets) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in (w.open_button, w.analyse_button, w.cancel_button, w.progress, w.compare_button):
        row.addWidget(widget)
    row.addWidget(w.status, 1)
    for widget in (w.html_button, w.export_button, w.roast_button):
        row.addWidget(widget)
    return row


def _body(w: PanelWidgets) -> QSplitter:
    side = QWidget()
    column = QVBoxLayout(side)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(w.overlay_a)
    column.addWidget(w.overlay_b)
    column.addWidget(QLabel("Events (click to jump)"))
    column.addWidget(w.events, 1)
    scroll = QScrollArea()
    scroll.setWidget(side)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setMaximumWidth(380)
    scroll.setMinimumWidth(300)
    w.plots.setMinimumHeight(170)
    top = QSplitter(Qt.Orientation.Horizontal)
    top.addWidget(w.viewer)
    top.addWidget(scroll)
    top.setStretchFactor(0, 1)
    body = QSplitter(Qt.Orientation.Vertical)
    body.addWidget(top)
    body.addWidget(w.plots)
    body.setStretchFactor(0, 3)
    body.setStretchFactor(1, 2)
    return body


def pick_file(parent: QWidget, title: str, then: Callable[[str], Any], save: bool = False) -> None:
    """Non-modal file dialog (no nested event loop under qasync); calls ``then(path)``."""
    dialog = QFileDialog(parent, title)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("PNG images (*.png)")
        dialog.setDefaultSuffix("png")
        dialog.selectFile(str(Path.home() / "frame.png"))
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(VIDEO_FILTER)
    dialog.fileSelected.connect(then)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
