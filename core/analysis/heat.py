"""Heatmaps kept in memory as float16 stacks, one per defect class, at the detectors' map size.

The detectors compute their maps at ~180 px short side (:func:`core.analysis.motion.map_downscale`:
DIS solves the flow at ~90 px and every map is derived from it), so that is the real resolution
of the analysis and what is stored by default. Only two things shrink them further: an explicit
``heatmap_max_side_px`` and, for long clips, the memory budget (all classes of all frames must
fit ``heatmap_budget_bytes`` before compression).
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
from numpy.typing import NDArray

from core.analysis.ops import pool_to
from core.analysis.options import AnalysisOptions

BYTES_PER_CELL = 2  # float16


def heatmap_size(
    map_size: tuple[int, int], frame_count: int, options: AnalysisOptions, classes: int = 5
) -> tuple[int, int]:
    """(w, h) of the stored heatmaps: the detector maps' ``map_size``, at most
    ``heatmap_max_side_px`` on the long side when that is set (> 0) and, for long clips, small
    enough that ``classes`` stacks of ``frame_count`` maps fit ``heatmap_budget_bytes``."""
    w, h = map_size
    scale = 1.0
    if options.heatmap_max_side_px > 0:
        scale = min(scale, options.heatmap_max_side_px / max(w, h))
    per_frame = options.heatmap_budget_bytes / max(1, frame_count) / (classes * BYTES_PER_CELL)
    scale = min(scale, float(np.sqrt(per_frame / (w * h))))
    return max(4, round(w * scale)), max(4, round(h * scale))


class HeatStore:
    """Appends per-batch (N, 1, H, W) maps in [0, 1], area-pooled to the heatmap size when that
    is smaller than the maps, as float16."""

    def __init__(self, classes: tuple[str, ...], size: tuple[int, int]) -> None:
        self.size = size
        self._parts: dict[str, list[NDArray[np.float16]]] = {kind: [] for kind in classes}

    @property
    def frames(self) -> int:
        """Frames stored so far."""
        first = next(iter(self._parts.values()))
        return sum(part.shape[0] for part in first)

    def append(self, maps: dict[str, torch.Tensor]) -> None:
        """Store one batch of every class."""
        for kind, heat in maps.items():
            self._parts[kind].append(self._fit(heat[:, 0]))

    def _fit(self, heat: torch.Tensor) -> NDArray[np.float16]:
        w, h = self.size
        if tuple(heat.shape[-2:]) == (h, w):
            return heat.to(torch.float16).cpu().numpy()
        if heat.device.type == "cpu":  # INTER_AREA: cell means, 5x faster than adaptive pooling
            planes = heat.contiguous().numpy()
            small = [cv2.resize(p, (w, h), interpolation=cv2.INTER_AREA) for p in planes]
            return np.stack(small).astype(np.float16)
        return pool_to(heat[:, None], h, w)[:, 0].to(torch.float16).cpu().numpy()

    def arrays(self) -> dict[str, NDArray[np.float16]]:
        """Class -> (frames, h, w) float16."""
        w, h = self.size
        return {
            kind: np.concatenate(parts) if parts else np.zeros((0, h, w), np.float16)
            for kind, parts in self._parts.items()
        }
