"""A-vs-B PSNR/SSIM for the clips on screen, computed in a child process, plotted when done."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Slot

from core.review import ChildRun, similarity_job
from gui.review._player import PlayerController
from gui.review._plots import COMPARE_PSNR, COMPARE_SSIM, LinkedPlots
from gui.review._threads import ChildThread


class SimilarityRunner(QObject):
    """Keeps at most one computation running; a new pair or offset cancels the old one."""

    def __init__(self, player: PlayerController, plots: LinkedPlots, parent: QObject) -> None:
        super().__init__(parent)
        self.player, self.plots = player, plots
        self._thread: ChildThread | None = None
        self._retired: list[ChildThread] = []

    def restart(self) -> None:
        """Compute for the current pair and offsets (nothing without two clips)."""
        self.drop()
        if len(self.player.sources) < 2:
            return
        paths = (str(self.player.sources[0].path), str(self.player.sources[1].path))
        offsets = (self.player.offsets[0], self.player.offsets[1])
        self._thread = ChildThread(ChildRun(similarity_job, *paths, offsets))
        self._thread.succeeded.connect(self._show)
        self._thread.launch()

    def drop(self) -> None:
        """Cancel the running computation without waiting (its late result is ignored)."""
        if self._thread is not None:
            self._thread.cancel()
            self._retired = [t for t in self._retired if t.isRunning()] + [self._thread]
        self._thread = None

    def stop(self) -> None:
        """Shutdown: cancel and wait for (or terminate) every computation."""
        self.drop()
        for thread in self._retired:
            thread.stop()
        self._retired.clear()

    @Slot(object)
    def _show(self, series: dict[str, np.ndarray]) -> None:
        if series and self.sender() is self._thread:  # not a late result of an older pair
            self.plots.set_extra(COMPARE_PSNR, series["psnr_db"])
            self.plots.set_extra(COMPARE_SSIM, series["ssim"])
