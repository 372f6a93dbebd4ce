"""Per-frame PSNR and SSIM between two clips as the player aligns them (time sync + offsets).

Decodes luma (the plane the analysis measures), B scaled to A's size, and hands batches to
the analysis engine's metric functions, so the numbers match what ``analyze`` reports for
consecutive frames. Runs on a worker thread; ``cancel`` is checked per batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.media import VideoReader
from core.review._compare import side_frame

Luma = NDArray[np.uint8]
MetricFn = Callable[[NDArray[np.uint8], NDArray[np.uint8]], tuple[NDArray[np.float64], ...]]
BATCH_FRAMES = 16


class _Memo:
    """Reads frames by index, remembering the last one (offsets repeat frames at the ends)."""

    def __init__(self, reader: VideoReader) -> None:
        self.reader = reader
        self.index, self.frame = -1, np.zeros(0, np.uint8)

    def get(self, index: int) -> Luma:
        if index != self.index:
            self.index, self.frame = index, self.reader.frame(index)
        return self.frame


def aligned_pairs(
    times_a: tuple[float, ...], times_b: tuple[float, ...], offsets: tuple[int, int]
) -> list[tuple[int, int]]:
    """(A index, B index) for every master frame (A's timeline), as the player shows them."""
    return [
        (side_frame(t, times_a, offsets[0]), side_frame(t, times_b, offsets[1])) for t in times_a
    ]


def similarity_series(
    path_a: Path | str,
    path_b: Path | str,
    offsets: tuple[int, int] = (0, 0),
    metrics: MetricFn | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, NDArray[np.float64]]:
    """``{"psnr_db": ..., "ssim": ...}`` per master frame; empty dict when cancelled."""
    metrics = metrics or engine_metrics
    with VideoReader(path_a, fmt="y") as reader_a, VideoReader(path_b, fmt="y") as reader_b:
        reader_b.set_size((reader_a.info.width, reader_a.info.height))
        pairs = aligned_pairs(reader_a.info.frame_times_s, reader_b.info.frame_times_s, offsets)
        a, b = _Memo(reader_a), _Memo(reader_b)
        psnr_parts, ssim_parts = [], []
        for start in range(0, len(pairs), BATCH_FRAMES):
            if cancel is not None and cancel.is_set():
                return {}
            batch = pairs[start : start + BATCH_FRAMES]
            stack_a = np.stack([a.get(i) for i, _ in batch])
            stack_b = np.stack([b.get(j) for _, j in batch])
            psnr_db, ssim = metrics(stack_a, stack_b)
            psnr_parts.append(psnr_db)
            ssim_parts.append(ssim)
    return {"psnr_db": np.concatenate(psnr_parts), "ssim": np.concatenate(ssim_parts)}


def engine_metrics(
    a: NDArray[np.uint8], b: NDArray[np.uint8]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """PSNR (dB) and SSIM per frame of two (N, H, W) luma stacks, by core.analysis."""
    import torch

    from core.analysis.ssim import psnr, ssim

    x = torch.from_numpy(a).float().unsqueeze(1)
    y = torch.from_numpy(b).float().unsqueeze(1)
    with torch.no_grad():
        return psnr(x, y).numpy(), ssim(x, y).numpy()
