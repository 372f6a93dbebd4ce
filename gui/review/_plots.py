"""Per-frame curves linked to the player: defect scores, one raw metric, A-vs-B similarity.

pyqtgraph fast paths: curves are created once with 1 px pens, peak-mode downsampling and
clip-to-view; per frame only the playhead lines move. Rows from a running analysis are
appended to the table and the curves redrawn at most every 150 ms. A click or a drag of the
playhead line asks for a seek; playback moves the lines under a guard, so the two never feed
back into each other.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGraphicsItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.review import FrameTable, ReviewEvent
from gui.review._scrub_bar import kind_color

SCORE_COLUMNS = ("warping", "melting", "flicker", "physics", "realism_defect")
COMPARE_PSNR, COMPARE_SSIM = "A↔B PSNR (dB)", "A↔B SSIM"
REDRAW_MS = 150
PREFERRED_METRICS = ("ssim_prev", "psnr_prev", "flow_mag", "warp_error")
"""Shown first in the metric picker when present."""
PLAYHEAD_PEN = pg.mkPen(255, 255, 255, width=1)


def _fast(plot: pg.PlotItem) -> None:
    plot.setDownsampling(auto=True, mode="peak")  # one bad frame survives zoom-out
    plot.setClipToView(True)
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.setMenuEnabled(False)
    for name in ("left", "bottom"):
        # Axis text is re-drawn whenever the moving playhead's strip touches it (measured:
        # 40% of the GUI thread during playback); a pixmap cache makes that a blit.
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class LinkedPlots(QWidget):
    """Scores plot and a metric plot sharing the frame axis; ``seek_requested(frame)``."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = FrameTable()
        self.extra: dict[str, np.ndarray] = {}
        self.graphics = pg.GraphicsLayoutWidget()
        self.scores_plot = self.graphics.addPlot(row=0, col=0)
        self.metric_plot = self.graphics.addPlot(row=1, col=0)
        self.metric_plot.setXLink(self.scores_plot)
        self.scores_plot.setLabel("left", "defect score")
        self.scores_plot.setYRange(0, 1, padding=0.02)
        self.scores_plot.addLegend(
            offset=(4, 2), labelTextSize="8pt", colCount=5, brush=pg.mkBrush(0, 0, 0, 170)
        )
        for plot in (self.scores_plot, self.metric_plot):
            _fast(plot)
        self.curves = {
            name: self.scores_plot.plot(name=name, pen=pg.mkPen(kind_color(name), width=1))
            for name in SCORE_COLUMNS
        }
        self.metric_curve = self.metric_plot.plot(pen=pg.mkPen(200, 200, 200, width=1))
        self.lines = [self._playhead(plot) for plot in (self.scores_plot, self.metric_plot)]
        self._regions: list[pg.LinearRegionItem] = []
        self._following = False
        self.graphics.scene().sigMouseClicked.connect(self._on_click)
        self.metric_box = QComboBox()
        self.metric_box.setToolTip("Raw per-frame signal shown in the lower plot")
        self.metric_box.setPlaceholderText("no per-frame data yet: analyse the clip")
        self.metric_box.currentTextChanged.connect(self._redraw_metric)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.timeout.connect(self.redraw)
        self._build_layout()

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(QLabel("metric"))
        row.addWidget(self.metric_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.graphics, 1)

    def _playhead(self, plot: pg.PlotItem) -> pg.InfiniteLine:
        line = pg.InfiniteLine(angle=90, movable=True, pen=PLAYHEAD_PEN)
        line.setZValue(20)
        line.sigDragged.connect(self._on_drag)
        plot.addItem(line, ignoreBounds=True)
        return line

    # --- data ------------------------------------------------------------------------------

    def set_frame_count(self, frame_count: int) -> None:
        """Show the whole clip on the frame axis (before any row arrives)."""
        last = max(1, frame_count - 1)
        self.scores_plot.setLimits(xMin=-1, xMax=last + 1)
        self.scores_plot.setXRange(0, last, padding=0.01)

    def set_table(self, table: FrameTable) -> None:
        """Show a whole table (a finished report); redraws now."""
        self.table = table
        self.redraw()

    def append_rows(self, rows: list[dict[str, object]]) -> None:
        """Rows from a running analysis; curves catch up within ``REDRAW_MS``."""
        self.table.append_rows(rows)
        if not self._redraw_timer.isActive():
            self._redraw_timer.start(REDRAW_MS)

    def set_extra(self, name: str, values: np.ndarray) -> None:
        """A per-frame series computed elsewhere (A-vs-B PSNR/SSIM); selectable as metric."""
        self.extra[name] = values.astype(np.float64)
        self._refresh_metric_names()
        self.metric_box.setCurrentText(name)
        self._redraw_metric()

    def clear(self) -> None:
        """Forget everything (another clip)."""
        self.table = FrameTable()
        self.extra.clear()
        self.set_events(())
        self.redraw()

    def set_events(self, events: tuple[ReviewEvent, ...]) -> None:
        """Shade each event's frame span in its kind's colour."""
        for region in self._regions:
            self.scores_plot.removeItem(region)
        self._regions = []
        for event in events:
            color = kind_color(event.kind)
            color.setAlpha(28)
            region = pg.LinearRegionItem((event.start, event.end), movable=False, brush=color)
            region.setZValue(-10)
            self.scores_plot.addItem(region)
            self._regions.append(region)

    def redraw(self) -> None:
        """Push the table into the curves (setData; the curves themselves persist)."""
        frames = self.table.columns.get("frame", np.zeros(0))
        for name, curve in self.curves.items():
            values = self.table.columns.get(name)
            if values is None:
                curve.setData([], [])
            else:
                curve.setData(frames, values, connect="finite")
        self._refresh_metric_names()
        self._redraw_metric()

    def _refresh_metric_names(self) -> None:
        names = [n for n in self.table.metric_names() if n not in SCORE_COLUMNS]
        names += list(self.extra)
        current = [self.metric_box.itemText(i) for i in range(self.metric_box.count())]
        if names != current:
            keep = self.metric_box.currentText()
            self.metric_box.blockSignals(True)
            self.metric_box.clear()
            self.metric_box.addItems(names)
            preferred = [n for n in PREFERRED_METRICS if n in names]
            if keep in names:
                self.metric_box.setCurrentText(keep)
            elif preferred:
                self.metric_box.setCurrentText(preferred[0])
            self.metric_box.blockSignals(False)

    def _redraw_metric(self) -> None:
        name = self.metric_box.currentText()
        if name in self.extra:
            values = self.extra[name]
            frames = np.arange(len(values), dtype=np.float64)
        else:
            values = self.table.columns.get(name, np.zeros(0))
            frames = self.table.columns.get("frame", np.zeros(0))
        self.metric_curve.setData(frames, values, connect="finite")
        self.metric_plot.setLabel("left", name)

    # --- playhead --------------------------------------------------------------------------

    def set_playhead(self, frame: int) -> None:
        """Follow playback: move only the lines, under the feedback guard."""
        self._following = True
        try:
            for line in self.lines:
                line.setValue(frame)
        finally:
            self._following = False

    def _on_drag(self, line: pg.InfiniteLine) -> None:
        if not self._following:
            self.seek_requested.emit(round(line.value()))

    def _on_click(self, event: MouseClickEvent) -> None:
        pos = event.scenePos()
        for plot in (self.scores_plot, self.metric_plot):
            if plot.vb.sceneBoundingRect().contains(pos):
                frame = round(plot.vb.mapSceneToView(pos).x())
                self.seek_requested.emit(max(frame, 0))  # the player clamps the far end
                return
