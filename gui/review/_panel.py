"""The Review tab: player with overlays, transport, and (below) plots and events.

``ReviewPanel`` is the one widget the main window embeds. It wires views to the player
controller and the Qt-free models; it holds no analysis or decoding logic itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.media import MediaError
from core.review import FrameRange, PlayState
from core.review._cache import Frame
from gui.review._clip_layer import ClipLayer
from gui.review._frame_source import FrameSource
from gui.review._player import PlayerController
from gui.review._scrub_bar import ScrubBar
from gui.review._shortcuts import install_shortcuts
from gui.review._transport import TransportBar
from gui.review._viewer import ClipViewer

log = logging.getLogger(__name__)


class ReviewPanel(QWidget):
    """Review one clip (or two side by side): play, step, overlay heatmaps, plot, compare.

    Signals
    -------
    roast_requested(str, str):
        The user pressed "Roast…": (clip path, report dir or "").
    clip_opened(str):
        A clip is loaded and its first frame requested.
    """

    roast_requested = Signal(str, str)
    clip_opened = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clip_path: Path | None = None
        self.report_dir: Path | None = None
        self.player = PlayerController(self)
        self.layers: list[ClipLayer] = []
        self.viewer = ClipViewer()
        self.transport = TransportBar()
        self.scrub = ScrubBar()
        self.status = QLabel("Open a clip, or drop one here.")
        self.roast_button = QPushButton("Roast…")
        self.roast_button.setEnabled(False)
        self.roast_button.clicked.connect(self._on_roast)
        self._build_layout()
        self._connect()
        self._shortcuts = install_shortcuts(self, self._actions())

    # --- public API (docs/CONTRACTS.md) ----------------------------------------------------

    def open_clip(self, clip_path: str | Path, report_dir: str | Path | None = None) -> bool:
        """Load a clip (and its analysis, if any); returns False and says why on failure."""
        try:
            source = FrameSource(clip_path)
        except MediaError as err:
            self._say(f"Cannot open {clip_path}: {err}")
            return False
        self.clip_path = Path(clip_path)
        self.report_dir = Path(report_dir) if report_dir else None
        layer = ClipLayer(*source.frame_size, name="A")
        self.layers = [layer]
        self.viewer.set_layers(self.layers)
        self.player.set_sources([source])
        self.scrub.set_clip(source.info.frame_count)
        self._bind_playhead()
        self.roast_button.setEnabled(True)
        self._say(
            f"{self.clip_path.name}: {source.info.width}x{source.info.height}, "
            f"{source.info.frame_count} frames at {source.info.fps:g} fps"
        )
        self.clip_opened.emit(str(self.clip_path))
        return True

    def analyze_clip(self, clip_path: str | Path) -> None:
        """Open a clip and analyse it on a worker thread (plots fill as rows arrive)."""
        self.open_clip(clip_path)

    def close_clips(self) -> None:
        """Stop decoders; call before the panel is destroyed."""
        self.player.close()

    @property
    def shown_frame(self) -> int:
        """Master frame index on screen now (-1 before the first decode lands)."""
        return self.player.shown_index

    # --- wiring ----------------------------------------------------------------------------

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.roast_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.viewer, 1)
        layout.addWidget(self.scrub)
        layout.addWidget(self.transport)

    def _connect(self) -> None:
        t = self.transport
        t.jump_start.connect(lambda: self.player.seek(0))
        t.jump_end.connect(lambda: self.player.seek(self.player.playhead.clip.last))
        t.step_back.connect(lambda: self.player.step(-1))
        t.step_forward.connect(lambda: self.player.step(1))
        t.play_toggled.connect(self.player.toggle)
        t.speed_chosen.connect(self._on_speed_chosen)
        t.loop_cleared.connect(lambda: self.player.set_loop(None))
        self.scrub.seek_requested.connect(self.player.seek)
        self.player.frames_shown.connect(self._on_frames_shown)
        self.player.stats_changed.connect(self._on_stats)

    def _bind_playhead(self) -> None:
        playhead = self.player.playhead
        playhead.state_changed.connect(self.transport.show_state)
        playhead.speed_changed.connect(self.transport.show_speed)
        playhead.loop_changed.connect(self._on_loop)
        self.transport.show_state(playhead.state)
        self.transport.show_loop(None)

    def _actions(self) -> dict[str, Callable[[], None]]:
        p = self.player
        return {
            "toggle_play": p.toggle,
            "pause": p.pause,
            "step_back": lambda: p.step(-1),
            "step_forward": lambda: p.step(1),
            "play_backward": lambda: self._jl(-1),
            "play_forward": lambda: self._jl(1),
            "jump_start": lambda: p.seek(0),
            "jump_end": lambda: p.seek(p.playhead.clip.last),
            "mark_in": lambda: p.playhead.mark_in(),
            "mark_out": lambda: p.playhead.mark_out(),
            "fit": self.viewer.fit,
            "flip": self.viewer.flip,
        }

    def _jl(self, direction: int) -> None:
        """J/L: start playing that way at 1x, or double the rate if already doing so."""
        playhead = self.player.playhead
        same_way = playhead.state is PlayState.PLAYING and playhead.speed * direction > 0
        speed = min(abs(playhead.speed) * 2, 8.0) if same_way else 1.0
        self.player.play(direction * speed)

    @Slot(float)
    def _on_speed_chosen(self, speed: float) -> None:
        sign = -1.0 if self.player.playhead.speed < 0 else 1.0
        self.player.set_speed(sign * speed)

    def _on_loop(self, loop: FrameRange | None) -> None:
        self.transport.show_loop(loop)
        self.scrub.set_loop(loop)

    @Slot(int, list)
    def _on_frames_shown(self, master: int, frames: list[tuple[int, Frame]]) -> None:
        for layer, (index, frame) in zip(self.layers, frames, strict=False):
            layer.show_frame(index, frame)
        self.viewer.refresh()
        info = self.player.sources[0].info
        self.transport.show_frame(master, info.frame_count, info.frame_times_s[master])
        self.scrub.set_position(master)

    @Slot()
    def _on_stats(self) -> None:
        self.transport.show_stats(self.player.stats.shown, self.player.stats.dropped)

    def _on_roast(self) -> None:
        if self.clip_path is not None:
            self.roast_requested.emit(str(self.clip_path), str(self.report_dir or ""))

    def _say(self, text: str) -> None:
        self.status.setText(text)
        log.info("review: %s", text)
