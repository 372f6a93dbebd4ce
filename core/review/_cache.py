"""Decoded-frame cache around the playhead, and the order in which to decode ahead.

One 720p RGB frame is ~2.8 MB, so whole clips are never kept: a byte-budgeted LRU holds the
frames near the playhead, and :func:`prefetch_plan` says which frames to decode next, in an
order that keeps the decoder sequential (one seek, then forward decoding).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from core.review._clock import FrameRange

Frame = NDArray[np.uint8]


class FrameCache:
    """Thread-safe LRU of decoded frames keyed by frame index, bounded in bytes.

    The decoder thread ``put``s, the GUI thread ``get``s. Arrays are never mutated after
    ``put`` (the GUI builds its QImage over them), so sharing them between threads is safe.
    """

    def __init__(self, budget_bytes: int) -> None:
        if budget_bytes <= 0:
            raise ValueError(f"cache budget must be positive, got {budget_bytes} bytes")
        self.budget_bytes = budget_bytes
        self._frames: OrderedDict[int, Frame] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, index: int) -> Frame | None:
        """The frame if cached (and mark it recently used), else None."""
        with self._lock:
            frame = self._frames.get(index)
            if frame is not None:
                self._frames.move_to_end(index)
            return frame

    def put(self, index: int, frame: Frame) -> None:
        """Store a frame, evicting the least recently used ones beyond the budget."""
        frame.setflags(write=False)
        with self._lock:
            old = self._frames.pop(index, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._frames[index] = frame
            self._bytes += frame.nbytes
            while self._bytes > self.budget_bytes and len(self._frames) > 1:
                _, evicted = self._frames.popitem(last=False)
                self._bytes -= evicted.nbytes

    def missing(self, indices: Iterable[int]) -> list[int]:
        """The given indices that are not cached, in the given order."""
        with self._lock:
            return [i for i in indices if i not in self._frames]

    def __contains__(self, index: object) -> bool:
        with self._lock:
            return index in self._frames

    def __len__(self) -> int:
        with self._lock:
            return len(self._frames)

    @property
    def nbytes(self) -> int:
        """Bytes held now."""
        with self._lock:
            return self._bytes

    def clear(self) -> None:
        """Drop every frame (a new clip size, or closing)."""
        with self._lock:
            self._frames.clear()
            self._bytes = 0


def frames_for_budget(budget_bytes: int, width: int, height: int) -> int:
    """How many RGB frames of ``width`` x ``height`` fit in ``budget_bytes`` (at least 2)."""
    return max(2, budget_bytes // max(1, width * height * 3))


def prefetch_plan(
    center: int, direction: int, span: FrameRange, loop: bool, ahead: int, behind: int = 0
) -> list[int]:
    """Frames to decode next, most urgent first, inside ``span``.

    ``direction`` > 0 (playing forward): the playhead, then ``ahead`` frames after it (wrapping
    when ``loop``). < 0 (playing backward): the playhead, then the ``ahead`` frames before it in
    ascending order, because a decoder can only run forward after a seek. 0 (paused): the
    playhead, ``ahead`` frames after it, then ``behind`` frames before it (ascending), so a step
    either way is instant.
    """
    center = span.clamp(center)
    if direction > 0:
        after = [center + k for k in range(1, ahead + 1)]
        return _unique([center, *_fit(after, span, loop)])
    if direction < 0:
        before = [center - k for k in range(ahead, 0, -1)]
        return _unique([center, *_fit(before, span, loop)])
    after = [center + k for k in range(1, ahead + 1)]
    before = [center - k for k in range(behind, 0, -1)]
    return _unique([center, *_fit(after, span, False), *_fit(before, span, False)])


def _fit(frames: list[int], span: FrameRange, loop: bool) -> list[int]:
    if loop:
        return [span.wrap(f) for f in frames]
    return [f for f in frames if span.first <= f <= span.last]


def _unique(frames: list[int]) -> list[int]:
    # A loop shorter than the plan wraps onto frames already planned.
    return list(dict.fromkeys(frames))
