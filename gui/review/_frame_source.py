"""One clip's decoder thread and frame cache, as Qt sees them.

The Qt-free :class:`core.review.Prefetcher` does the work; this wraps it in a QThread and turns
its callbacks into queued signals. Frames cross threads through the cache as fresh arrays
(never a shared QImage), so the GUI thread never waits for a decode.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.review import FrameCache, FrameRange, Prefetcher, frames_for_budget, prefetch_plan
from core.review._cache import Frame

CACHE_BUDGET_BYTES = 320 * 1024 * 1024
"""Per clip: ~115 frames of 720p RGB, a few seconds around the playhead."""

PLAYBACK_AHEAD_S = 1.5
"""How far ahead the decoder runs while playing."""

PAUSED_AHEAD, PAUSED_BEHIND = 8, 8
"""Frames decoded around a paused playhead so stepping either way is instant."""


class _DecodeThread(QThread):
    frame_decoded = Signal(int)
    failed = Signal(str)

    def __init__(self, prefetcher: Prefetcher) -> None:
        super().__init__()
        self._prefetcher = prefetcher

    def run(self) -> None:
        self._prefetcher.run(self.frame_decoded.emit, self.failed.emit)


class FrameSource(QObject):
    """Decoded frames of one clip, by index, with decode-ahead around the playhead.

    Signals
    -------
    frame_ready(int):
        A frame entered the cache (emitted on the GUI thread).
    error(str):
        A frame could not be decoded; the message names the file.
    """

    frame_ready = Signal(int)
    error = Signal(str)

    def __init__(
        self,
        path: Path | str,
        size: tuple[int, int] | None = None,
        budget_bytes: int = CACHE_BUDGET_BYTES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache = FrameCache(budget_bytes)
        self._prefetcher = Prefetcher(path, self.cache, size)
        self.info = self._prefetcher.info
        self.path = Path(path)
        width, height = self._prefetcher.frame_size
        self.frame_size = (width, height)
        self.capacity = frames_for_budget(budget_bytes, width, height)
        self._thread = _DecodeThread(self._prefetcher)
        self._thread.frame_decoded.connect(self._on_decoded)
        self._thread.failed.connect(self._on_failed)
        self._thread.start()

    # Cross-thread receivers are real slots (PySide6 >= 6.8 needs them; PYSIDE-3124).
    @Slot(int)
    def _on_decoded(self, index: int) -> None:
        self.frame_ready.emit(index)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.error.emit(message)

    @property
    def span(self) -> FrameRange:
        """All frames of the clip."""
        return FrameRange(0, max(0, self.info.frame_count - 1))

    @property
    def decoded(self) -> int:
        """Frames decoded so far (cache misses served)."""
        return self._prefetcher.decoded

    def get(self, index: int) -> Frame | None:
        """The frame if decoded, else None (and nothing blocks)."""
        return self.cache.get(index)

    def want(
        self, index: int, direction: int, span: FrameRange | None = None, loop: bool = False
    ) -> None:
        """Decode ``index`` first, then ahead of it in ``direction`` (0: around it)."""
        span = span or self.span
        if direction:
            ahead = min(self.capacity // 2, max(4, round(self.info.fps * PLAYBACK_AHEAD_S)))
            plan = prefetch_plan(index, direction, span, loop, ahead)
        else:
            ahead = min(self.capacity // 3, PAUSED_AHEAD)
            behind = min(self.capacity // 3, PAUSED_BEHIND)
            plan = prefetch_plan(index, 0, span, False, ahead, behind)
        self._prefetcher.request(self.cache.missing(plan))

    def close(self) -> None:
        """Stop the decoder and wait for it (a running QThread must not be destroyed)."""
        self._prefetcher.close()
        self._thread.wait()
        self.cache.clear()
