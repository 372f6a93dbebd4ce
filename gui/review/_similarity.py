"""A-vs-B PSNR/SSIM for the clips on screen, computed on a worker thread and plotted when done."""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject

from core.media import MediaError
from core.review import similarity_series
from gui.review._player import PlayerController
from gui.review._plots import COMPARE_PSNR, COMPARE_SSIM, LinkedPlots
from gui.review._threads import Call


class SimilarityRunner(QObject):
    """Keeps at most one computation running; a new pair or offset cancels the old one."""

    def __init__(self, player: PlayerController, plots: LinkedPlots, parent: QObject) -> None:
        super().__init__(parent)
        self.player, self.plots = player, plots
        self._call: Call | None = None
        self._cancel = threading.Event()

    def restart(self) -> None:
        """Compute for the current pair and offsets (nothing without two clips)."""
        self.stop()
        if len(self.player.sources) < 2:
            return
        path_a, path_b = self.player.sources[0].path, self.player.sources[1].path
        offsets = (self.player.offsets[0], self.player.offsets[1])
        cancel = self._cancel = threading.Event()
        self._call = Call(
            lambda: similarity_series(path_a, path_b, offsets, cancel=cancel),
            (MediaError, OSError),
            self,
        )
        self._call.done.connect(self._show)

    def stop(self) -> None:
        """Cancel the running computation and wait for it (it stops within one batch)."""
        self._cancel.set()
        if self._call is not None:
            self._call.wait()
        self._call = None

    def _show(self, series: dict[str, np.ndarray]) -> None:
        if series:  # empty when cancelled
            self.plots.set_extra(COMPARE_PSNR, series["psnr_db"])
            self.plots.set_extra(COMPARE_SSIM, series["ssim"])
