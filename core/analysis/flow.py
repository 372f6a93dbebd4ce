"""Optical flow (OpenCV DIS on CPU) and the camera motion fitted to it.

DIS at analysis size costs 1-3 ms per pair on one core (defect-metrics.md §3), far below the
per-pixel work, so it stays on the CPU even when the rest runs on a GPU. For each pair we need
both directions: ``back`` (t -> t-1) warps frame t-1 onto frame t's grid, and ``fwd``
(t-1 -> t) checks it (Ruder's forward-backward occlusion test).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

Flow = NDArray[np.float32]
"""(H, W, 2) float32 displacement in pixels (x, y)."""

_GRID_STEP_PX = 12
_FLOW_SHORT_SIDE_PX = 90
_RANSAC_PX = 1.0


@dataclass(frozen=True)
class PairFlow:
    """Flows between frame t-1 and frame t, and the camera homography (t -> t-1)."""

    back: Flow
    fwd: Flow
    camera: NDArray[np.float64]
    """3x3 homography mapping frame t pixel coordinates to frame t-1 (the camera motion)."""


def finest_scale(short_side_px: int) -> int:
    """DIS pyramid level to stop at, so the flow is solved on a ~90 px short side.

    That keeps flow quality (and cost) the same whatever the analysis size; measured on
    synthetic clips, stopping one level finer than DIS's FAST preset at 180 px cut the clean
    warping error 4x.
    """
    return max(0, round(math.log2(max(short_side_px, 1) / _FLOW_SHORT_SIDE_PX)))


class FlowEstimator:
    """DIS flow (FAST preset, no variational refinement); one instance per thread.

    Variational refinement is off: it smears flow across object boundaries, which raised the
    warping error of clean clips and cost a third of the time. The frames are shrunk to
    ``1/factor`` (the detector maps' size, cell means) before DIS sees them, so the flow comes
    out at map size in that size's pixels. DIS solves on the same ~90 px level either way (its
    finest scale is lowered to match), and skipping the full-size pyramid level and the
    full-size densification halved its cost.
    """

    def __init__(self, short_side_px: int, factor: int = 1) -> None:
        self._back = _dis(short_side_px // factor)
        self._fwd = _dis(short_side_px // factor)
        self._factor = factor

    def pair(self, prev: NDArray[np.uint8], cur: NDArray[np.uint8]) -> PairFlow:
        """Both flows and the camera motion for the pair (prev, cur) of analysis-size planes."""
        prev, cur = self._shrink(prev), self._shrink(cur)
        back = np.asarray(self._back.calc(cur, prev, None), np.float32)
        fwd = np.asarray(self._fwd.calc(prev, cur, None), np.float32)
        return PairFlow(back, fwd, fit_camera(back))

    def _shrink(self, plane: NDArray[np.uint8]) -> NDArray[np.uint8]:
        f = self._factor
        if f == 1:
            return plane
        h, w = plane.shape[0] // f, plane.shape[1] // f
        cells = plane[: h * f, : w * f]
        return np.asarray(cv2.resize(cells, (w, h), interpolation=cv2.INTER_AREA), np.uint8)


def _dis(short_side_px: int) -> Any:
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)  # type: ignore[attr-defined]
    dis.setFinestScale(finest_scale(short_side_px))
    dis.setVariationalRefinementIterations(0)
    return dis


def still_pair(h: int, w: int) -> PairFlow:
    """The flow of a frame to itself (used before the first frame and after the last)."""
    zero = np.zeros((h, w, 2), np.float32)
    return PairFlow(zero, zero, np.eye(3))


def fit_camera(flow: Flow) -> NDArray[np.float64]:
    """RANSAC homography explaining the dominant (background) motion of ``flow``.

    Moving objects and defects are outliers, so what is left after subtracting it is the
    motion the camera does not explain. Falls back to the median translation when the fit
    fails (flat frames give no usable points).
    """
    h, w = flow.shape[:2]
    ys, xs = np.mgrid[
        _GRID_STEP_PX // 2 : h : _GRID_STEP_PX, _GRID_STEP_PX // 2 : w : _GRID_STEP_PX
    ]
    src = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)
    dst = src + flow[ys.ravel(), xs.ravel()]
    if len(src) >= 8:
        homography, _ = cv2.findHomography(src, dst, cv2.RANSAC, _RANSAC_PX, maxIters=200)
        if homography is not None and np.all(np.isfinite(homography)):
            return np.asarray(homography, np.float64)
    shift = np.eye(3)
    shift[:2, 2] = np.median(dst - src, axis=0)
    return shift
