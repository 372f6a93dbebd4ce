"""From per-frame scores to one clip score per class.

A clip is as bad as its worst moment, so scores are pooled by the maximum over time, not the
mean (a mean hides a two-second melt in a ten-second clip). Per-frame scores are already a
top-percentile over pixels (one bad region is not averaged away by a clean frame). For the
continuous classes the maximum is taken over a 3-frame moving average, so a single noisy frame
does not decide the clip; physics events are instantaneous and keep the plain maximum.
``overall`` is the worst class.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from core.analysis.report import CLASSES

INSTANT_CLASSES = frozenset({"physics"})
SMOOTH_FRAMES = 3


def clip_score(kind: str, per_frame: NDArray[np.float64]) -> float:
    """Pool one class's per-frame scores (values in [0, 1]) into its clip score."""
    if per_frame.size == 0:
        return 0.0
    if kind in INSTANT_CLASSES or per_frame.size < SMOOTH_FRAMES:
        return float(per_frame.max())
    kernel = np.ones(SMOOTH_FRAMES) / SMOOTH_FRAMES
    return float(np.convolve(per_frame, kernel, mode="same").max())


def clip_scores(per_frame: dict[str, NDArray[np.float64]]) -> dict[str, float]:
    """Every class's clip score plus ``overall`` (the maximum), rounded to 4 decimals."""
    scores = {kind: round(clip_score(kind, per_frame[kind]), 4) for kind in CLASSES}
    scores["overall"] = max(scores.values())
    return scores
