"""Photo-realism defects: image blocks whose statistics are outliers within the clip.

Absolute no-reference scores (BRISQUE, NIQE) anti-correlate with human ratings of AI video
(VideoScore's table), so each block's statistics are scored against the clip's own blocks:
robust z-scores (median / 1.4826·MAD over every block of the batch's frames) of

- sharpness: log variance of the Laplacian;
- noise: log of Immerkær's fast noise sigma;
- spectral slope: log ratio of fine-band to mid-band energy (a two-band stand-in for the
  radially averaged power-spectrum slope; over-smoothed and noisy patches both move it);
- flatness: fraction of near-zero gradients (posterised, plastic-looking areas);
- clipping: fraction of luma at the video-range limits (<= 16 or >= 235);
- colourfulness: Hasler–Süsstrunk-style, from the chroma planes (reported, not scored);
- MSCN neighbour correlation: NIQE's pairwise statistic of mean-subtracted, contrast-normalised
  luma, computed per block and judged against the clip instead of NIQE's downloaded model.

A block's outlier level is sqrt(sum over the scored features of (|z| - 2.5)²), counting only
excesses (so one slightly odd statistic does not count, several extreme ones do). It runs on the
180 px detector maps (16 px blocks there = 32 px at 360p). Calibration (six synthetic scenes):
the most unusual block of a clean frame stayed below 7.6 at 320x180 (objects differ from the
background; one 640x360 scene reached 9.6); a posterised, clipped, noisy patch stayed above
15.8 at 320x180 and 7.7 at 640x360 (11.5 or more on three of four scenes; without the MSCN
feature those were 14.6, 6.0 and 9.2). Heat 0 and per-frame score 0.1 at 8, 1 at 14.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from core.analysis.context import Context
from core.analysis.ops import (
    Tensor,
    block_mean,
    blur,
    calibrate,
    conv3x3,
    frame_score,
    gradients,
)

BLOCK_PX_360P = 32
Z_FREE = 2.5
OUTLIER_CLEAN, OUTLIER_BAD = 8.0, 14.0
MAD_FLOOR = (0.15, 0.15, 0.1, 0.03, 0.01, 1.0, 0.05)
"""Smallest spread per feature, so a perfectly uniform clip does not turn noise into outliers."""
FEATURES = (
    "sharpness",
    "noise",
    "slope",
    "flatness",
    "clipped",
    "colourfulness",
    "mscn_pair",
)
SCORED = (0, 1, 2, 3, 4, 6)
"""Features that count towards the outlier level. Colourfulness is reported but not scored:
every object whose colour differs from its background was a colour outlier (measured: a clean
clip reached 16.6 with it, at most 7.3 without; injected patches stayed above 14.6)."""
_IMMERKAER = torch.tensor([[1.0, -2.0, 1.0], [-2.0, 4.0, -2.0], [1.0, -2.0, 1.0]])
_LAPLACE = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def block_size(ctx: Context) -> int:
    """Block side in analysis pixels (even, so chroma blocks line up)."""
    return max(8, round(BLOCK_PX_360P * ctx.scale / 2) * 2)


def block_features(ctx: Context, y: Tensor, uv: Tensor) -> Tensor:
    """(N, F, bh, bw) per-block statistics of luma (N, 1, H, W) and chroma (N, 2, H/2, W/2)."""
    block = block_size(ctx)

    def pool(x: Tensor) -> Tensor:
        return block_mean(x, block)

    # Replicated borders: zero padding would fake sharp edges along the frame border.
    lap = conv3x3(y, _LAPLACE)
    mean_lap = pool(lap)
    sharp = (pool(lap * lap) - mean_lap * mean_lap).clamp_min(0.0)
    imm = conv3x3(y, _IMMERKAER).abs()
    noise = pool(imm) * (torch.pi / 2) ** 0.5 / 6.0
    b1, b2 = blur(y, 1.0), blur(y, 3.0)
    fine, mid = pool((y - b1) ** 2), pool((b1 - b2) ** 2)
    gx, gy = gradients(y)
    flat = pool(((gx.abs() + gy.abs()) < 0.75).float())
    clipped = pool(((y <= 16) | (y >= 235)).float())
    colour = _colourfulness(uv, block // 2)
    pair = _mscn_pair(y, b1, pool)
    features = [
        (sharp + 1.0).log(),
        (noise + 0.5).log(),
        ((fine + 1.0) / (mid + 1.0)).log(),
        flat,
        clipped,
        colour[..., : flat.shape[-2], : flat.shape[-1]],
        pair,
    ]
    return torch.cat(features, dim=1)


def _mscn_pair(y: Tensor, mu: Tensor, pool: Callable[[Tensor], Tensor]) -> Tensor:
    """NIQE's neighbour statistic, per block, without its trained model: the correlation
    E[m m_right] / E[m^2] of horizontally adjacent MSCN coefficients m = (I - mu) / (sigma + 1)
    (``mu`` the local Gaussian mean, sigma the local deviation around it). Natural texture
    decorrelates fast; smoothed, posterised or synthetic patches do not. (NIQE's other
    statistic, the generalised-Gaussian shape of m, added nothing on our clips.)"""
    centred = y - mu
    mscn = centred.div_(blur(centred * centred, 1.0).sqrt_().add_(1.0))
    energy = pool(mscn * mscn).add_(1e-3)
    right = torch.cat([mscn[..., 1:], mscn[..., -1:]], dim=-1).mul_(mscn)
    return pool(right).div_(energy)


def _colourfulness(uv: Tensor, block: int) -> Tensor:
    centred = uv - 128.0
    mean = block_mean(centred, block)
    var = (block_mean(centred * centred, block) - mean * mean).clamp_min(0)
    spread = var.sum(1, keepdim=True).sqrt()
    return spread + 0.3 * mean.pow(2).sum(1, keepdim=True).sqrt()


def step(ctx: Context, y: Tensor, uv: Tensor) -> tuple[dict[str, Tensor], Tensor, Tensor]:
    """Return (raw per-frame signals, heatmap (N, 1, H, W) in [0, 1], per-frame score)."""
    feats = block_features(ctx, y, uv)
    f = feats.shape[1]
    flat = feats.permute(1, 0, 2, 3).reshape(f, -1)
    median = flat.median(dim=1).values
    mad = (flat - median[:, None]).abs().median(dim=1).values * 1.4826
    mad = torch.maximum(mad, torch.tensor(MAD_FLOOR, device=mad.device))
    z = (feats - median.view(1, f, 1, 1)) / mad.view(1, f, 1, 1)
    excess = (z.abs() - Z_FREE).clamp_min(0.0)[:, list(SCORED)]
    outlier = excess.pow(2).sum(1, keepdim=True).sqrt()
    per_block = calibrate(outlier, OUTLIER_CLEAN, OUTLIER_BAD)
    block = block_size(ctx)
    bh, bw = per_block.shape[-2:]
    heat = F.interpolate(per_block, size=(bh * block, bw * block), mode="nearest")
    heat = F.pad(heat, (0, y.shape[-1] - bw * block, 0, y.shape[-2] - bh * block))
    signals = {f"realism_{name}": feats[:, i].mean((1, 2)) for i, name in enumerate(FEATURES)}
    signals["realism_outlier"] = outlier.amax((1, 2, 3))
    return signals, heat, frame_score(outlier.amax((1, 2, 3)), OUTLIER_CLEAN, OUTLIER_BAD)
