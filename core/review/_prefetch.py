"""The decoder loop that fills a :class:`FrameCache` ahead of the playhead.

Runs on one worker thread (a QThread in the GUI, a plain thread in tests and benchmarks). The
GUI thread only replaces the plan (latest wins) and reads the cache; it never waits for a
decode. Each decoded frame is a fresh array, handed over through the cache and announced by
``on_frame(index)``.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from core.media import MediaError, VideoInfo, VideoReader
from core.review._cache import FrameCache

log = logging.getLogger(__name__)


class Prefetcher:
    """Owns one clip's :class:`VideoReader` and decodes the frames the plan asks for.

    Parameters
    ----------
    path:
        The clip.
    cache:
        Where decoded frames go; the GUI reads them from there.
    size:
        (width, height) to scale frames to while decoding (the B side of a comparison is
        scaled to A's size), or None for the source size.
    """

    def __init__(self, path: Path | str, cache: FrameCache, size: tuple[int, int] | None = None):
        self._reader = VideoReader(path)
        self._reader.set_size(size)
        self.info: VideoInfo = self._reader.info
        self.frame_size = size or (self.info.width, self.info.height)
        self.cache = cache
        self._plan: deque[int] = deque()
        self._wake = threading.Condition()
        self._closed = False
        self.decoded = 0

    def request(self, indices: Sequence[int]) -> None:
        """Replace the plan: decode these frames (those not cached yet), in this order."""
        with self._wake:
            self._plan = deque(indices)
            self._wake.notify()

    def close(self) -> None:
        """Stop the loop after the frame in progress; ``run`` then releases the file."""
        with self._wake:
            self._closed = True
            self._wake.notify()

    def run(self, on_frame: Callable[[int], None], on_error: Callable[[str], None]) -> None:
        """Decode planned frames until :meth:`close`; call from the worker thread only."""
        try:
            while (index := self._next()) is not None:
                try:
                    frame = self._reader.frame(index)
                except (MediaError, IndexError) as err:
                    on_error(str(err))
                    continue
                self.decoded += 1
                self.cache.put(index, frame)
                on_frame(index)
        finally:
            self._reader.close()

    def _next(self) -> int | None:
        with self._wake:
            while True:
                if self._closed:
                    return None
                while self._plan:
                    index = self._plan.popleft()
                    if index not in self.cache:
                        return index
                self._wake.wait()
