"""The NIQE-style MSCN neighbour statistic tells natural texture from smoothed patches."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.analysis.context import Context
from core.analysis.ops import blur
from core.analysis.realism import FEATURES, block_features


def _texture(smooth_px: float, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    noise = torch.from_numpy(rng.normal(128.0, 30.0, (1, 1, 96, 160)).astype(np.float32))
    return blur(noise, smooth_px) if smooth_px > 0 else noise


@pytest.mark.parametrize(
    ("smooth_px", "low", "high"),
    [(0.0, -0.15, 0.15), (1.0, 0.3, 0.9), (3.0, 0.6, 1.0)],  # white noise ... over-smoothed
)
def test_mscn_neighbour_correlation_grows_as_texture_is_smoothed(smooth_px, low, high):
    ctx = Context(160, 96, torch.device("cpu"))
    uv = torch.full((1, 2, 48, 80), 128.0)
    feats = block_features(ctx, _texture(smooth_px), uv)
    pair = feats[:, FEATURES.index("mscn_pair")]
    assert low < float(pair.median()) < high, float(pair.median())
