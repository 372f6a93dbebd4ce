"""Start the A-vs-B PSNR/SSIM computation for the clips on screen and plot it when done."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

from core.media import MediaError
from core.review import similarity_series
from gui.review._player import PlayerController
from gui.review._plots import COMPARE_PSNR, COMPARE_SSIM, LinkedPlots
from gui.review._threads import Call


def start_similarity(owner: QWidget, player: PlayerController, plots: LinkedPlots) -> Call | None:
    """Compute on a worker thread with the player's current offsets; None without two clips."""
    if len(player.sources) < 2:
        return None
    path_a, path_b = player.sources[0].path, player.sources[1].path
    offsets = (player.offsets[0], player.offsets[1])
    call = Call(lambda: similarity_series(path_a, path_b, offsets), (MediaError, OSError), owner)

    def show(series: dict[str, np.ndarray]) -> None:
        current = len(player.sources) > 1 and tuple(player.offsets) == offsets
        if series and current and player.sources[1].path == path_b:
            plots.set_extra(COMPARE_PSNR, series["psnr_db"])
            plots.set_extra(COMPARE_SSIM, series["ssim"])

    call.done.connect(show)
    return call
