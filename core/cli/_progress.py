"""A plain-text progress bar on stderr (no dependency; redraws in place with ``\\r``)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 28
MIN_REDRAW_S = 0.1


class ProgressBar:
    """``bar.update(done, total, label)`` redraws at most every 0.1 s; ``bar.finish()``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._last_s = 0.0
        self._drawn = False

    def update(self, done: int, total: int, label: str = "") -> None:
        """Redraw with ``done`` of ``total`` finished (throttled, except when complete)."""
        now = time.monotonic()
        if done < total and now - self._last_s < MIN_REDRAW_S:
            return
        self._last_s = now
        fraction = min(1.0, done / total) if total > 0 else 0.0
        filled = int(fraction * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self._stream.write(f"\r[{bar}] {fraction * 100:5.1f}% {label[:60]:<60}")
        self._stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """End the bar's line."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False
