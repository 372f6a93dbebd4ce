"""The Review tab: player with heatmap overlays, linked plots, events, analysis and compare.

``ReviewPanel`` is the one widget the main window embeds. It wires the views to the player
controller and the Qt-free models in ``core.review``; decoding, analysis, report reading and
A-vs-B metrics all run on worker threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QWidget

from core.media import MediaError
from core.review import (
    CompareMode,
    FrameRange,
    OverlaySettings,
    ReportError,
    ReviewReport,
    find_report_dir,
    read_report,
)
from core.review._cache import Frame
from gui.dropping import classify
from gui.review._analysis_driver import AnalysisDriver
from gui.review._clip_layer import ClipLayer
from gui.review._frame_source import FrameSource
from gui.review._layout import PanelWidgets, build_panel, pick_file
from gui.review._player import PlayerController
from gui.review._shortcuts import install_shortcuts
from gui.review._similarity import SimilarityRunner
from gui.review._stills import export_still
from gui.review._threads import Call

log = logging.getLogger(__name__)


@dataclass
class _Side:
    """One clip on screen (A, or B when comparing)."""

    path: Path
    layer: ClipLayer
    report_dir: Path | None = None
    report: ReviewReport | None = None


class ReviewPanel(QWidget):
    """Review one clip (or two side by side): play, step, overlay heatmaps, plot, compare.

    Signals
    -------
    roast_requested(str, str):
        The user pressed "Roast…": (clip path, report dir or "").
    clip_opened(str):
        A clip is loaded and its first frame requested.
    report_loaded(int):
        Side 0 (A) or 1 (B) got its analysis report.
    """

    roast_requested = Signal(str, str)
    clip_opened = Signal(str)
    report_loaded = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.player = PlayerController(self)
        self.sides: list[_Side] = []
        self._calls: list[Call] = []
        self.w: PanelWidgets = build_panel(self)
        self.analyzer = AnalysisDriver(self.w, self)
        self.similarity = SimilarityRunner(self.player, self.w.plots, self)
        self.analyzer.report_ready.connect(self._on_analysed)
        self.analyzer.message.connect(self._say)
        self._connect()
        self._shortcuts = install_shortcuts(self, self._actions())

    # --- public API (docs/CONTRACTS.md) ----------------------------------------------------

    @property
    def clip_path(self) -> Path | None:
        """Clip A, or None."""
        return self.sides[0].path if self.sides else None

    @property
    def report_dir(self) -> Path | None:
        """Clip A's report directory, or None."""
        return self.sides[0].report_dir if self.sides else None

    @property
    def layers(self) -> list[ClipLayer]:
        """On-screen layers, A first."""
        return [side.layer for side in self.sides]

    @property
    def shown_frame(self) -> int:
        """Master frame index on screen now (-1 before the first decode lands)."""
        return self.player.shown_index

    def open_clip(self, clip_path: str | Path, report_dir: str | Path | None = None) -> bool:
        """Load a clip and its report (given, or found at the default place); False on error."""
        source = self._source(clip_path)
        if source is None:
            return False
        self.analyzer.drop()  # its rows belong to the clip being replaced
        side = _Side(Path(clip_path), ClipLayer(*source.frame_size, name="A"))
        self.sides = [side]
        self.w.viewer.set_layers(self.layers)
        self.player.set_sources([source])
        self._after_sources_changed()
        self.w.plots.clear()
        self.w.plots.set_frame_count(source.info.frame_count)
        self.w.events.set_events((), ())
        self._attach_report(0, report_dir)
        self._say(
            f"{side.path.name}: {source.info.width}x{source.info.height}, "
            f"{source.info.frame_count} frames at {source.info.fps:g} fps"
        )
        self.clip_opened.emit(str(side.path))
        return True

    def open_compare(self, clip_path: str | Path, report_dir: str | Path | None = None) -> bool:
        """Show another clip next to A, synced by time, scaled to A's size."""
        if not self.sides:
            return self.open_clip(clip_path, report_dir)
        source = self._source(clip_path, size=self.sides[0].layer.size)
        if source is None:
            return False
        side = _Side(Path(clip_path), ClipLayer(*source.frame_size, name="B"))
        self.sides = [self.sides[0], side]
        side.layer.set_overlay(self.w.overlay_b.settings)
        self.w.viewer.set_layers(self.layers)
        self.player.set_sources([self.player.sources[0], source])
        self._after_sources_changed()
        self.w.compare_bar.reset()
        self._show_compare_widgets(True)
        self._attach_report(1, report_dir)
        self.similarity.restart()
        self._say(f"comparing {self.sides[0].path.name} (A) with {side.path.name} (B)")
        return True

    def close_compare(self) -> None:
        """Back to clip A alone."""
        if len(self.sides) < 2:
            return
        self.similarity.drop()
        self.sides = self.sides[:1]
        self.w.viewer.set_layers(self.layers)
        self.player.set_sources(self.player.sources[:1])
        self._after_sources_changed()
        self._show_compare_widgets(False)

    def set_compare_mode(self, mode: CompareMode) -> None:
        """Side by side, wipe, difference or A/B flip."""
        self.w.compare_bar.set_mode(mode)
        self.w.viewer.set_mode(mode)

    def analyze_clip(self, clip_path: str | Path) -> None:
        """Open a clip and analyse it on a worker thread; plots fill as rows arrive."""
        if self.clip_path != Path(clip_path) and not self.open_clip(clip_path):
            return
        self.analyzer.start(Path(clip_path))

    def cancel_analysis(self) -> None:
        """Stop the running analysis at its next batch."""
        self.analyzer.cancel()

    def export_png(self, path: str | Path) -> Path | None:
        """Save what the player shows (frame(s) + overlay + boxes) as a PNG, composed in numpy."""
        try:
            saved = export_still(path, self.sides, self.w.viewer)
        except (OSError, ValueError) as err:
            self._say(f"Export failed: {err}")
            return None
        if saved is not None:
            self._say(f"saved {saved}")
        return saved

    def open_html_report(self) -> bool:
        """Open A's report.html in the browser; False (and a message) when there is none."""
        report = self.sides[0].report if self.sides else None
        if report is None or not report.html_path.is_file():
            self._say("No HTML report for this clip yet (analyse it first).")
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(report.html_path)))

    def close_clips(self) -> None:
        """Stop decoders, analysis and background calls; call before destroying the panel."""
        self.analyzer.stop()
        self.similarity.stop()
        for call in self._calls:
            call.wait()
        self._calls.clear()
        self.player.close()

    # --- wiring ----------------------------------------------------------------------------

    def _connect(self) -> None:
        w, p = self.w, self.player
        w.transport.jump_start.connect(lambda: p.seek(0))
        w.transport.jump_end.connect(lambda: p.seek(p.playhead.clip.last))
        w.transport.step_back.connect(lambda: p.step(-1))
        w.transport.step_forward.connect(lambda: p.step(1))
        w.transport.play_toggled.connect(p.toggle)
        w.transport.speed_chosen.connect(p.set_rate)
        w.transport.loop_cleared.connect(lambda: p.set_loop(None))
        w.scrub.seek_requested.connect(p.seek)
        w.plots.seek_requested.connect(p.seek)
        w.events.event_activated.connect(p.seek)
        p.frames_shown.connect(self._on_frames_shown)
        p.stats_changed.connect(self._on_stats)
        w.overlay_a.changed.connect(lambda s: self._on_overlay(0, s))
        w.overlay_b.changed.connect(lambda s: self._on_overlay(1, s))
        w.viewer.hovered.connect(
            lambda layer, x, y: w.transport.pixel_label.setText(layer.readout(x, y))
        )
        w.compare_bar.mode_chosen.connect(w.viewer.set_mode)
        w.compare_bar.offset_changed.connect(self._on_offset)
        w.compare_bar.close_requested.connect(self.close_compare)
        w.open_button.clicked.connect(lambda: pick_file(self, "Open clip", self.open_clip))
        w.compare_button.clicked.connect(lambda: pick_file(self, "Compare with", self.open_compare))
        w.analyse_button.clicked.connect(self._analyse_current)
        w.cancel_button.clicked.connect(self.cancel_analysis)
        w.html_button.clicked.connect(self.open_html_report)
        w.export_button.clicked.connect(
            lambda: pick_file(self, "Export frame as PNG", self.export_png, save=True)
        )
        w.roast_button.clicked.connect(self._on_roast)

    def _actions(self) -> dict[str, Callable[[], None]]:
        p, w = self.player, self.w
        return {
            "toggle_play": p.toggle,
            "pause": p.pause,
            "step_back": lambda: p.step(-1),
            "step_forward": lambda: p.step(1),
            "play_backward": lambda: p.shuttle(-1),
            "play_forward": lambda: p.shuttle(1),
            "jump_start": lambda: p.seek(0),
            "jump_end": lambda: p.seek(p.playhead.clip.last),
            "mark_in": lambda: p.playhead.mark_in(),
            "mark_out": lambda: p.playhead.mark_out(),
            "toggle_overlay": lambda: self._each_overlay(lambda c: c.toggle_heatmap()),
            "toggle_boxes": lambda: self._each_overlay(lambda c: c.toggle_boxes()),
            "flip": w.viewer.flip,
            "fit": w.viewer.fit,
        }

    def _source(
        self, clip_path: str | Path, size: tuple[int, int] | None = None
    ) -> FrameSource | None:
        try:
            source = FrameSource(clip_path, size=size)
        except MediaError as err:
            self._say(f"Cannot open {clip_path}: {err}")
            return None
        source.error.connect(self._say)
        return source

    def _after_sources_changed(self) -> None:
        playhead = self.player.playhead
        playhead.state_changed.connect(self.w.transport.show_state)
        playhead.speed_changed.connect(self.w.transport.show_speed)
        playhead.loop_changed.connect(self._on_loop)
        self.w.transport.show_state(playhead.state)
        self._on_loop(None)
        events = self.sides[0].report.events if self.sides[0].report else ()
        self.w.scrub.set_clip(playhead.clip.length, events)
        self.w.roast_button.setEnabled(True)
        self.w.compare_button.setEnabled(True)
        self.w.analyse_button.setEnabled(True)

    def _show_compare_widgets(self, comparing: bool) -> None:
        self.w.compare_bar.setVisible(comparing)
        self.w.overlay_b.setVisible(comparing)
        self.w.overlay_a.setTitle("Overlay A" if comparing else "Overlay")

    def _attach_report(self, side: int, report_dir: str | Path | None) -> None:
        folder = Path(report_dir) if report_dir else find_report_dir(self.sides[side].path)
        self.sides[side].report_dir = Path(report_dir) if report_dir else None
        if folder is None or not (folder / "report.json").is_file():
            if report_dir:
                self._say(f"No report.json in {report_dir}")
            return
        self.sides[side].report_dir = folder
        call = Call(lambda: read_report(folder), (ReportError, OSError), self)
        call.done.connect(
            lambda report, s=side, p=self.sides[side].path: self._on_report(s, p, report)
        )
        call.failed.connect(self._say)
        self._calls = [c for c in self._calls if c.running()] + [call]

    def _on_report(self, side: int, path: Path, report: ReviewReport) -> None:
        if side >= len(self.sides) or self.sides[side].path != path:
            return  # another clip was opened meanwhile
        self.sides[side].report = report
        self.sides[side].layer.set_report(report)
        if side == 0:
            info = self.player.sources[0].info
            self.w.plots.set_table(report.table)
            self.w.plots.set_events(report.events)
            self.w.events.set_events(report.events, info.frame_times_s)
            self.w.scrub.set_clip(info.frame_count, report.events)
        self.report_loaded.emit(side)

    # --- slots -----------------------------------------------------------------------------

    @Slot(int, list)
    def _on_frames_shown(self, master: int, frames: list[tuple[int, Frame]]) -> None:
        for layer, (index, frame) in zip(self.layers, frames, strict=False):
            layer.show_frame(index, frame)
        self.w.viewer.refresh()
        info = self.player.sources[0].info
        self.w.transport.show_frame(master, info.frame_count, info.frame_times_s[master])
        self.w.scrub.set_position(master)
        self.w.plots.set_playhead(master)

    @Slot()
    def _on_stats(self) -> None:
        self.w.transport.show_stats(self.player.stats.shown, self.player.stats.dropped)

    def _on_overlay(self, side: int, settings: OverlaySettings) -> None:
        if side < len(self.sides):
            self.sides[side].layer.set_overlay(settings)

    def _each_overlay(self, action: Callable[..., None]) -> None:
        action(self.w.overlay_a)
        if len(self.sides) > 1:
            action(self.w.overlay_b)

    def _on_offset(self, side: int, frames: int) -> None:
        if side < len(self.player.sources):
            self.player.set_offset(side, frames)
            self.similarity.restart()

    def _on_loop(self, loop: FrameRange | None) -> None:
        self.w.transport.show_loop(loop)
        self.w.scrub.set_loop(loop)

    def _analyse_current(self) -> None:
        if self.clip_path is not None:
            self.analyze_clip(self.clip_path)

    def _on_analysed(self, clip_path: str, report_dir: str) -> None:
        if self.clip_path == Path(clip_path):
            self._attach_report(0, report_dir)

    def _on_roast(self) -> None:
        if self.clip_path is not None:
            self.roast_requested.emit(str(self.clip_path), str(self.report_dir or ""))

    def _say(self, text: str) -> None:
        self.w.status.setText(text)
        log.info("review: %s", text)

    # --- drag and drop (the window's rule, gui.dropping.classify) ---------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if classify(event.mimeData()).videos:
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if classify(event.mimeData()).videos:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """One clip opens here; two open side by side."""
        videos = classify(event.mimeData()).videos
        if not videos:
            return
        event.acceptProposedAction()
        if self.open_clip(videos[0]) and len(videos) > 1:
            self.open_compare(videos[1])
