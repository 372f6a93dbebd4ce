"""Heatmaps kept in memory at a reduced size, one float16 stack per defect class."""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import NDArray

from core.analysis.ops import pool_to
from core.analysis.options import AnalysisOptions

BYTES_PER_CELL = 2  # float16


def heatmap_size(
    size: tuple[int, int], frame_count: int, options: AnalysisOptions
) -> tuple[int, int]:
    """(w, h) of the stored heatmaps: at most ``heatmap_max_side_px`` on the long side and,
    for long clips, small enough that all classes fit ``heatmap_budget_bytes``."""
    w, h = size
    scale = min(1.0, options.heatmap_max_side_px / max(w, h))
    per_frame = options.heatmap_budget_bytes / max(1, frame_count) / (5 * BYTES_PER_CELL)
    scale = min(scale, float(np.sqrt(per_frame / (w * h))))
    return max(4, round(w * scale)), max(4, round(h * scale))


class HeatStore:
    """Appends per-batch (N, 1, H, W) maps, area-pooled to the heatmap size, as float16."""

    def __init__(self, classes: tuple[str, ...], size: tuple[int, int]) -> None:
        self.size = size
        self._parts: dict[str, list[NDArray[np.float16]]] = {kind: [] for kind in classes}

    @property
    def frames(self) -> int:
        """Frames stored so far."""
        first = next(iter(self._parts.values()))
        return sum(part.shape[0] for part in first)

    def append(self, maps: dict[str, torch.Tensor]) -> None:
        """Pool and store one batch of every class."""
        w, h = self.size
        for kind, heat in maps.items():
            small = pool_to(heat, h, w)[:, 0].clamp(0.0, 1.0)
            self._parts[kind].append(small.to(torch.float16).cpu().numpy())

    def arrays(self) -> dict[str, NDArray[np.float16]]:
        """Class -> (frames, h, w) float16."""
        w, h = self.size
        return {
            kind: np.concatenate(parts) if parts else np.zeros((0, h, w), np.float16)
            for kind, parts in self._parts.items()
        }
